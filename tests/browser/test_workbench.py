"""The agents' workbench in a real headless Chromium, against the processes ``minyi demo`` starts: one login
through the embedded provider (PKCE), the queue across systems, an appeal, accessibility, an expired login in the
middle of a form, and a logout that reaches every tab."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
import pytest

from tests.browser.conftest import ACCESS_TTL_S
from tests.browser.workbench import Page, assert_accessible, wait_until

pytestmark = pytest.mark.slow

SYSTEM_NAMES = {"12345热线", "信访", "领导留言板", "网格"}


def _graphql(base: str, token: str, query: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=orjson.dumps({"query": query}),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, orjson.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())


def _end_login_session(base: str, cookie: str) -> None:
    """What an administrator's revocation or the session's end does: the provider forgets the login."""
    request = urllib.request.Request(
        f"{base}/oauth/logout",
        data=urlencode({"client_id": "minyi-portal"}).encode(),
        headers={"cookie": f"minyi_sid={cookie}", "content-type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 200


def test_the_dispatcher_logs_in_once_and_works_the_queue_of_every_system(page: Page) -> None:
    page.open("/portal/")
    page.wait(lambda d: "/oauth/authorize" in d.current_url, what="the login page")
    assert (
        "code_challenge_method=S256" in page.driver.current_url and "client_id=minyi-portal" in page.driver.current_url
    )
    page.log_in("dispatcher")

    page.wait_text("main h1", "我的待办")
    assert page.driver.current_url == f"{page.base}/portal/"  # the code is gone from the address bar
    assert page.text_of(".user-name") == "王派单" and page.text_of(".user-role") == "派单员"
    page.wait(lambda d: len(page.all("table.appeals tbody tr")) > 0, what="the queue")
    page.shot("queue")
    systems = {cell.text for cell in page.all("table.appeals tbody td .system")}
    counts = page.text_of(".counts.systems")
    assert all(name in counts for name in SYSTEM_NAMES), counts  # every system answered
    assert systems & SYSTEM_NAMES, systems
    assert page.foreign_requests() == []

    # filter by one system: only its rows remain
    page.find("select").send_keys("网格")
    page.wait(lambda d: {c.text for c in page.all("table.appeals tbody td .system")} <= {"网格"}, what="the filter")
    page.shot("filtered")
    assert_accessible(page, "the queue")

    page.find("table.appeals tbody a").click()
    page.wait(lambda d: "#/appeal/grid%3A" in d.current_url, what="the appeal")
    page.wait(lambda d: page.all("dl.facts"), what="the appeal's facts")
    page.shot("appeal")
    assert "网格" in page.text_of("article .system") and page.text_of("#appeal-title")
    assert page.find("#reveal-reason").get_attribute("required") is not None
    assert_accessible(page, "an appeal")


def test_an_expired_login_in_the_middle_of_a_form_keeps_the_form_after_the_new_login(page: Page) -> None:
    page.open("/portal/")
    page.log_in("dispatcher")
    page.find("table.appeals tbody a")
    page.choose('select[name="system"]', "HOTLINE")  # a 12345 ticket: its caller is masked, not hidden
    page.find('table.appeals tbody tr[data-id^="hotline:"] a').click()
    page.find("#reveal-reason")
    appeal_url = page.driver.current_url
    reason = "回访需要联系诉求人核实地址"
    page.type_into("#reveal-reason", reason)
    page.shot("typing-the-reason")

    _end_login_session(page.base, page.provider_cookie())  # the login ends while the form is open
    page.find(".reveal button[type=submit]").click()

    page.wait(lambda d: "/oauth/authorize" in d.current_url, what="back to the login page")
    page.shot("login-again")
    page.log_in("dispatcher")
    page.wait(lambda d: d.current_url == appeal_url, what="the same appeal")
    restored = page.find("#reveal-reason")
    assert restored.get_attribute("value") == reason
    page.shot("form-restored")

    page.find(".reveal button[type=submit]").click()
    revealed = page.wait_text(".revealed", "已记入审计")
    assert "联系方式" in revealed.text
    page.shot("revealed")


def test_logout_in_one_tab_logs_out_the_other_after_both_shared_a_silent_refresh(
    open_browser: Callable[[], Page],
) -> None:
    first = open_browser()
    first.open("/portal/")
    first.log_in("supervisor")
    first.wait_text("main h1", "我的待办")
    first.driver.switch_to.new_window("tab")
    tabs = first.driver.window_handles
    first.open("/portal/#/search")
    first.wait_text("main h1", "跨系统搜索")  # the second tab: no login, the same session
    session = first.session()
    assert session is not None
    before = session["accessToken"]

    # the access token lives 30 s; one tab refreshes it before it expires and the other adopts it
    wait_until(
        lambda: (first.session() or {}).get("accessToken") not in (None, before), ACCESS_TTL_S, "a silent refresh"
    )
    refreshed = first.session()
    assert refreshed is not None and refreshed["expiresAt"] > session["expiresAt"]
    first.driver.switch_to.window(tabs[0])
    assert first.session() == refreshed  # both tabs hold the one login
    status, _ = _graphql(first.base, refreshed["accessToken"], "{ __typename }")
    assert status == 200
    first.shot("first-tab-after-refresh")

    first.find("button.logout").click()
    first.wait_text("main h1", "您已退出登录")
    first.driver.switch_to.window(tabs[1])
    first.wait_text("main h1", "您已退出登录", timeout=10)
    first.shot("second-tab-logged-out")
    status, body = _graphql(first.base, refreshed["accessToken"], "{ __typename }")
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]


def test_graphiql_loads_offline_and_runs_a_query_with_the_users_token(page: Page) -> None:
    page.open("/graphql")
    page.wait(lambda d: "/oauth/authorize" in d.current_url, what="the login page")
    page.log_in("dispatcher")
    page.wait(lambda d: d.current_url == f"{page.base}/graphql", what="back to GraphiQL")
    page.find(".graphiql-container")
    page.wait_text("#who", "王派单")
    assert "hotlineTickets" in page.text_of(".graphiql-query-editor")  # the first example operation
    page.find(".graphiql-execute-button").click()
    result = page.wait_text(".graphiql-response", '"localNo"', timeout=30)
    assert '"hotlineTickets"' in result.text and "UNAUTHENTICATED" not in result.text
    page.shot("query-answered")
    assert page.foreign_requests() == []

    page.find('[aria-label="Show Documentation Explorer"]').click()
    page.find(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name").click()  # Query
    page.wait_text(".graphiql-doc-explorer", "Threads, newest first")  # the schema's own descriptions
    page.shot("documentation")
