"""The merged search over fake sources: order, stable cursors, filters, partial answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from resolvers.access import AppealFacts
from resolvers.adapters.errors import LegacyUnavailable
from resolvers.appeals.criteria import AppealCriteria, matches
from resolvers.appeals.cursor import Cursor, decode_cursor, encode_cursor
from resolvers.appeals.offsets import next_offset, offset_of
from resolvers.appeals.record import AppealRecord
from resolvers.appeals.search import Page, search_appeals
from resolvers.appeals.sources import AppealSource, SourcePage, SourceSearch
from resolvers.domain import AppealType, SourceSystem, UnifiedStatus
from resolvers.persons import Identifiers

T0 = datetime(2026, 11, 1, 9, 0)


def record(system: SourceSystem, n: int, minutes: int, **kw: object) -> AppealRecord:
    status = kw.pop("status", UnifiedStatus.HANDLING)
    assert isinstance(status, UnifiedStatus)
    return AppealRecord(
        system=system,
        local_id=f"{n:04d}",
        received_at=T0 + timedelta(minutes=minutes),
        status=status,
        source_status="x",
        appeal_type=AppealType.COMPLAINT,
        facts=AppealFacts(system=system, status=status),
        **kw,  # type: ignore[arg-type]
    )


class FakeSource:
    """A newest-first list paged by offset; counts reads; can be made to fail."""

    def __init__(self, system: SourceSystem, records: Sequence[AppealRecord]) -> None:
        self.system = system
        self.records = sorted(records, key=lambda r: r.sort_key, reverse=True)
        self.reads = 0
        self.down = False

    def arrive(self, new: AppealRecord) -> None:
        self.records = sorted([*self.records, new], key=lambda r: r.sort_key, reverse=True)

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        return {r.local_id: r for r in self.records if r.local_id in local_ids}

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        self.reads += 1
        if self.down:
            raise LegacyUnavailable(self.system.value.lower(), "connection refused")
        start = offset_of(position)
        chunk = tuple(self.records[start : start + count])
        return SourcePage(chunk, next_offset(start, len(chunk), len(self.records)))

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        return []


def sources(*fakes: FakeSource) -> dict[SourceSystem, AppealSource]:
    return {f.system: f for f in fakes}


def ids(page: Page) -> list[str]:
    return [item.record.id for item in page.items]


async def everything(found: dict[SourceSystem, AppealSource], first: int, **kw: object) -> list[str]:
    seen: list[str] = []
    after: Cursor | None = None
    while True:
        page = await search_appeals(found, AppealCriteria(), lambda r: True, first=first, after=after, **kw)  # type: ignore[arg-type]
        seen += ids(page)
        if not page.has_next_page:
            return seen
        after = page.items[-1].cursor


def two_systems() -> tuple[FakeSource, FakeSource]:
    hotline = FakeSource(SourceSystem.HOTLINE, [record(SourceSystem.HOTLINE, n, n * 3) for n in range(10)])
    grid = FakeSource(SourceSystem.GRID, [record(SourceSystem.GRID, n, n * 5 + 1) for n in range(6)])
    return hotline, grid


async def test_the_merged_list_is_newest_first_over_every_system() -> None:
    hotline, grid = two_systems()
    page = await search_appeals(sources(hotline, grid), AppealCriteria(), lambda r: True, first=5)
    times = [item.record.received_at for item in page.items]
    assert times == sorted(times, reverse=True)
    assert ids(page) == ["hotline:0009", "grid:0005", "hotline:0008", "hotline:0007", "grid:0004"]
    assert page.has_next_page


async def test_paging_to_the_end_serves_every_appeal_once() -> None:
    hotline, grid = two_systems()
    seen = await everything(sources(hotline, grid), first=3)
    assert len(seen) == 16 and len(set(seen)) == 16


async def test_an_appeal_arriving_between_pages_neither_repeats_nor_skips_an_item() -> None:
    hotline, grid = two_systems()
    found = sources(hotline, grid)
    first = await search_appeals(found, AppealCriteria(), lambda r: True, first=4)
    for n in range(3):  # new work orders land on top of the list and shift every offset
        hotline.arrive(record(SourceSystem.HOTLINE, 100 + n, 500 + n))
    cursor = decode_cursor(encode_cursor(first.items[-1].cursor))  # through its opaque text
    rest: list[str] = []
    after: Cursor | None = cursor
    while after is not None:
        page = await search_appeals(found, AppealCriteria(), lambda r: True, first=4, after=after)
        rest += ids(page)
        after = page.items[-1].cursor if page.has_next_page else None
    assert not set(ids(first)) & set(rest)
    assert len(ids(first)) + len(rest) == 16  # every original appeal exactly once; the new ones sit above page 1


async def test_filters_and_access_leave_items_out_without_ending_the_list() -> None:
    hotline, grid = two_systems()
    closed = AppealCriteria(statuses=frozenset({UnifiedStatus.CLOSED}))
    hotline.arrive(record(SourceSystem.HOTLINE, 50, -100, status=UnifiedStatus.CLOSED))
    page = await search_appeals(sources(hotline, grid), closed, lambda r: matches(closed, r), first=5)
    assert ids(page) == ["hotline:0050"] and not page.has_next_page
    only_grid = AppealCriteria(systems=frozenset({SourceSystem.GRID}))
    reads = hotline.reads
    page = await search_appeals(sources(hotline, grid), only_grid, lambda r: True, first=20)
    assert {i.split(":")[0] for i in ids(page)} == {"grid"}
    assert hotline.reads == reads  # a system left out by the filter is not read at all


async def test_a_page_shortened_by_the_scan_limit_is_not_the_last_page() -> None:
    hotline, grid = two_systems()
    page = await search_appeals(
        sources(hotline, grid), AppealCriteria(), lambda r: r.system is SourceSystem.GRID and r.local_id < "0002",
        first=5, scan_limit=4,
    )  # fmt: skip
    assert len(page.items) < 5 and page.has_next_page


async def test_a_system_that_is_down_costs_only_its_own_items() -> None:
    hotline, grid = two_systems()
    grid.down = True
    page = await search_appeals(sources(hotline, grid), AppealCriteria(), lambda r: True, first=4)
    assert ids(page) == ["hotline:0009", "hotline:0008", "hotline:0007", "hotline:0006"]
    assert set(page.failed) == {SourceSystem.GRID}
    grid.down = False  # back: the next page reads it from the start again, below the cursor
    following = await search_appeals(
        sources(hotline, grid), AppealCriteria(), lambda r: True, first=20, after=page.items[-1].cursor
    )
    assert not following.failed
    assert "grid:0005" not in ids(following) and "grid:0003" in ids(following)  # newer than the cursor: not here


async def test_the_received_time_range_stops_reading_at_its_lower_end() -> None:
    hotline, grid = two_systems()
    window = AppealCriteria(received_from=T0 + timedelta(minutes=20), received_to=T0 + timedelta(minutes=25))
    page = await search_appeals(sources(hotline, grid), window, lambda r: matches(window, r), first=10)
    assert ids(page) == ["hotline:0008", "hotline:0007", "grid:0004"]  # a tie in time is broken by id
    assert not page.has_next_page


def test_a_cursor_this_search_did_not_make_is_refused() -> None:
    import pytest

    from resolvers.appeals.cursor import CursorError

    for bad in ("nonsense", encode_cursor(Cursor((T0, "x")))[:-3] + "!!"):
        with pytest.raises(CursorError):
            decode_cursor(bad)
