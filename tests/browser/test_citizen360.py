"""市民360 and 智能判重 in a real headless Chromium against the processes ``minyi demo`` starts: a supervisor looks a
person up by phone and sees their appeals of every system merged in one time-ordered list, the counts by system and
the 一人多投 file (which the role may see), then opens one of the appeals in the same screen and sees the appeals
found to be the same matter (重复件), each of which opens in one click."""

from __future__ import annotations

import urllib.request

import orjson
import pytest

from tests.browser.workbench import Page

pytestmark = pytest.mark.slow

PHONE = "19939150008"  # the demo citizen 杜玲, with filings in four systems


def _ask(page: Page, query: str, **variables: object) -> dict[str, object]:
    session = page.session()
    assert session is not None
    request = urllib.request.Request(
        f"{page.base}/graphql",
        data=orjson.dumps({"query": query, "variables": variables}),
        headers={"content-type": "application/json", "authorization": f"Bearer {session['accessToken']}"},
    )
    with urllib.request.urlopen(request, timeout=60) as resp:
        return orjson.loads(resp.read())  # type: ignore[no-any-return]


def test_a_supervisor_sees_a_citizen_merged_across_systems_and_an_appeals_duplicates(page: Page) -> None:
    page.open("/portal/")
    page.log_in("supervisor")
    page.find("nav a[href='#/citizen']", timeout=90).click()
    page.wait_text("main h1", "市民360")
    page.type_into("#citizen-phone", PHONE)
    page.find("main form.inline button[type=submit]").click()
    page.find("table.appeals tbody tr", timeout=120)
    page.script("arguments[0].scrollIntoView()", page.find("section.repeat-file", timeout=60))
    page.shot("citizen360")

    # one list over every system, newest first, as the graph merged it
    rows = page.all("section[aria-labelledby='citizen-title'] > table.appeals tbody tr")
    ids = [r.get_attribute("data-id") or "" for r in rows]
    assert len({i.split(":")[0] for i in ids}) >= 2
    merged = _ask(
        page,
        "query($phone: String!) { citizen(phone: $phone) { appeals(first: 50) { nodes { id receivedAt } } } }",
        phone=PHONE,
    )
    nodes = merged["data"]["citizen"]["appeals"]["nodes"]  # type: ignore[index]
    assert ids == [n["id"] for n in nodes]
    times = [n["receivedAt"] for n in nodes]
    assert times == sorted(times, reverse=True)
    summary = page.find("p.summary")
    assert int(summary.get_attribute("data-total") or 0) >= len(ids)
    assert len(page.all("p.summary .system-count")) >= 2
    assert "一人多投专档" in page.text_of("section.repeat-file h2")

    # an appeal of hers with duplicates: opened from the list, its 重复件 listed and each one click away
    with_duplicates = None
    for appeal_id in ids:
        answer = _ask(page, "query($id: ID!) { appeal(id: $id) { duplicates { appeal { id } } } }", id=appeal_id)
        found = answer["data"]["appeal"]["duplicates"]  # type: ignore[index]
        if found:
            with_duplicates = (appeal_id, [m["appeal"]["id"] for m in found])
            break
    assert with_duplicates is not None, "none of the citizen's appeals has a duplicate"
    appeal_id, duplicates = with_duplicates
    page.find(f'table.appeals tr[data-id="{appeal_id}"] a').click()
    page.script("arguments[0].scrollIntoView()", page.find("ul.duplicates li", timeout=90))
    page.shot("duplicates")
    listed = [li.get_attribute("data-id") for li in page.all("ul.duplicates li")]
    assert listed == duplicates
    assert all(li.get_attribute("data-decision") in {"DUPLICATE", "SUGGEST"} for li in page.all("ul.duplicates li"))
    page.find(f'ul.duplicates li[data-id="{duplicates[0]}"] a').click()
    page.wait(lambda d: d.current_url.endswith(duplicates[0].replace(":", "%3A")), what="the duplicate")
    page.find("dl.facts", timeout=90)
    page.shot("duplicate-opened")
