"""Keyset cursors over a legacy list that pages by offset: stable when items arrive or leave between pages."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.keyset import Window, decode_anchor, merged_fetch, read_page
from subgraphs.common.paging import encode_cursor

SECRET = b"keyset-test-secret"


class LegacyList:
    """A newest-first list read by offset, like the legacy systems' list APIs; counts its reads."""

    def __init__(self, size: int) -> None:
        self.items = [f"n{i:03d}" for i in range(size, 0, -1)]
        self.reads = 0

    async def fetch(self, offset: int, limit: int) -> Window[str]:
        self.reads += 1
        return Window(self.items[offset : offset + limit], len(self.items))

    def arrive(self, *new: str) -> None:
        self.items[:0] = list(new)


async def test_pages_reach_the_end_and_say_so() -> None:
    legacy = LegacyList(25)
    seen: list[str] = []
    after = None
    while True:
        page = await read_page(legacy.fetch, str, SECRET, 10, after)
        seen += [e.record for e in page.entries]
        assert page.total == 25 and page.has_previous is (after is not None)
        if not page.has_next:
            break
        after = page.entries[-1].cursor
    assert seen == legacy.items


async def test_an_item_arriving_between_pages_is_neither_repeated_nor_skipped() -> None:
    legacy = LegacyList(30)
    original = list(legacy.items)
    first = await read_page(legacy.fetch, str, SECRET, 10, None)
    legacy.arrive("new1", "new2", "new3")  # an offset cursor would now repeat three items

    second = await read_page(legacy.fetch, str, SECRET, 10, first.entries[-1].cursor)

    assert [e.record for e in first.entries] + [e.record for e in second.entries] == original[:20]
    assert legacy.reads <= 3  # found where it moved to within one window, then the page filled


async def test_more_arrivals_than_a_page_are_looked_through() -> None:
    legacy = LegacyList(60)
    original = list(legacy.items)
    first = await read_page(legacy.fetch, str, SECRET, 5, None)
    legacy.arrive(*(f"new{i}" for i in range(12)))

    second = await read_page(legacy.fetch, str, SECRET, 5, first.entries[-1].cursor)

    assert [e.record for e in second.entries] == original[5:10]


async def test_an_item_that_left_the_list_continues_from_where_it_stood() -> None:
    legacy = LegacyList(30)
    first = await read_page(legacy.fetch, str, SECRET, 10, None)
    gone = first.entries[-1].record
    legacy.items.remove(gone)  # e.g. it changed status and left a filtered list

    second = await read_page(legacy.fetch, str, SECRET, 10, first.entries[-1].cursor)

    assert [e.record for e in second.entries] == legacy.items[9:19]


async def test_a_cursor_shows_nothing_of_the_item_it_points_at() -> None:
    legacy = LegacyList(5)
    page = await read_page(legacy.fetch, str, SECRET, 5, None)
    for entry in page.entries:
        anchor = decode_anchor(entry.cursor)
        assert anchor is not None and entry.record not in anchor.digest


async def test_a_foreign_or_forged_cursor_is_bad_input() -> None:
    legacy = LegacyList(5)
    for cursor in ("not base64!", encode_cursor("o:20"), encode_cursor("k1:x:abc")):
        with pytest.raises(SubgraphInputError):
            await read_page(legacy.fetch, str, SECRET, 5, cursor)


async def test_merged_lists_page_as_one_newest_first() -> None:
    even = LegacyList(0)
    even.items = [f"n{i:03d}" for i in range(40, 0, -2)]
    odd = LegacyList(0)
    odd.items = [f"n{i:03d}" for i in range(39, 0, -2)]
    fetch = merged_fetch([even.fetch, odd.fetch], str)
    seen: list[str] = []
    after = None
    while True:
        page = await read_page(fetch, str, SECRET, 7, after)
        seen += [e.record for e in page.entries]
        assert page.total == 40
        if not page.has_next:
            break
        after = page.entries[-1].cursor
    assert seen == [f"n{i:03d}" for i in range(40, 0, -1)]
