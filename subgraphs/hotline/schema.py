"""The hotline subgraph schema: root fields ``hotlineTickets``, ``hotlineTicket``, ``searchHotlineTickets``, the
shared ``citizen``, and the entities ``HotlineTicket @key(id)`` and ``Citizen @key(personKey)``.

List fields return ``HotlineTicketConnection`` (nullable, so a legacy failure nulls only that field) with an
opaque cursor (the offset into the hotline's own paged list). ``Citizen.hotlineTickets`` finds the person's work
orders by the phone / ID number the person directory holds for the key; an unknown key has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers import domain
from resolvers.access import AppealFacts, on_call_caller
from resolvers.adapters.hotline import HotlineTicketRecord
from resolvers.hotline_reads import person_window, tickets_of_person
from resolvers.hotline_status import StatusFilter, filter_for
from resolvers.persons import Identifiers, PersonDirectory
from subgraphs.common.citizen import ID_NUMBER_ARG, PHONE_ARG, citizen_lookup
from subgraphs.common.connection import AFTER, FIRST, connection_of, empty_connection
from subgraphs.common.context import SubgraphContext
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.filter import FILTER_DESCRIPTION, AppealFilter, refuse_unsupported, wanted_statuses
from subgraphs.common.keyset import Fetch, Window, merged_fetch, read_page
from subgraphs.common.node import Node, citizen_id_field
from subgraphs.common.node_fields import node_fields
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.roots import MUTATION_DESCRIPTION, QUERY_DESCRIPTION
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_DESCRIPTION, CITIZEN_LOOKUP_DESCRIPTION, PERSON_KEY_DESCRIPTION
from subgraphs.common.visibility import APPEAL_ID_ARG, REASON_ARG, Contact, ContactReveal, reveal_contact
from subgraphs.hotline.types import (
    SYSTEM,
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


async def _lookup(directory: PersonDirectory, keys: list[str]) -> list[Identifiers | None]:
    found = await directory.lookup(keys)
    return [found.get(k) for k in keys]


async def _tickets(
    info: Ctx,
    first: int | None,
    after: str | None,
    *,
    statuses: Sequence[StatusFilter | None] = (None,),
    phone: str = "",
    id_number: str = "",
    text: str = "",
) -> HotlineTicketConnection:
    """One page of the hotline's list, keyset-stable over its offset paging; several status selectors are read as
    one list merged by call time."""
    client = client_of(info)

    def reader(status: StatusFilter | None) -> Fetch[HotlineTicketRecord]:
        async def fetch(offset: int, limit: int) -> Window[HotlineTicketRecord]:
            page = await client.list_tickets(
                offset=offset, limit=limit, status=status, phone=phone, id_number=id_number, text=text
            )
            return Window(page.records, page.total)

        return fetch

    fetch = merged_fetch([reader(s) for s in statuses], lambda r: (r.call_time, r.order_no))
    page = await read_page(fetch, lambda r: r.order_no, info.context.person_secret, check_page_size(first), after)
    return connection_of(page, lambda r: ticket_of(info, r))


async def _citizen_hotline_tickets(root: Citizen, info: Ctx) -> list[HotlineTicket] | None:
    if root.identifiers is None:
        return []
    records = await tickets_of_person(client_of(info), root.identifiers)
    # an operator on a call with this person (a work order of theirs still being registered) sees the history
    caller = on_call_caller(info.context.principal, [facts_of(info, r) for r in records])
    return [t for r in records if (t := ticket_of(info, r, on_call_with=caller)) is not None]


async def _citizen_ticket_connection(
    root: Citizen, info: Ctx, first: FIRST = 20, after: AFTER = None
) -> HotlineTicketConnection | None:
    who = root.identifiers
    if who is None:
        return empty_connection()

    async def fetch(offset: int, limit: int) -> Window[HotlineTicketRecord]:
        records, total = await person_window(client_of(info), who, offset, limit)
        return Window(records, total)

    page = await read_page(fetch, lambda r: r.order_no, info.context.person_secret, check_page_size(first), after)
    # an operator on a call with this person (a work order of theirs still being registered) sees the history
    caller = on_call_caller(info.context.principal, [facts_of(info, e.record) for e in page.entries])
    return connection_of(page, lambda r: ticket_of(info, r, on_call_with=caller))


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen(Node):
    person_key: str = strawberry.field(description=PERSON_KEY_DESCRIPTION)
    identifiers: strawberry.Private[Identifiers | None] = None
    id: strawberry.ID = citizen_id_field()
    hotline_tickets: list[HotlineTicket] | None = strawberry.federation.field(
        authenticated=True,
        resolver=_citizen_hotline_tickets,
        description="The person's 12345 work orders, newest first (at most 100).",
        deprecation_reason="Use hotlineTicketsConnection, which pages through all of them.",
    )
    hotline_tickets_connection: HotlineTicketConnection | None = strawberry.federation.field(
        directives=[CONNECTION_SIZE],
        authenticated=True,
        resolver=_citizen_ticket_connection,
        description="The person's 12345 work orders, newest first, found by phone and by ID number.",
    )

    @classmethod
    async def resolve_reference(cls, info: Ctx, personKey: str) -> Citizen:  # the representation's key, as is
        directory = info.context.directory

        def make() -> PeopleLoader:
            return DataLoader(load_fn=lambda keys: _lookup(directory, keys))

        loader: PeopleLoader = info.context.loader("hotline.people", make)
        return cls(person_key=personKey, identifiers=await loader.load(personKey))


STATUS_ARG = Annotated[
    domain.UnifiedStatus | None,
    strawberry.argument(description="Only work orders in this unified status.", deprecation_reason="Use filter."),
]


async def _hotline_tickets(
    info: Ctx,
    first: FIRST = 20,
    after: AFTER = None,
    filter: Annotated[AppealFilter | None, strawberry.argument(description=FILTER_DESCRIPTION)] = None,
    status: STATUS_ARG = None,
) -> HotlineTicketConnection | None:
    refuse_unsupported(SYSTEM, filter, "source_status", "grid_code")
    wanted = wanted_statuses(filter, domain.SourceSystem.HOTLINE)
    if status is not None:
        wanted = frozenset({status}) if wanted is None else wanted & {status}
    selectors: list[StatusFilter | None] = [None]
    if wanted is not None:  # a status no hotline order is ever in has no selector
        selectors = [found for s in sorted(wanted, key=lambda s: s.value) if (found := filter_for(s)) is not None]
    if not selectors:
        check_page_size(first)
        return empty_connection()
    return await _tickets(
        info,
        first,
        after,
        statuses=selectors,
        phone=domain.normalize_phone(filter.phone or "") if filter is not None else "",
        id_number=domain.normalize_id_number(filter.id_number or "") if filter is not None else "",
        text=(filter.text or "").strip() if filter is not None else "",
    )


async def _hotline_ticket(
    info: Ctx, id: Annotated[strawberry.ID, strawberry.argument(description='"hotline:<工单编号>".')]
) -> HotlineTicket | None:
    record = await load_ticket(info, order_no_of(id))
    return None if record is None else ticket_of(info, record)


async def _search_hotline_tickets(
    info: Ctx,
    text: Annotated[str | None, strawberry.argument(description="Text in title, content or address.")] = None,
    phone: Annotated[str | None, strawberry.argument(description="The contact or caller number.")] = None,
    first: FIRST = 20,
    after: AFTER = None,
) -> HotlineTicketConnection | None:
    words = (text or "").strip()
    digits = domain.normalize_phone(phone or "")
    if not words and not digits:
        raise SubgraphInputError("searchHotlineTickets needs text or phone")
    return await _tickets(info, first, after, text=words, phone=digits)


def _citizen(info: Ctx, phone: PHONE_ARG = None, id_number: ID_NUMBER_ARG = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, identifiers=who)


async def _node(info: Ctx, node_id: str) -> HotlineTicket | None:
    return await _hotline_ticket(info, strawberry.ID(node_id))


async def _node_citizen(info: Ctx, person_key: str) -> Citizen:
    return await Citizen.resolve_reference(info, personKey=person_key)


NODES = node_fields(SYSTEM, _node, _node_citizen)


@strawberry.type(description=QUERY_DESCRIPTION)
class Query:
    hotline_tickets: HotlineTicketConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=_hotline_tickets,
        description="12345 work orders, newest call first.",
    )
    hotline_ticket: HotlineTicket | None = strawberry.field(
        resolver=_hotline_ticket,
        description='One work order by id ("hotline:<工单编号>"); null when it does not exist.',
    )
    search_hotline_tickets: HotlineTicketConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=_search_hotline_tickets,
        description="Work orders whose title, content or address contains `text` and/or whose contact or caller "
        "number is `phone`; at least one of the two.",
        deprecation_reason="Use hotlineTickets(filter: {text, phone}).",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=_citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )
    node = NODES.node
    nodes = NODES.nodes


async def _load_contact(info: Ctx, appeal: str) -> tuple[AppealFacts, Contact] | None:
    record = await load_ticket(info, order_no_of(appeal))
    return None if record is None else (facts_of(info, record), contact_of(record))


async def _reveal_hotline_contact(info: Ctx, appeal_id: APPEAL_ID_ARG, reason: REASON_ARG) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type(description=MUTATION_DESCRIPTION)
class Mutation:
    reveal_hotline_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        deprecation_reason="Use revealAppealContact(input: {appealId, reason}).",
        resolver=_reveal_hotline_contact,
        description="查看联系方式: the caller's full name, phone and ID number for the roles that may reveal it; "
        "every attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )


schema = SubgraphSchema(
    query=Query, mutation=Mutation, types=[HotlineTicket, Citizen, *NODES.types], system=domain.SourceSystem.HOTLINE
)
