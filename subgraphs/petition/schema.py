"""The petition subgraph's schema: ``Petition`` and ``Citizen`` entities, and the root queries.

Root fields: ``petitions(first, after, status)`` (newest registration first), ``petition(id)`` (null when the system
does not know it), ``searchPetitions(text, phone, idNumber, first, after)``, and the shared ``citizen(phone,
idNumber)``. Pages are at most 100; ``after`` is the opaque cursor of the previous page. A legacy failure nulls only
the field that needed it, with ``extensions.code`` (``LEGACY_UNAVAILABLE`` …) and ``extensions.service = "petition"``.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.access import AppealFacts
from resolvers.adapters.petition import PetitionCriteria, PetitionPage
from resolvers.domain import normalize_id_number, normalize_phone
from resolvers.petition_status import source_statuses
from subgraphs.common.citizen import citizen_lookup
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.ids import local_id
from subgraphs.common.paging import check_page_size, decode_cursor, encode_cursor
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION, UnifiedStatus
from subgraphs.common.visibility import Contact, ContactReveal, reveal_contact
from subgraphs.petition.citizen import Citizen
from subgraphs.petition.types import (
    SYSTEM,
    Petition,
    PetitionConnection,
    contact_of,
    facts_of,
    petition_client,
    petition_of,
    petitions_by_number,
)

__all__ = ["Mutation", "Query", "schema"]


def _offset(after: str | None) -> int:
    raw = decode_cursor(after)
    if raw is None:
        return 0
    if not raw.isdigit():
        raise SubgraphInputError(f"malformed cursor {after!r}")
    return int(raw)


async def _page(info: Info, criteria: PetitionCriteria, first: int | None, after: str | None) -> PetitionConnection:
    limit = check_page_size(first)
    offset = _offset(after)
    page: PetitionPage = await petition_client(info).search(criteria, offset=offset, limit=limit)
    end = offset + len(page.records)
    return PetitionConnection(
        items=[p for r in page.records if (p := petition_of(info, r)) is not None],
        next_cursor=encode_cursor(str(end)) if page.records and end < page.total else None,
    )


async def petitions(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: UnifiedStatus | None = None,  # type: ignore[valid-type]
) -> PetitionConnection | None:
    check_page_size(first)
    statuses: tuple[str, ...] = ()
    if status is not None:
        statuses = source_statuses(status)
        if not statuses:
            return PetitionConnection(items=[], next_cursor=None)
    return await _page(info, PetitionCriteria(statuses=statuses), first, after)


async def petition(info: Info, id: strawberry.ID) -> Petition | None:
    number = local_id(SYSTEM, id)
    record = await petition_client(info).get(number)
    return None if record is None else petition_of(info, record)


async def search_petitions(
    info: Info,
    text: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> PetitionConnection | None:
    check_page_size(first)
    criteria = PetitionCriteria(
        text=(text or "").strip(),
        phone=normalize_phone(phone or ""),
        id_number=normalize_id_number(id_number or ""),
    )
    if not (criteria.text or criteria.phone or criteria.id_number):
        raise SubgraphInputError("searchPetitions needs text, phone or idNumber")
    return await _page(info, criteria, first, after)


def citizen(info: Info, phone: str | None = None, id_number: str | None = None) -> Citizen | None:
    key, _ = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key)


@strawberry.type
class Query:
    petitions: PetitionConnection | None = strawberry.field(
        resolver=petitions,
        description="信访件, newest registration first; `status` filters on the unified status.",
    )
    petition: Petition | None = strawberry.field(
        resolver=petition,
        description='One 信访件 by id ("petition:<信访件编号>"); null when the system has no such number.',
    )
    search_petitions: PetitionConnection | None = strawberry.field(
        resolver=search_petitions,
        description="信访件 matching every criterion given (at least one): text in title or content, the "
        "petitioner's phone, their ID number.",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )


async def _load_contact(info: Info, appeal: str) -> tuple[AppealFacts, Contact] | None:
    record = await petitions_by_number(info).load(local_id(SYSTEM, appeal))
    return None if record is None else (facts_of(info, record), contact_of(record))


async def reveal_petition_contact(info: Info, appeal_id: strawberry.ID, reason: str) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type
class Mutation:
    reveal_petition_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        resolver=reveal_petition_contact,
        description="查看联系方式: the petitioner's full name, phone and ID number for roles DOMAIN.md §8 lets "
        "reveal; every attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[Petition, Citizen])
