"""The merged search: every system's newest-first list read in parallel and merged by time (DOMAIN.md §5).

:func:`search_appeals` serves one page: it reads each system from the cursor's position, keeps what the caller's
``keep`` predicate accepts (the filter, the access rules), merges by (received time, id), newest first, and makes
the cursor of every item served. ``refine``, when given, is a further check that needs I/O (a warning colour,
which reads the duplicate index): it sees each batch ``keep`` accepted and says which of them stay. Reading continues, in rounds of parallel reads, until the page is full or every
system is read out; ``scan_limit`` records per system bound one request, after which the page is served short
with ``has_next_page`` (a short page is not the last page).

A system that fails is left out of the page and reported in ``failed``; its position in the cursors stays where
it was, so the next page tries it again from the same place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from resolvers.adapters.errors import LegacyError
from resolvers.appeals.criteria import AppealCriteria
from resolvers.appeals.cursor import DONE, Cursor
from resolvers.appeals.record import AppealRecord, SortKey
from resolvers.appeals.sources import AppealSource, SourcePage
from resolvers.domain import SourceSystem

__all__ = ["Page", "PageItem", "search_appeals"]

SCAN_LIMIT = 500  # records read per system for one page, at most


@dataclass(frozen=True, slots=True)
class PageItem:
    record: AppealRecord
    cursor: Cursor


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[PageItem, ...]
    has_next_page: bool
    failed: Mapping[SourceSystem, LegacyError] = field(default_factory=dict)


@dataclass(slots=True)
class _Stream:
    """One system's list as read in this request: records kept (newest first) with the position after each."""

    source: AppealSource
    position: str | None  # where the next read starts; DONE at the end
    kept: list[AppealRecord] = field(default_factory=list)
    scanned: int = 0
    read_from: str | None = None  # the position the last read began at

    @property
    def done(self) -> bool:
        return self.position == DONE


def _resume(position: str | None) -> str:
    return DONE if position is None else position


async def search_appeals(
    sources: Mapping[SourceSystem, AppealSource],
    criteria: AppealCriteria,
    keep: Callable[[AppealRecord], bool],
    *,
    first: int,
    after: Cursor | None = None,
    scan_limit: int = SCAN_LIMIT,
    refine: Callable[[Sequence[AppealRecord]], Awaitable[Sequence[bool]]] | None = None,
) -> Page:
    streams: dict[SourceSystem, _Stream] = {}
    for system, source in sources.items():
        if not criteria.wants(system):
            continue
        start = after.positions.get(system) if after is not None else None
        streams[system] = _Stream(source, start)
    failed: dict[SourceSystem, LegacyError] = {}
    chunk = min(100, first + 1)
    search = criteria.source_search()
    served: list[PageItem] = []

    async def read(system: SourceSystem, stream: _Stream) -> None:
        stream.read_from = stream.position
        try:
            page = await stream.source.page(search, stream.position, chunk)
        except LegacyError as exc:
            failed[system] = exc
            return
        before = len(stream.kept)
        _take(stream, page, after, criteria, keep)
        if refine is not None and len(stream.kept) > before:
            fresh = stream.kept[before:]
            stays = await refine(fresh)
            stream.kept[before:] = [record for record, ok in zip(fresh, stays, strict=True) if ok]

    while True:
        live = {s: st for s, st in streams.items() if s not in failed}
        hungry = [(s, st) for s, st in live.items() if not st.kept and not st.done and st.scanned < scan_limit]
        if hungry:
            await asyncio.gather(*(read(s, st) for s, st in hungry))
            continue
        candidates = [(st.kept[0].sort_key, s.value) for s, st in live.items() if st.kept]
        blocked = any(not st.kept and not st.done for st in live.values())  # scan limit reached unread
        if not candidates or len(served) == first:
            more = bool(candidates) or blocked
            return Page(tuple(served), more, failed)
        if blocked:
            return Page(tuple(served), True, failed)
        system = SourceSystem(max(candidates)[1])
        record = streams[system].kept.pop(0)
        served.append(PageItem(record, _cursor_after(record.sort_key, streams)))


def _take(
    stream: _Stream,
    page: SourcePage,
    after: Cursor | None,
    criteria: AppealCriteria,
    keep: Callable[[AppealRecord], bool],
) -> None:
    records = sorted(page.records, key=lambda r: r.sort_key, reverse=True)
    stream.scanned += len(records)
    nxt = _resume(page.next_position)
    for record in records:
        if after is not None and record.sort_key >= after.key:
            continue  # served on an earlier page (or it arrived since and sits above the cursor)
        if criteria.received_from is not None and record.received_at < criteria.received_from:
            nxt = DONE  # newest first: nothing older can match
            break
        if keep(record):
            stream.kept.append(record)
    stream.position = nxt


def _cursor_after(key: SortKey, streams: Mapping[SourceSystem, _Stream]) -> Cursor:
    """Where each system resumes after the item with ``key``: where its last read started while it still holds
    records not served (re-reading drops the served ones by key), else where its next read would start."""
    positions: dict[SourceSystem, str] = {}
    for system, stream in streams.items():
        resume = stream.read_from if stream.kept else stream.position  # a failed read moved nothing
        if resume is not None:
            positions[system] = resume
    return Cursor(key, positions)
