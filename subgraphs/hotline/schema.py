"""The hotline subgraph schema: root fields ``hotlineTickets``, ``hotlineTicket``, ``searchHotlineTickets``, the
shared ``citizen``, and the entities ``HotlineTicket @key(id)`` and ``Citizen @key(personKey)``.

List fields return ``HotlineTicketConnection`` (nullable, so a legacy failure nulls only that field) with an
opaque cursor (the offset into the hotline's own paged list). ``Citizen.hotlineTickets`` finds the person's work
orders by the phone / ID number the person directory holds for the key; an unknown key has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers import domain
from resolvers.access import AppealFacts, on_call_caller
from resolvers.adapters.hotline import HotlinePage
from resolvers.hotline_reads import tickets_of_person
from resolvers.hotline_status import filter_for
from resolvers.persons import Identifiers, PersonDirectory
from subgraphs.common.citizen import citizen_lookup
from subgraphs.common.context import SubgraphContext
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.paging import check_page_size, decode_cursor, encode_cursor
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_DESCRIPTION, CITIZEN_LOOKUP_DESCRIPTION
from subgraphs.common.visibility import Contact, ContactReveal, reveal_contact
from subgraphs.hotline.types import (
    HotlineTicket,
    HotlineTicketConnection,
    client_of,
    contact_of,
    facts_of,
    load_ticket,
    order_no_of,
    ticket_of,
)

if TYPE_CHECKING:
    PeopleLoader = DataLoader[str, Identifiers | None]

__all__ = ["Citizen", "Mutation", "Query", "schema"]

Ctx = Info[SubgraphContext, None]


def _offset(after: str | None) -> int:
    raw = decode_cursor(after)
    if raw is None:
        return 0
    if not raw.startswith("o:") or not raw[2:].isdigit():
        raise SubgraphInputError(f"malformed cursor {after!r}")
    return int(raw[2:])


def _connection(info: Ctx, page: HotlinePage, offset: int) -> HotlineTicketConnection:
    end = offset + len(page.records)
    return HotlineTicketConnection(
        items=[t for r in page.records if (t := ticket_of(info, r)) is not None],
        next_cursor=encode_cursor(f"o:{end}") if page.records and end < page.total else None,
    )


async def _lookup(directory: PersonDirectory, keys: list[str]) -> list[Identifiers | None]:
    found = await directory.lookup(keys)
    return [found.get(k) for k in keys]


async def _citizen_hotline_tickets(root: Citizen, info: Ctx) -> list[HotlineTicket] | None:
    if root.identifiers is None:
        return []
    records = await tickets_of_person(client_of(info), root.identifiers)
    # an operator on a call with this person (a work order of theirs still being registered) sees the history
    caller = on_call_caller(info.context.principal, [facts_of(info, r) for r in records])
    return [t for r in records if (t := ticket_of(info, r, on_call_with=caller)) is not None]


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen:
    person_key: str
    identifiers: strawberry.Private[Identifiers | None] = None
    hotline_tickets: list[HotlineTicket] | None = strawberry.federation.field(
        authenticated=True,
        resolver=_citizen_hotline_tickets,
        description="The person's 12345 work orders, newest first (at most 100).",
    )

    @classmethod
    async def resolve_reference(cls, info: Ctx, personKey: str) -> Citizen:  # the representation's key, as is
        directory = info.context.directory

        def make() -> PeopleLoader:
            return DataLoader(load_fn=lambda keys: _lookup(directory, keys))

        loader: PeopleLoader = info.context.loader("hotline.people", make)
        return cls(person_key=personKey, identifiers=await loader.load(personKey))


async def _hotline_tickets(
    info: Ctx,
    first: int | None = None,
    after: str | None = None,
    status: domain.UnifiedStatus | None = None,
) -> HotlineTicketConnection | None:
    limit = check_page_size(first)
    offset = _offset(after)
    selector = None
    if status is not None:
        selector = filter_for(status)
        if selector is None:  # a status no hotline order is ever in
            return HotlineTicketConnection(items=[], next_cursor=None)
    page = await client_of(info).list_tickets(offset=offset, limit=limit, status=selector)
    return _connection(info, page, offset)


async def _hotline_ticket(info: Ctx, id: strawberry.ID) -> HotlineTicket | None:
    record = await load_ticket(info, order_no_of(id))
    return None if record is None else ticket_of(info, record)


async def _search_hotline_tickets(
    info: Ctx,
    text: str | None = None,
    phone: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> HotlineTicketConnection | None:
    limit = check_page_size(first)
    offset = _offset(after)
    words = (text or "").strip()
    digits = domain.normalize_phone(phone or "")
    if not words and not digits:
        raise SubgraphInputError("searchHotlineTickets needs text or phone")
    page = await client_of(info).list_tickets(offset=offset, limit=limit, text=words, phone=digits)
    return _connection(info, page, offset)


def _citizen(info: Ctx, phone: str | None = None, id_number: str | None = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, identifiers=who)


@strawberry.type
class Query:
    hotline_tickets: HotlineTicketConnection | None = strawberry.field(
        resolver=_hotline_tickets,
        description="12345 work orders, newest call first; optionally only those in one unified status.",
    )
    hotline_ticket: HotlineTicket | None = strawberry.field(
        resolver=_hotline_ticket,
        description='One work order by id ("hotline:<工单编号>"); null when it does not exist.',
    )
    search_hotline_tickets: HotlineTicketConnection | None = strawberry.field(
        resolver=_search_hotline_tickets,
        description="Work orders whose title, content or address contains `text` and/or whose contact or caller "
        "number is `phone`; at least one of the two.",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=_citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )


async def _load_contact(info: Ctx, appeal: str) -> tuple[AppealFacts, Contact] | None:
    record = await load_ticket(info, order_no_of(appeal))
    return None if record is None else (facts_of(info, record), contact_of(record))


async def _reveal_hotline_contact(info: Ctx, appeal_id: strawberry.ID, reason: str) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type
class Mutation:
    reveal_hotline_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        resolver=_reveal_hotline_contact,
        description="查看联系方式: the caller's full name, phone and ID number for roles DOMAIN.md §8 lets reveal; "
        "every attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[HotlineTicket, Citizen])
