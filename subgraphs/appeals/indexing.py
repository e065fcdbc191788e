"""Keeping the duplicate-detection index up to date from the graph's own traffic.

After each request of the appeals subgraph, :class:`IndexAppeals` indexes the appeals the request read and the
ones it wrote (read back from their systems first): their keys, fingerprints and times only. It runs beside the
answer, not before it; an index that cannot be written costs a log line, never the answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any, cast

from strawberry.extensions import SchemaExtension

from resolvers.adapters.errors import LegacyError
from resolvers.appeals.reads import UnknownSystem, split_id
from resolvers.appeals.record import AppealRecord
from resolvers.dedupe.index import IndexUnavailable, entry_of
from resolvers.dedupe.item import item_of

__all__ = ["IndexAppeals", "settle_index_updates"]

log = logging.getLogger("minyi.subgraph")


async def _read_back(context: Any) -> list[AppealRecord]:
    wanted: dict[Any, list[str]] = {}
    for appeal_id in context.touched_appeals:
        try:
            system, local = split_id(appeal_id)
        except UnknownSystem:
            continue
        wanted.setdefault(system, []).append(local)
    found: list[AppealRecord] = []
    for system, locals_ in wanted.items():
        source = context.client.get(system)
        if source is None:
            continue
        try:
            found.extend((await source.get_many(locals_)).values())
        except LegacyError as exc:
            log.warning("written appeals not indexed: %s", exc)
    return found


_PENDING: set[asyncio.Task[None]] = set()  # running index updates (a task must be referenced until it ends)


async def _index(context: Any, records: list[AppealRecord]) -> None:
    try:
        records = [*records, *await _read_back(context)]
        if records:
            await context.index.add([entry_of(item_of(r)) for r in records])
    except IndexUnavailable as exc:
        log.warning("%s", exc)


async def settle_index_updates() -> None:
    """Wait for the index updates still running (at shutdown, and in tests that read the index)."""
    while _PENDING:
        await asyncio.gather(*list(_PENDING))


class IndexAppeals(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if getattr(context, "index", None) is None:
            return
        records = list(cast(dict[str, AppealRecord], context.seen_appeals).values())
        if not records and not context.touched_appeals:
            return
        task = asyncio.get_running_loop().create_task(_index(context, records))
        _PENDING.add(task)
        task.add_done_callback(_PENDING.discard)
