"""The citizen's own view in a real headless Chromium against the processes ``minyi demo`` starts: her appeals in
every system and nothing else, each with express-style tracking of the 10 nodes as a citizen may see them, no
staff page reachable, and her rating of an answered appeal written through to its system."""

from __future__ import annotations

import urllib.request

import orjson
import pytest

from tests.browser.workbench import Page, assert_accessible

pytestmark = pytest.mark.slow


def _ask(page: Page, query: str, **variables: object) -> dict[str, object]:
    session = page.session()
    assert session is not None
    request = urllib.request.Request(
        f"{page.base}/graphql",
        data=orjson.dumps({"query": query, "variables": variables}),
        headers={"content-type": "application/json", "authorization": f"Bearer {session['accessToken']}"},
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return orjson.loads(resp.read())  # type: ignore[no-any-return]


def test_the_citizen_tracks_her_own_appeals_only_and_rates_an_answer(page: Page) -> None:
    page.open("/portal/")
    page.log_in("citizen")
    page.wait_text("main h1", "我的诉求")
    page.find("ul.cards > li", timeout=90)
    page.shot("my-appeals")

    # her appeals, in every system she filed in, and no one else's
    cards = page.all("ul.cards > li")
    ids = [c.get_attribute("data-id") or "" for c in cards]
    assert {i.split(":")[0] for i in ids} >= {"hotline", "petition", "grid"}
    session = page.session()
    assert session is not None
    mine = session["user"]["personKey"]
    for appeal_id in ids:
        answer = _ask(page, "query($id: ID!) { appeal(id: $id) { petitioner { personKey } } }", id=appeal_id)
        assert answer["data"] == {"appeal": {"petitioner": {"personKey": mine}}}, appeal_id

    # express-style tracking: the 10 nodes, where the matter is now; nothing a citizen may not see
    for card in cards:
        steps = card.find_elements("css selector", "ol.express > li")
        assert [s.get_attribute("data-step") for s in steps] == [str(n) for n in range(1, 11)]
        assert len(card.find_elements("css selector", 'ol.express > li[aria-current="step"]')) == 1
    assert page.all(".warning") == [] and page.all("#reveal-reason") == [] and page.all(".action-buttons") == []
    assert [a.text for a in page.all("nav a")] == ["我的诉求"]
    page.open("/portal/#/search")  # a staff page is not hers: she stays on her own
    page.wait_text("main h1", "我的诉求")
    assert_accessible(page, "我的诉求")

    # an answered appeal she has not rated: 评价, written through, then shown as her rating
    form = page.find("ul.cards > li form.rating")
    card_id = form.find_element("xpath", "./ancestor::li[@data-id]").get_attribute("data-id")
    page.choose(f'li[data-id="{card_id}"] form.rating select[name="score"]', "4")
    page.type_into(f'li[data-id="{card_id}"] form.rating textarea', "答复及时，问题已解决。")
    page.shot("rating")
    page.find(f'li[data-id="{card_id}"] form.rating button[type=submit]').click()
    rated = page.find(f'li[data-id="{card_id}"] .rated', timeout=90)
    assert "我的评价" in rated.text
    page.shot("rated")
    answer = _ask(page, "query($id: ID!) { appeal(id: $id) { satisfaction { level } } }", id=card_id)
    assert answer["data"]["appeal"]["satisfaction"] is not None  # type: ignore[index]
