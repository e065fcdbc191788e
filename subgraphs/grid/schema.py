"""The grid subgraph's schema: root queries over the grid system, and the federation entities.

Root fields are prefixed ``grid`` so they cannot clash with the other system subgraphs; ``citizen`` is the one
shared root field (``@shareable``). Every list takes ``first`` (1–100, default 20) and an opaque ``after`` cursor
and returns a nullable connection, so a legacy failure costs only that field.
"""

from __future__ import annotations

import re
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.adapters.grid import GRID_STATES
from resolvers.domain import SourceSystem, normalize_phone
from resolvers.grid_events import EventFilters, load_event
from resolvers.grid_mapping import GRID_STATUS
from subgraphs.common.citizen import ID_NUMBER_ARG, PHONE_ARG, citizen_lookup
from subgraphs.common.connection import AFTER, FIRST, empty_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.filter import FILTER_DESCRIPTION, AppealFilter, refuse_unsupported, wanted_statuses
from subgraphs.common.ids import local_id
from subgraphs.common.node_fields import node_fields
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.roots import QUERY_DESCRIPTION
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION
from subgraphs.grid.reveal import Mutation
from subgraphs.grid.types import SYSTEM, Citizen, GridEvent, GridEventConnection, event_connection

__all__ = ["Query", "schema"]

_GRID_CODE = re.compile(r"^\d{6}(\d{3}){0,3}$")


def _filters_of(given: AppealFilter | None, state: str | None, grid_code: str | None) -> list[EventFilters]:
    """One grid search per legacy state the filter allows (empty list: none can match)."""
    refuse_unsupported(SYSTEM, given, "id_number")  # the grid system records reporters by phone only
    raw = given.source_status if given is not None and given.source_status is not None else state
    if raw is not None and raw not in GRID_STATES:
        raise SubgraphInputError(f"unknown grid state {raw!r}; expected one of {', '.join(GRID_STATES)}")
    states: list[str | None] = [raw]
    wanted = wanted_statuses(given, SourceSystem.GRID)
    if wanted is not None:
        of_status = [s for s in GRID_STATES if GRID_STATUS[s] in wanted]
        states = [s for s in of_status if raw is None or s == raw]
    if given is not None and given.grid_code is not None:
        if grid_code is not None and grid_code != given.grid_code:
            raise SubgraphInputError("gridCode is given twice, with two values")
        grid_code = given.grid_code
    keyword = (given.text or "").strip() or None if given is not None else None
    digits = normalize_phone(given.phone) if given is not None and given.phone else None
    if given is not None and given.phone is not None and not digits:
        raise SubgraphInputError(f"phone {given.phone!r} has no digits")
    return [EventFilters(state=s, grid_code=grid_code, phone=digits, keyword=keyword) for s in states]


STATE_ARG = Annotated[
    str | None,
    strawberry.argument(
        description="Only events in this state as the grid system names it.", deprecation_reason="Use filter."
    ),
]
GRID_CODE_ARG = Annotated[
    str | None,
    strawberry.argument(description="Only events within this area: a 6, 9, 12 or 15-digit admin or grid code."),
]


async def grid_events(
    info: Info,
    grid_code: GRID_CODE_ARG = None,
    state: STATE_ARG = None,
    first: FIRST = 20,
    after: AFTER = None,
    filter: Annotated[AppealFilter | None, strawberry.argument(description=FILTER_DESCRIPTION)] = None,
) -> GridEventConnection | None:
    filters = _filters_of(filter, state, grid_code)
    area = filters[0].grid_code if filters else None
    if area is not None and not _GRID_CODE.match(area):
        raise SubgraphInputError(f"gridCode must be 6, 9, 12 or 15 digits, got {area!r}")
    if not filters:
        check_page_size(first)
        return empty_connection()
    return await event_connection(info, filters, first, after)


async def grid_event(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description='"grid:<任务号>".')]
) -> GridEvent | None:
    record = await load_event(info.context, local_id(SYSTEM, id))
    return None if record is None else GridEvent.from_record(info, record)


async def search_grid_events(
    info: Info,
    text: Annotated[str | None, strawberry.argument(description="Text in description, address or 任务号.")] = None,
    phone: Annotated[str | None, strawberry.argument(description="The reporter's phone.")] = None,
    first: FIRST = 20,
    after: AFTER = None,
) -> GridEventConnection | None:
    keyword = (text or "").strip() or None
    digits = normalize_phone(phone) if phone else None
    if phone is not None and not digits:
        raise SubgraphInputError(f"phone {phone!r} has no digits")
    if keyword is None and digits is None:
        raise SubgraphInputError("searchGridEvents needs text or phone")
    return await event_connection(info, EventFilters(keyword=keyword, phone=digits), first, after)


def citizen(info: Info, phone: PHONE_ARG = None, id_number: ID_NUMBER_ARG = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, phone=who.phone, id_number=who.id_number)


async def _node(info: Info, node_id: str) -> GridEvent | None:
    return await grid_event(info, strawberry.ID(node_id))


async def _node_citizen(info: Info, person_key: str) -> Citizen:
    return await Citizen.resolve_reference(info, personKey=person_key)


NODES = node_fields(SYSTEM, _node, _node_citizen)


@strawberry.type(description=QUERY_DESCRIPTION)
class Query:
    grid_events: GridEventConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=grid_events,
        description="Grid events, newest first, optionally within a grid area.",
    )
    grid_event: GridEvent | None = strawberry.field(
        resolver=grid_event, description='One grid event by id ("grid:<任务号>"); null when there is none.'
    )
    search_grid_events: GridEventConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=search_grid_events,
        description="Search grid events by text (description, address or 任务号) and/or the reporter's phone.",
        deprecation_reason="Use gridEvents(filter: {text, phone}).",
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


schema = SubgraphSchema(
    query=Query, mutation=Mutation, types=[GridEvent, Citizen, *NODES.types], system=SourceSystem.GRID
)
