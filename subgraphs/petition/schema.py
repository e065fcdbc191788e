"""The petition subgraph's schema: ``Petition`` and ``Citizen`` entities, and the root queries.

Root fields: ``petitions(first, after, status)`` (newest registration first), ``petition(id)`` (null when the system
does not know it), ``searchPetitions(text, phone, idNumber, first, after)``, and the shared ``citizen(phone,
idNumber)``. Pages are at most 100; ``after`` is the opaque cursor of the previous page. A legacy failure nulls only
the field that needed it, with ``extensions.code`` (``LEGACY_UNAVAILABLE`` …) and ``extensions.service = "petition"``.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.access import AppealFacts
from resolvers.adapters.petition import PetitionCriteria, PetitionRecord
from resolvers.domain import SourceSystem, normalize_id_number, normalize_phone
from resolvers.petition_status import source_statuses
from subgraphs.common.citizen import ID_NUMBER_ARG, PHONE_ARG, citizen_lookup
from subgraphs.common.connection import AFTER, FIRST, connection_of, empty_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.filter import FILTER_DESCRIPTION, AppealFilter, refuse_unsupported, wanted_statuses
from subgraphs.common.ids import local_id
from subgraphs.common.keyset import Window, read_page
from subgraphs.common.node_fields import node_fields
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.roots import MUTATION_DESCRIPTION, QUERY_DESCRIPTION
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION, UnifiedStatus
from subgraphs.common.visibility import APPEAL_ID_ARG, REASON_ARG, Contact, ContactReveal, reveal_contact
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


def _criteria_of(given: AppealFilter | None, status: UnifiedStatus | None) -> PetitionCriteria | None:  # type: ignore[valid-type]
    """The QueryXfjList criteria for ``given`` (and the deprecated ``status``); ``None`` when no petition can
    match."""
    refuse_unsupported(SYSTEM, given, "grid_code")
    wanted = wanted_statuses(given, SourceSystem.PETITION)
    if status is not None:
        wanted = frozenset({status}) if wanted is None else wanted & {status}
    if given is None:
        given = AppealFilter()
    statuses: tuple[str, ...] = ()
    if wanted is not None:
        statuses = tuple(raw for s in sorted(wanted, key=lambda s: s.value) for raw in source_statuses(s))
        if not statuses:
            return None
    if given.source_status is not None:
        raw = given.source_status.strip()
        if statuses and raw not in statuses:
            return None
        statuses = (raw,)
    return PetitionCriteria(
        statuses=statuses,
        text=(given.text or "").strip(),
        phone=normalize_phone(given.phone or ""),
        id_number=normalize_id_number(given.id_number or ""),
    )


async def page_of(info: Info, criteria: PetitionCriteria, first: int | None, after: str | None) -> PetitionConnection:
    """One page of QueryXfjList, keyset-stable over its page numbers."""
    client = petition_client(info)

    async def fetch(offset: int, limit: int) -> Window[PetitionRecord]:
        page = await client.search(criteria, offset=offset, limit=limit)
        return Window(page.records, page.total)

    page = await read_page(fetch, lambda r: r.petition_no, info.context.person_secret, check_page_size(first), after)
    return connection_of(page, lambda r: petition_of(info, r))


STATUS_ARG = Annotated[
    UnifiedStatus | None,  # type: ignore[valid-type]
    strawberry.argument(description="Only 信访件 in this unified status.", deprecation_reason="Use filter."),
]


async def petitions(
    info: Info,
    first: FIRST = 20,
    after: AFTER = None,
    status: STATUS_ARG = None,
    filter: Annotated[AppealFilter | None, strawberry.argument(description=FILTER_DESCRIPTION)] = None,
) -> PetitionConnection | None:
    check_page_size(first)
    criteria = _criteria_of(filter, status)
    if criteria is None:
        return empty_connection()
    return await page_of(info, criteria, first, after)


async def petition(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description='"petition:<信访件编号>".')]
) -> Petition | None:
    number = local_id(SYSTEM, id)
    record = await petition_client(info).get(number)
    return None if record is None else petition_of(info, record)


async def search_petitions(
    info: Info,
    text: Annotated[str | None, strawberry.argument(description="Text in title or content.")] = None,
    phone: Annotated[str | None, strawberry.argument(description="The petitioner's phone.")] = None,
    id_number: Annotated[str | None, strawberry.argument(description="The petitioner's ID number.")] = None,
    first: FIRST = 20,
    after: AFTER = None,
) -> PetitionConnection | None:
    check_page_size(first)
    criteria = PetitionCriteria(
        text=(text or "").strip(),
        phone=normalize_phone(phone or ""),
        id_number=normalize_id_number(id_number or ""),
    )
    if not (criteria.text or criteria.phone or criteria.id_number):
        raise SubgraphInputError("searchPetitions needs text, phone or idNumber")
    return await page_of(info, criteria, first, after)


def citizen(info: Info, phone: PHONE_ARG = None, id_number: ID_NUMBER_ARG = None) -> Citizen | None:
    key, _ = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key)


async def _node(info: Info, node_id: str) -> Petition | None:
    record = await petitions_by_number(info).load(local_id(SYSTEM, node_id))
    return None if record is None else petition_of(info, record)


async def _node_citizen(info: Info, person_key: str) -> Citizen:
    return Citizen.resolve_reference(info, personKey=person_key)


NODES = node_fields(SYSTEM, _node, _node_citizen)


@strawberry.type(description=QUERY_DESCRIPTION)
class Query:
    petitions: PetitionConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=petitions,
        description="信访件, newest registration first.",
    )
    petition: Petition | None = strawberry.field(
        resolver=petition,
        description='One 信访件 by id ("petition:<信访件编号>"); null when the system has no such number.',
    )
    search_petitions: PetitionConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=search_petitions,
        description="信访件 matching every criterion given (at least one): text in title or content, the "
        "petitioner's phone, their ID number.",
        deprecation_reason="Use petitions(filter: {text, phone, idNumber}).",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )
    node = NODES.node
    nodes = NODES.nodes


async def _load_contact(info: Info, appeal: str) -> tuple[AppealFacts, Contact] | None:
    record = await petitions_by_number(info).load(local_id(SYSTEM, appeal))
    return None if record is None else (facts_of(info, record), contact_of(record))


async def reveal_petition_contact(info: Info, appeal_id: APPEAL_ID_ARG, reason: REASON_ARG) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type(description=MUTATION_DESCRIPTION)
class Mutation:
    reveal_petition_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        deprecation_reason="Use revealAppealContact(input: {appealId, reason}).",
        resolver=reveal_petition_contact,
        description="查看联系方式: the petitioner's full name, phone and ID number for the roles that may "
        "reveal it; every attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )


schema = SubgraphSchema(
    query=Query, mutation=Mutation, types=[Petition, Citizen, *NODES.types], system=SourceSystem.PETITION
)
