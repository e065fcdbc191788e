"""Reading appeals by id across systems: ids split by system, one DataLoader per system and request."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from resolvers.appeals.record import AppealRecord, system_prefix
from resolvers.appeals.sources import AppealSource
from resolvers.domain import SourceSystem

__all__ = ["UnknownSystem", "record_loader", "split_id"]

_BY_PREFIX = {
    system_prefix(s): s
    for s in SourceSystem
    if s
    in (SourceSystem.HOTLINE, SourceSystem.PETITION, SourceSystem.MSGBOARD, SourceSystem.GRID, SourceSystem.SUGGESTION)
}


class UnknownSystem(ValueError):
    """An id whose prefix names no system."""


def split_id(appeal_id: str) -> tuple[SourceSystem, str]:
    """``"petition:XF2026…"`` → (PETITION, ``"XF2026…"``)."""
    prefix, sep, local = appeal_id.partition(":")
    system = _BY_PREFIX.get(prefix)
    if not sep or system is None or not local:
        known = ", ".join(sorted(_BY_PREFIX))
        raise UnknownSystem(
            f'malformed appeal id {appeal_id!r}: expected "<system>:<local id>" with a system of {known}'
        )
    return system, local


def record_loader(source: AppealSource) -> DataLoader[str, AppealRecord | None]:
    """Local ids of one system → records; one batch read per request tick."""

    async def load(local_ids: Sequence[str]) -> list[AppealRecord | None]:
        found = await source.get_many(list(dict.fromkeys(local_ids)))
        return [found.get(i) for i in local_ids]

    return DataLoader(load_fn=load)
