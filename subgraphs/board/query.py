"""Root fields of the board subgraph; names carry ``board`` so they cannot clash with the other subgraphs."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.adapters.board import ThreadPage
from resolvers.board_status import BOARD_STATES, STATUS_BY_TEXT
from resolvers.domain import SourceSystem, normalize_phone
from subgraphs.board.types import (
    SYSTEM,
    BoardMessage,
    BoardMessageConnection,
    Citizen,
    board_client,
    board_tid,
    connection_of_threads,
    message_of,
    threads_before,
    threads_of,
)
from subgraphs.common.citizen import ID_NUMBER_ARG, PHONE_ARG, citizen_lookup
from subgraphs.common.connection import AFTER, FIRST, empty_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.filter import FILTER_DESCRIPTION, AppealFilter, refuse_unsupported, wanted_statuses
from subgraphs.common.node_fields import node_fields
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.roots import QUERY_DESCRIPTION
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION

__all__ = ["NODES", "Query"]

_STATE_HELP = "The board's status text: " + ", ".join(BOARD_STATES) + "."


def _states_of(given: AppealFilter | None, state: str | None) -> tuple[str, ...] | None:
    """The board status texts to list (empty: any); ``None`` when no thread can match."""
    texts: tuple[str, ...] = ()
    raw = given.source_status if given is not None and given.source_status is not None else state
    if raw is not None:
        if raw not in BOARD_STATES:
            raise SubgraphInputError(f"unknown board state {raw!r}: expected one of {', '.join(BOARD_STATES)}")
        texts = (raw,)
    wanted = wanted_statuses(given, SourceSystem.MSGBOARD)
    if wanted is not None:
        of_status = tuple(t for t in BOARD_STATES if STATUS_BY_TEXT[t] in wanted)
        texts = tuple(t for t in texts if t in of_status) if texts else of_status
        if not texts:
            return None
    return texts


async def _threads(
    info: Info,
    count: int,
    before: int | None,
    *,
    forum_id: int | None = None,
    states: tuple[str, ...] = (),
    keywords: str | None = None,
    phone: str | None = None,
) -> ThreadPage:
    """One page newest first; several status texts are listed apart and merged by tid (the board's order)."""
    client = board_client(info)
    if len(states) <= 1:
        return await client.list_threads(
            count=count,
            before=before,
            forum_id=forum_id,
            state_text=states[0] if states else None,
            keywords=keywords,
            phone=phone,
        )
    pages = await asyncio.gather(
        *(
            client.list_threads(
                count=count, before=before, forum_id=forum_id, state_text=s, keywords=keywords, phone=phone
            )
            for s in states
        )
    )
    merged = sorted((t for p in pages for t in p.threads), key=lambda t: t.thread_id, reverse=True)
    threads = tuple(merged[:count])
    more = len(merged) > count or any(p.next_before is not None for p in pages)
    return ThreadPage(threads, threads[-1].thread_id if more and threads else None)


STATE_ARG = Annotated[str | None, strawberry.argument(description=_STATE_HELP, deprecation_reason="Use filter.")]


async def board_messages(
    info: Info,
    forum_id: Annotated[int | None, strawberry.argument(description="Only the board of this leader.")] = None,
    first: FIRST = 20,
    after: AFTER = None,
    state: STATE_ARG = None,
    filter: Annotated[AppealFilter | None, strawberry.argument(description=FILTER_DESCRIPTION)] = None,
) -> BoardMessageConnection | None:
    count, before = check_page_size(first), threads_before(after)
    refuse_unsupported(SYSTEM, filter, "id_number", "grid_code")  # the board knows posters by phone only
    states = _states_of(filter, state)
    if states is None:
        return empty_connection()
    words = (filter.text or "").strip() if filter is not None else ""
    digits = normalize_phone(filter.phone or "") if filter is not None else ""
    page = await _threads(
        info, count, before, forum_id=forum_id, states=states, keywords=words or None, phone=digits or None
    )
    return connection_of_threads(page, after, info.context.calendar, digits or None)


async def board_message(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description='"board:<tid>".')]
) -> BoardMessage | None:
    thread = await threads_of(info).load(board_tid(id))
    return None if thread is None else message_of(thread, info.context.calendar)


async def search_board_messages(
    info: Info,
    text: Annotated[str | None, strawberry.argument(description="Words in title or content.")] = None,
    phone: Annotated[str | None, strawberry.argument(description="The poster's phone.")] = None,
    first: FIRST = 20,
    after: AFTER = None,
) -> BoardMessageConnection | None:
    count, before = check_page_size(first), threads_before(after)
    words = (text or "").strip()
    digits = normalize_phone(phone) if phone else ""
    if not words and not phone:
        raise SubgraphInputError("searchBoardMessages needs text or phone")
    if phone and len(digits) < 7:
        raise SubgraphInputError(f"malformed phone number {phone!r}")
    page = await _threads(info, count, before, keywords=words or None, phone=digits or None)
    return connection_of_threads(page, after, info.context.calendar, digits or None)


def citizen(info: Info, phone: PHONE_ARG = None, id_number: ID_NUMBER_ARG = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, phone=who.phone or None)


async def _node(info: Info, node_id: str) -> BoardMessage | None:
    return await board_message(info, strawberry.ID(node_id))


async def _node_citizen(info: Info, person_key: str) -> Citizen:
    return await Citizen.resolve_reference(info, personKey=person_key)


NODES = node_fields(SYSTEM, _node, _node_citizen)


@strawberry.type(description=QUERY_DESCRIPTION)
class Query:
    board_messages: BoardMessageConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=board_messages,
        description="Threads, newest first; one leader's board with `forumId`.",
    )
    board_message: BoardMessage | None = strawberry.field(
        resolver=board_message, description='One thread by id ("board:<tid>"); null when the board has none.'
    )
    search_board_messages: BoardMessageConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=search_board_messages,
        description="Threads with every word of `text` in title or content, and/or posted with `phone`.",
        deprecation_reason="Use boardMessages(filter: {text, phone}).",
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
