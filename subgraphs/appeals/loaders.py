"""The appeals subgraph's per-request reads, shared by its fields: one system's appeals by local id (batched) and
one person's appeals over every system (once per person and request)."""

from __future__ import annotations

import asyncio
from typing import cast

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers.appeals.person import PersonAppeals, read_person
from resolvers.appeals.reads import record_loader
from resolvers.appeals.record import AppealRecord
from resolvers.appeals.sources import Sources
from resolvers.domain import SourceSystem
from resolvers.persons import Identifiers

__all__ = ["person_reads", "records_of"]


def person_reads(info: Info) -> DataLoader[Identifiers, PersonAppeals]:
    sources = cast(Sources, info.context.client)

    async def load(people: list[Identifiers]) -> list[PersonAppeals]:
        return list(await asyncio.gather(*(read_person(sources, who) for who in people)))

    def make() -> DataLoader[Identifiers, PersonAppeals]:
        return DataLoader(load_fn=load)

    return cast(DataLoader[Identifiers, PersonAppeals], info.context.loader("appeals.people", make))


def records_of(info: Info, system: SourceSystem) -> DataLoader[str, AppealRecord | None] | None:
    """The loader of one system's appeals by local id; None when this subgraph does not read that system."""
    source = cast(Sources, info.context.client).get(system)
    if source is None:
        return None
    return cast(
        DataLoader[str, AppealRecord | None],
        info.context.loader(f"appeals.{system.value}", lambda: record_loader(source)),
    )
