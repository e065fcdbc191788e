"""``Citizen`` in the petition subgraph: a person known by the person key, with their 信访件.

The key is an HMAC (DOMAIN.md §8), so listing a citizen's petitions needs the identifiers behind it: those given to
``citizen(phone:, idNumber:)`` in the same request, else the person directory (batched through a DataLoader). The
petition system is searched by ID number when one is known, else by phone; an unknown key lists nothing.
"""

from __future__ import annotations

from typing import Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers.adapters.petition import PetitionCriteria, PetitionRecord
from resolvers.persons import Identifiers
from resolvers.petitions import CITIZEN_LIMIT, identifiers_loader, petitions_of
from subgraphs.common.connection import AFTER, FIRST, connection_of, empty_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.keyset import Window, read_page
from subgraphs.common.node import Node, citizen_id_field
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.types import CITIZEN_DESCRIPTION, PERSON_KEY_DESCRIPTION
from subgraphs.petition.types import Petition, PetitionConnection, petition_client, petition_of

__all__ = ["Citizen"]


def _identifiers(info: Info) -> DataLoader[str, Identifiers | None]:
    loader = info.context.loader("petition.identifiers", lambda: identifiers_loader(info.context.directory))
    return cast(DataLoader[str, Identifiers | None], loader)


async def _identifiers_of(root: Citizen, info: Info) -> Identifiers | None:
    identifiers: Identifiers | None = info.context.seen_people.get(root.person_key)
    if identifiers is None or not identifiers.id_number:
        stored = await _identifiers(info).load(root.person_key)
        if stored is not None:
            given = identifiers or Identifiers()
            identifiers = Identifiers(given.phone or stored.phone, given.id_number or stored.id_number)
    return identifiers


async def _citizen_petitions(root: Citizen, info: Info) -> list[Petition] | None:
    records = await petitions_of(petition_client(info), await _identifiers_of(root, info))
    return [p for record in records if (p := petition_of(info, record)) is not None]


async def _citizen_petition_connection(
    root: Citizen, info: Info, first: FIRST = 20, after: AFTER = None
) -> PetitionConnection | None:
    size = check_page_size(first)
    who = await _identifiers_of(root, info)
    if who is None or not (who.id_number or who.phone):
        return empty_connection()
    # petitions are filed under the ID number; by phone only when none is known
    criteria = PetitionCriteria(id_number=who.id_number) if who.id_number else PetitionCriteria(phone=who.phone)
    client = petition_client(info)

    async def fetch(offset: int, limit: int) -> Window[PetitionRecord]:
        page = await client.search(criteria, offset=offset, limit=limit)
        return Window(page.records, page.total)

    page = await read_page(fetch, lambda r: r.petition_no, info.context.person_secret, size, after)
    return connection_of(page, lambda r: petition_of(info, r))


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen(Node):
    person_key: str = strawberry.field(description=PERSON_KEY_DESCRIPTION)
    id: strawberry.ID = citizen_id_field()

    petitions: list[Petition] | None = strawberry.federation.field(
        authenticated=True,
        resolver=_citizen_petitions,
        description=f"The citizen's 信访件, newest first (at most {CITIZEN_LIMIT}); searched by ID number when "
        "known, else by phone.",
        deprecation_reason="Use petitionsConnection, which pages through all of them.",
    )
    petitions_connection: PetitionConnection | None = strawberry.federation.field(
        directives=[CONNECTION_SIZE],
        authenticated=True,
        resolver=_citizen_petition_connection,
        description="The citizen's 信访件, newest first; searched by ID number when known, else by phone.",
    )

    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Citizen:
        key = representation.get("personKey")
        if not isinstance(key, str) or not key:
            raise SubgraphInputError("a Citizen representation needs its personKey")
        return cls(person_key=key)
