"""Rebuilding the duplicate-detection index from the legacy systems (``minyi index rebuild``).

Every system's newest-first list is read to its end, one page at a time, and each page's appeals are indexed (keys,
fingerprints, times: :mod:`resolvers.dedupe.index`). ``progress(system, count)`` is told after each page; a system
that fails stops its own reading and is reported, the others go on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from resolvers.adapters.errors import LegacyError
from resolvers.appeals.sources import AppealSource, SourceSearch
from resolvers.dedupe.index import DedupeIndex, entry_of
from resolvers.dedupe.item import item_of
from resolvers.domain import SourceSystem

__all__ = ["Rebuilt", "rebuild_index"]

PAGE = 100


@dataclass(frozen=True, slots=True)
class Rebuilt:
    indexed: Mapping[SourceSystem, int]
    failed: Mapping[SourceSystem, LegacyError] = field(default_factory=dict)


async def rebuild_index(
    sources: Mapping[SourceSystem, AppealSource],
    index: DedupeIndex,
    progress: Callable[[SourceSystem, int], None] = lambda system, count: None,
) -> Rebuilt:
    indexed: dict[SourceSystem, int] = {}
    failed: dict[SourceSystem, LegacyError] = {}

    async def read(system: SourceSystem, source: AppealSource) -> None:
        position: str | None = None
        indexed[system] = 0
        while True:
            try:
                page = await source.page(SourceSearch(), position, PAGE)
            except LegacyError as exc:
                failed[system] = exc
                return
            await index.add([entry_of(item_of(r)) for r in page.records])
            indexed[system] += len(page.records)
            progress(system, len(page.records))
            if page.next_position is None or not page.records:
                return
            position = page.next_position

    await asyncio.gather(*(read(system, source) for system, source in sources.items()))
    return Rebuilt(indexed, failed)
