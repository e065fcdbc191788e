"""我的待办 keeps to the user's area, in a real headless Chromium against the processes ``minyi demo`` starts: a
supervisor of one county (长沙县, 430121) sees that county's work only — not the city's public message board
threads, which every role may read, and nothing of another district."""

from __future__ import annotations

import pytest

from tests.browser.workbench import Page

pytestmark = pytest.mark.slow


def test_a_county_supervisors_queue_holds_only_the_countys_work(page: Page) -> None:
    page.open("/portal/")
    page.log_in("supervisor")
    page.find("table.appeals tbody tr", timeout=90)
    page.shot("county-queue")
    rows = page.all("table.appeals tbody tr")
    ids = [r.get_attribute("data-id") or "" for r in rows]
    codes = [r.get_attribute("data-admin-code") for r in rows]
    assert {i.split(":")[0] for i in ids} >= {"hotline", "grid"}
    assert not [i for i in ids if i.startswith("board:")]  # public threads are not this county's queue
    placed = [c for c in codes if c]
    assert placed and all(c.startswith("430121") for c in placed), sorted(set(placed))
