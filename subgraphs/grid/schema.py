"""The grid subgraph's schema: root queries over the grid system, and the federation entities.

Root fields are prefixed ``grid`` so they cannot clash with the other system subgraphs; ``citizen`` is the one
shared root field (``@shareable``). Every list takes ``first`` (1–100, default 20) and an opaque ``after`` cursor
and returns a nullable connection, so a legacy failure costs only that field.
"""

from __future__ import annotations

import re

import strawberry
from strawberry.types import Info

from resolvers.adapters.grid import GRID_STATES, GridClient
from resolvers.domain import normalize_phone
from resolvers.grid_events import EventFilters, event_slice, load_event
from subgraphs.common.citizen import citizen_lookup
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.ids import local_id
from subgraphs.common.paging import check_page_size, decode_cursor, encode_cursor
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION
from subgraphs.grid.reveal import Mutation
from subgraphs.grid.types import SYSTEM, Citizen, GridEvent, GridEventConnection

__all__ = ["Query", "schema"]

_GRID_CODE = re.compile(r"^\d{6}(\d{3}){0,3}$")


def _offset(after: str | None) -> int:
    raw = decode_cursor(after)
    if raw is None:
        return 0
    if not raw.isdigit():
        raise SubgraphInputError(f"malformed cursor {after!r}")
    return int(raw)


async def _connection(info: Info, filters: EventFilters, first: int | None, after: str | None) -> GridEventConnection:
    size, offset = check_page_size(first), _offset(after)
    client: GridClient = info.context.client
    found = await event_slice(client, filters, offset=offset, first=size)
    return GridEventConnection(
        items=[e for r in found.items if (e := GridEvent.from_record(info, r)) is not None],
        next_cursor=None if found.next_offset is None else encode_cursor(str(found.next_offset)),
    )


async def grid_events(
    info: Info,
    grid_code: str | None = None,
    state: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> GridEventConnection | None:
    if grid_code is not None and not _GRID_CODE.match(grid_code):
        raise SubgraphInputError(f"gridCode must be 6, 9, 12 or 15 digits, got {grid_code!r}")
    if state is not None and state not in GRID_STATES:
        raise SubgraphInputError(f"unknown grid state {state!r}; expected one of {', '.join(GRID_STATES)}")
    return await _connection(info, EventFilters(state=state, grid_code=grid_code), first, after)


async def grid_event(info: Info, id: strawberry.ID) -> GridEvent | None:
    record = await load_event(info.context, local_id(SYSTEM, id))
    return None if record is None else GridEvent.from_record(info, record)


async def search_grid_events(
    info: Info,
    text: str | None = None,
    phone: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> GridEventConnection | None:
    keyword = (text or "").strip() or None
    digits = normalize_phone(phone) if phone else None
    if phone is not None and not digits:
        raise SubgraphInputError(f"phone {phone!r} has no digits")
    if keyword is None and digits is None:
        raise SubgraphInputError("searchGridEvents needs text or phone")
    return await _connection(info, EventFilters(keyword=keyword, phone=digits), first, after)


def citizen(info: Info, phone: str | None = None, id_number: str | None = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, phone=who.phone, id_number=who.id_number)


@strawberry.type
class Query:
    grid_events: GridEventConnection | None = strawberry.field(
        resolver=grid_events,
        description="Grid events, newest first, optionally within a grid area (a 6/9/12/15-digit admin, street, "
        "community or cell code) and in one legacy state (上报, 核实, 立案, 派遣, 处置中, 反馈, 核查, 结案, 作废).",
    )
    grid_event: GridEvent | None = strawberry.field(
        resolver=grid_event, description='One grid event by id ("grid:<任务号>"); null when there is none.'
    )
    search_grid_events: GridEventConnection | None = strawberry.field(
        resolver=search_grid_events,
        description="Search grid events by text (description, address or 任务号) and/or the reporter's phone.",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[GridEvent, Citizen])
