"""Work moving through the workbench, in a real headless Chromium against the processes ``minyi demo`` starts: the
dispatcher's queue across systems with its warning colours, a 12345 ticket dispatched to a lead unit and a co-unit
(PENDING while the outbox worker is held, APPLIED once it runs), then the co-unit and the lead unit sign and reply,
each after their own login."""

from __future__ import annotations

import os
import signal
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest

from tests.browser.conftest import Demo
from tests.browser.workbench import Page

pytestmark = pytest.mark.slow

LEAD_UNIT = "43010503"  # 开福区生态环境分局: the demo user `handler`
CO_UNIT = "43010502"  # 开福区城市管理和综合执法局: the demo user `cohandler`
COLOURS = ("RED", "ORANGE", "YELLOW", "NONE")


@contextmanager
def _worker_held(demo: Demo) -> Iterator[None]:
    """The outbox worker stopped (SIGSTOP) until the block ends: accepted writes wait in the outbox meanwhile."""
    pid = demo.process("worker")
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def _graphql(page: Page, query: str, **variables: object) -> dict[str, object]:
    session = page.session()
    assert session is not None
    request = urllib.request.Request(
        f"{page.base}/graphql",
        data=orjson.dumps({"query": query, "variables": variables}),
        headers={"content-type": "application/json", "authorization": f"Bearer {session['accessToken']}"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return orjson.loads(resp.read())  # type: ignore[no-any-return]


def _open_from_queue(page: Page, appeal_id: str) -> None:
    """In 我的待办, find the appeal's row and open it."""
    row = page.find(f'table.appeals tr[data-id="{appeal_id}"]', timeout=60)
    row.find_element("css selector", "a").click()
    page.wait(lambda d: page.all("dl.facts") and appeal_id in d.current_url.replace("%3A", ":"), what="the appeal")


def _act(page: Page, action: str, fields: dict[str, str]) -> str:
    """Open the action's form, fill it in and send it; the dispatch id of the write it made."""
    # one receipt per write: the list's own items (each holds a nested list of its steps, which carry no id)
    receipts = ".writes > li[data-dispatch]"
    before = {e.get_attribute("data-dispatch") for e in page.all(receipts)}
    button = page.find(f'.action-buttons button[data-action="{action}"]')
    if button.get_attribute("aria-pressed") != "true":
        button.click()
    for name, value in fields.items():
        page.type_into(f'form.action-form [name="{name}"]', value)
    page.find("form.action-form button[type=submit]").click()

    def new_write(_: object) -> str | None:
        ids = {e.get_attribute("data-dispatch") for e in page.all(receipts)} - before - {None}
        return next(iter(ids), None)

    dispatch = page.wait(new_write, 60, f"the {action} write's receipt")
    assert dispatch is not None
    return dispatch


def _wait_applied(page: Page, dispatch: str) -> None:
    page.find(f'.writes li[data-dispatch="{dispatch}"][data-state="APPLIED"]', timeout=90)


def test_the_dispatcher_dispatches_to_a_lead_and_a_co_unit_who_sign_and_reply(demo_run: Demo, page: Page) -> None:
    page.open("/portal/")
    page.log_in("dispatcher")
    page.wait(lambda d: page.all("table.appeals tbody tr"), 60, "the queue")
    page.shot("queue")

    # the queue: every system, every row with its warning colour (a 信访 item's is not for a hotline role), and the
    # counts by colour add up to the list
    rows = page.all("table.appeals tbody tr")
    assert {r.get_attribute("data-id").split(":")[0] for r in rows} >= {"hotline", "petition", "board", "grid"}
    assert {r.get_attribute("data-warning") for r in rows if r.get_attribute("data-id")[:9] != "petition:"} <= set(
        COLOURS
    )
    assert {r.get_attribute("data-warning") for r in rows if r.get_attribute("data-id")[:9] == "petition:"} == {None}
    counts = {
        li.get_attribute("data-colour"): int(li.find_element("css selector", "strong").text)
        for li in page.all(".counts.colours li")
    }
    assert set(counts) == {*COLOURS, "UNSEEN"} and sum(counts.values()) == len(rows)
    assert counts["RED"] == len([r for r in rows if r.get_attribute("data-warning") == "RED"]) > 0
    page.choose('select[name="colour"]', "RED")
    page.wait(lambda d: len(page.all("table.appeals tbody tr")) == counts["RED"], what="only the red ones")
    assert {c.text for c in page.all("table.appeals tbody .warning")} == {"红色提级"}
    page.shot("red-only")

    # a 12345 ticket accepted and not yet dispatched
    page.choose('select[name="colour"]', "")
    page.choose('select[name="system"]', "HOTLINE")
    page.choose('select[name="status"]', "ACCEPTED")
    page.wait(lambda d: {r.get_attribute("data-id")[:8] for r in page.all("table.appeals tbody tr")} == {"hotline:"})
    ticket = next(
        r.get_attribute("data-id")
        for r in page.all("table.appeals tbody tr")
        if r.find_elements("css selector", "td")[-1].text == "—"  # no lead unit yet
    )
    _open_from_queue(page, ticket)
    assert len(page.all("ol.timeline li")) == 10  # the 10 tracking nodes
    assert page.find('ol.timeline li[data-step="1"]').get_attribute("class") == "reached"
    page.shot("ticket")

    # 派单 to a lead unit and a co-unit: PENDING while the worker is held, then APPLIED
    page.find('.action-buttons button[data-action="dispatch"]').click()
    key = page.find("form.action-form").get_attribute("data-idempotency-key")
    assert key and len(key) == 32
    with _worker_held(demo_run):
        dispatch = _act(page, "dispatch", {"leadUnit": LEAD_UNIT, "coUnits": CO_UNIT, "note": "请主办单位牵头处理"})
        page.find(f'.writes li[data-dispatch="{dispatch}"][data-state="PENDING"]')
        assert "等待写入原系统（PENDING）" in page.text_of(".writes li")
        page.shot("dispatch-pending")
    _wait_applied(page, dispatch)
    assert "已写入原系统（APPLIED）" in page.text_of(".writes li")
    page.wait_text("dl.facts", "开福区生态环境分局（主办）待签收", timeout=30)  # read again from the hotline
    assert "开福区城市管理和综合执法局" in page.text_of("dl.facts")
    page.shot("dispatch-applied")

    # the form sent its idempotency key: the same write again is the same dispatch, not a second one
    again = _graphql(
        page,
        "mutation($input: DispatchAppealInput!) { dispatchAppeal(input: $input) { dispatch { id state } } }",
        input={
            "appealId": ticket,
            "leadUnit": LEAD_UNIT,
            "coUnits": [CO_UNIT],
            "note": "请主办单位牵头处理",
            "idempotencyKey": key,
        },
    )
    assert again["data"] == {"dispatchAppeal": {"dispatch": {"id": dispatch, "state": "APPLIED"}}}

    # the co-unit signs and gives its opinion; the lead unit signs and replies once for both
    for user, reply in (
        ("cohandler", "会办意见：已配合清理占道摊点。"),
        ("handler", "经现场核查，已督促整改，噪声已达标。"),
    ):
        page.log_out()
        page.find("main button").click()  # 重新登录
        page.log_in(user)
        _open_from_queue(page, ticket)
        page.shot(f"{user}-ticket")
        _wait_applied(page, _act(page, "sign", {}))
        page.wait(lambda d: page.all('.action-buttons button[data-action="reply"]'), 30, "the reply action")
        _wait_applied(page, _act(page, "reply", {"text": reply}))
        page.shot(f"{user}-replied")
    page.wait_text("dl.facts", "已回复待审核", timeout=30)
    assert page.all('.action-buttons button[data-action="reply"]') == []  # nothing left for this unit to reply
