"""One person's appeals over every system: read in parallel, merged newest first, paged by a stable key, counted.

:func:`read_person` asks each system for the person's records at once (by phone and by ID number, as each system
files them); a system that fails is left out and named in ``failed``. The merged list is small (a person's
filings), so it is paged in memory: the cursor is the sort key of the last item served, (received time, id), and
the next page is everything below it — an appeal filed between two pages lands on top and moves nothing.
:func:`summarize` counts the records by system and by unified status.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from resolvers.adapters.errors import LegacyError
from resolvers.appeals.record import AppealRecord, SortKey
from resolvers.appeals.sources import AppealSource
from resolvers.domain import SourceSystem, UnifiedStatus
from resolvers.persons import Identifiers

__all__ = ["PersonAppeals", "PersonPage", "PersonSummary", "page_of_person", "read_person", "summarize"]


@dataclass(frozen=True, slots=True)
class PersonAppeals:
    records: tuple[AppealRecord, ...]  # newest first, every system that answered
    failed: Mapping[SourceSystem, LegacyError] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PersonPage:
    records: tuple[AppealRecord, ...]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class PersonSummary:
    total: int
    by_system: tuple[tuple[SourceSystem, int], ...]  # systems with at least one appeal, in SourceSystem order
    by_status: tuple[tuple[UnifiedStatus, int], ...]  # statuses with at least one appeal, in UnifiedStatus order
    open_count: int


async def read_person(sources: Mapping[SourceSystem, AppealSource], who: Identifiers) -> PersonAppeals:
    """The person's records in every system, newest first; systems that fail are named in ``failed``."""
    if not who.phone and not who.id_number:
        return PersonAppeals(())
    failed: dict[SourceSystem, LegacyError] = {}

    async def read(system: SourceSystem, source: AppealSource) -> list[AppealRecord]:
        try:
            return await source.of_person(who)
        except LegacyError as exc:
            failed[system] = exc
            return []

    found = await asyncio.gather(*(read(system, source) for system, source in sources.items()))
    merged = {r.id: r for records in found for r in records}
    ordered = sorted(merged.values(), key=lambda r: r.sort_key, reverse=True)
    return PersonAppeals(tuple(ordered), failed)


def page_of_person(
    records: Sequence[AppealRecord], keep: Callable[[AppealRecord], bool], *, first: int, after: SortKey | None
) -> PersonPage:
    """Up to ``first`` records ``keep`` accepts, below ``after`` (newest first)."""
    page: list[AppealRecord] = []
    for record in records:
        if after is not None and record.sort_key >= after:
            continue
        if not keep(record):
            continue
        if len(page) == first:
            return PersonPage(tuple(page), True)
        page.append(record)
    return PersonPage(tuple(page), False)


def summarize(records: Sequence[AppealRecord]) -> PersonSummary:
    systems = Counter(r.system for r in records)
    statuses = Counter(r.status for r in records)
    return PersonSummary(
        total=len(records),
        by_system=tuple((s, systems[s]) for s in SourceSystem if systems[s]),
        by_status=tuple((s, statuses[s]) for s in UnifiedStatus if statuses[s]),
        open_count=sum(1 for r in records if r.is_open),
    )
