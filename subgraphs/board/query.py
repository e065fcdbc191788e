"""Root fields of the board subgraph; names carry ``board`` so they cannot clash with the other subgraphs."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.adapters.board import ThreadPage
from resolvers.board_status import BOARD_STATES
from resolvers.calendar import WorkCalendar
from resolvers.domain import normalize_phone
from subgraphs.board.types import (
    BoardMessage,
    BoardMessageConnection,
    Citizen,
    board_client,
    board_tid,
    message_of,
    threads_of,
)
from subgraphs.common.citizen import citizen_lookup
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.paging import check_page_size, decode_cursor, encode_cursor
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION

__all__ = ["Query"]

_STATE_HELP = "The board's status text: " + ", ".join(BOARD_STATES) + "."


def _before(after: str | None) -> int | None:
    """The cursor wraps the board's ``lastItem`` watermark (a tid)."""
    raw = decode_cursor(after)
    if raw is None:
        return None
    if not raw.isdigit():
        raise SubgraphInputError(f"malformed cursor {after!r}")
    return int(raw)


def _connection(page: ThreadPage, calendar: WorkCalendar) -> BoardMessageConnection:
    cursor = encode_cursor(str(page.next_before)) if page.next_before is not None else None
    return BoardMessageConnection(items=[message_of(t, calendar) for t in page.threads], next_cursor=cursor)


async def board_messages(
    info: Info,
    forum_id: int | None = None,
    first: int | None = None,
    after: str | None = None,
    state: Annotated[str | None, strawberry.argument(description=_STATE_HELP)] = None,
) -> BoardMessageConnection | None:
    count, before = check_page_size(first), _before(after)
    if state is not None and state not in BOARD_STATES:
        raise SubgraphInputError(f"unknown board state {state!r}: expected one of {', '.join(BOARD_STATES)}")
    page = await board_client(info).list_threads(count=count, before=before, forum_id=forum_id, state_text=state)
    return _connection(page, info.context.calendar)


async def board_message(info: Info, id: strawberry.ID) -> BoardMessage | None:
    thread = await threads_of(info).load(board_tid(id))
    return None if thread is None else message_of(thread, info.context.calendar)


async def search_board_messages(
    info: Info,
    text: str | None = None,
    phone: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> BoardMessageConnection | None:
    count, before = check_page_size(first), _before(after)
    words = (text or "").strip()
    digits = normalize_phone(phone) if phone else ""
    if not words and not phone:
        raise SubgraphInputError("searchBoardMessages needs text or phone")
    if phone and len(digits) < 7:
        raise SubgraphInputError(f"malformed phone number {phone!r}")
    page = await board_client(info).list_threads(
        count=count, before=before, keywords=words or None, phone=digits or None
    )
    return _connection(page, info.context.calendar)


def citizen(info: Info, phone: str | None = None, id_number: str | None = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, phone=who.phone or None)


@strawberry.type
class Query:
    board_messages: BoardMessageConnection | None = strawberry.field(
        resolver=board_messages,
        description="Threads, newest first; one leader's board with `forumId`, one status with `state`.",
    )
    board_message: BoardMessage | None = strawberry.field(
        resolver=board_message, description='One thread by id ("board:<tid>"); null when the board has none.'
    )
    search_board_messages: BoardMessageConnection | None = strawberry.field(
        resolver=search_board_messages,
        description="Threads with every word of `text` in title or content, and/or posted with `phone`.",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )
