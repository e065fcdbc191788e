"""Data access for the petition subgraph: per-request DataLoaders, citizen lookups, and the value mappings from the
petition system's vocabulary onto the unified one (DOMAIN.md §5).

Batching: ``_entities`` calls ``resolve_reference`` once per representation; every call awaits the same
request-scoped :func:`petition_loader`, so one ``_entities`` request costs one ``GetXfjBatch`` per
``batch_size`` distinct numbers (the DataLoader dedupes repeated ids).
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from resolvers.adapters.petition import PetitionClient, PetitionCriteria, PetitionRecord
from resolvers.domain import AppealType, Confidentiality
from resolvers.persons import Identifiers, PersonDirectory

__all__ = [
    "CITIZEN_LIMIT",
    "appeal_type",
    "channel",
    "confidentiality",
    "identifiers_loader",
    "petition_loader",
    "petitions_of",
]

CITIZEN_LIMIT = 100  # the most petitions listed for one citizen (one QueryXfjList page)

_CHANNELS = {"来信": "letter", "来访": "visit", "网上": "web", "来电": "phone", "传真": "fax"}
_PURPOSES = {
    "建议意见类": AppealType.PETITION_SUGGEST,
    "检举控告类": AppealType.PETITION_ACCUSE,
    "申诉求决类": AppealType.PETITION_CLAIM,
}


def channel(record: PetitionRecord) -> str:
    """信访形式 as the cross-system channel name (letter, visit, web, phone, fax); unknown forms pass through."""
    return _CHANNELS.get(record.form, record.form or "unknown")


def appeal_type(record: PetitionRecord) -> AppealType:
    """The 三类 (Art 29): 建议意见类 / 检举控告类 / 申诉求决类; a flagged accusation is always PETITION_ACCUSE."""
    if record.is_accusation:
        return AppealType.PETITION_ACCUSE
    return _PURPOSES.get(record.purpose, AppealType.PETITION_CLAIM)


def confidentiality(record: PetitionRecord) -> Confidentiality:
    """检举控告 items are ACCUSATION: their materials never reach the accused (Art 30 ¶3)."""
    return Confidentiality.ACCUSATION if record.is_accusation else Confidentiality.NORMAL


def petition_loader(client: PetitionClient) -> DataLoader[str, PetitionRecord | None]:
    """Petitions by 信访件编号, batched into GetXfjBatch; unknown numbers load as ``None``."""

    async def load(numbers: list[str]) -> Sequence[PetitionRecord | None]:
        found = await client.get_many(numbers)
        return [found.get(n) for n in numbers]

    return DataLoader(load_fn=load)


def identifiers_loader(directory: PersonDirectory) -> DataLoader[str, Identifiers | None]:
    """Person keys to the identifiers the directory holds, one directory lookup per batch."""

    async def load(keys: list[str]) -> Sequence[Identifiers | None]:
        found = await directory.lookup(keys)
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


async def petitions_of(client: PetitionClient, identifiers: Identifiers | None) -> list[PetitionRecord]:
    """A citizen's petitions: by ID number when known (petitions are filed under it), else by phone."""
    if identifiers is None:
        return []
    if identifiers.id_number:
        criteria = PetitionCriteria(id_number=identifiers.id_number)
    elif identifiers.phone:
        criteria = PetitionCriteria(phone=identifiers.phone)
    else:
        return []
    page = await client.search(criteria, offset=0, limit=CITIZEN_LIMIT)
    return list(page.records)
