"""GraphQL types of the board subgraph: ``BoardMessage`` (implements ``Appeal``), its connection, ``Citizen``.

A ``BoardMessage`` made from a list answer lacks the poster's private fields (the board keeps them out of lists);
``petitioner`` and ``location`` then read the thread's detail through the request's DataLoader, so asking for
them over a page costs one detail read per distinct thread, and nothing when they are not asked for.

A citizen's own threads (``Citizen.boardMessages``) come from a list the board filtered by that citizen's phone, so
the poster's phone is known without the detail: ``petitioner`` reads the detail there only when its selection
needs more than the phone gives (the poster's name, as they typed it on the submit form). The citizen view asks
for the name, so there it still costs one detail read per thread: the board has no batch read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from resolvers import board_terms
from resolvers.access import AppealFacts
from resolvers.adapters.board import BoardClient, BoardThread, Poster, ThreadPage
from resolvers.board_loaders import identifiers_loader, thread_loader
from resolvers.board_status import unified_status
from resolvers.calendar import WorkCalendar
from resolvers.domain import Confidentiality, SourceSystem, UnifiedStatus, UnitRef, normalize_phone, person_key
from resolvers.persons import Identifiers
from subgraphs.common.connection import AFTER, FIRST, Connection, Edge, PageInfo, edges_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.ids import appeal_id, local_id
from subgraphs.common.node import Node, citizen_id_field
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size, decode_cursor, encode_cursor
from subgraphs.common.types import (
    CITIZEN_DESCRIPTION,
    PERSON_KEY_DESCRIPTION,
    Appeal,
    AppealClosure,
    AppealReply,
    AppealSatisfaction,
    Category,
    ClosureOutcome,
    Location,
    PersonRef,
    Unit,
)
from subgraphs.common.visibility import access_to

__all__ = [
    "SYSTEM",
    "BoardMessage",
    "BoardMessageConnection",
    "Citizen",
    "board_client",
    "connection_of_threads",
    "message_of",
    "threads_before",
    "threads_of",
]

SYSTEM = "board"
CITIZEN_LIMIT = 100  # a person's threads listed on Citizen, newest first


def board_client(info: Info) -> BoardClient:
    return cast(BoardClient, info.context.client)


def threads_of(info: Info) -> DataLoader[int, BoardThread | None]:
    loader = info.context.loader("board.threads", lambda: thread_loader(board_client(info)))
    return cast(DataLoader[int, BoardThread | None], loader)


def board_tid(message_id: str) -> int:
    local = local_id(SYSTEM, message_id)
    if not local.isdigit():
        raise SubgraphInputError(f'malformed board id {message_id!r}: expected "board:<tid>", tid a number')
    return int(local)


async def _poster(info: Info, thread: BoardThread) -> Poster | None:
    if thread.poster is not None:
        return thread.poster
    full = await threads_of(info).load(thread.thread_id)
    return full.poster if full is not None else None


# PersonRef's fields that the poster's phone alone answers: the board keeps no ID number, and the key, the phone (in
# full or masked) and the access decision all come from the normalized phone
_PHONE_ONLY_FIELDS = frozenset({"personKey", "phone", "idNumber", "__typename"})


def phone_answers(info: Info) -> bool:
    """Whether this field's selection asks nothing of the person but what the phone answers (no fragments, no
    directives, no name): then a poster whose phone is known needs no detail read."""
    for field in info.selected_fields:
        for selection in field.selections:
            if not isinstance(selection, SelectedField) or selection.directives:
                return False
            if selection.name not in _PHONE_ONLY_FIELDS:
                return False
    return True


async def _petitioner(root: BoardMessage, info: Info) -> PersonRef | None:
    poster = root.thread.poster
    if poster is None and root.listed_phone and phone_answers(info):
        poster = Poster(name="", phone=root.listed_phone, address="")  # the list was filtered by this phone
    elif poster is None:
        poster = await _poster(info, root.thread)
    if poster is None or not poster.phone:
        return None
    # Posts are public (everyone sees the message); the poster's PII follows DOMAIN.md §8: none for the public,
    # masked for staff, in full for the poster themself.
    facts = AppealFacts(
        system=SourceSystem.MSGBOARD, person_key=person_key(info.context.person_secret, phone=poster.phone)
    )
    return PersonRef.of(info, poster.name, None, poster.phone, "", access_to(info, facts).pii)


async def _location(root: BoardMessage, info: Info) -> Location | None:
    poster = await _poster(info, root.thread)
    text = board_terms.community_level(poster.address) if poster is not None else None
    if text is None:
        return None
    return Location(text=text, admin_code12=None, grid_code15=None)


@strawberry.federation.type(keys=["id"], description="A thread (帖子) on a leader's message board (领导留言板).")
class BoardMessage(Appeal, Node):
    forum_id: int = strawberry.field(description="The board of one leader (市委书记, 市长, 区长 …).")
    forum_name: str = strawberry.field(description="The name of that leader's board.")
    domain_name: str = strawberry.field(description="领域 as the board names it (城建, 交通 …; 其他).")
    appeal_type_text: str = strawberry.field(
        description="类型 as the board names it: 建言/投诉/咨询/求助 (mapped to `appealType`)."
    )
    type_name: str = strawberry.field(
        description="类型: 建言/投诉/咨询/求助.", deprecation_reason="Use appealTypeText."
    )
    nickname: str = strawberry.field(description="The poster's public nickname.")
    nick_name: str = strawberry.field(description="The poster's public nickname.", deprecation_reason="Use nickname.")
    ip_province: str = strawberry.field(description="Province of the poster's IP address.")
    like_count: int = strawberry.field(description="点赞: how many readers liked the post.")
    fav_num: int = strawberry.field(description="Likes (点赞).", deprecation_reason="Use likeCount.")
    attitude_rating: int | None = strawberry.field(
        description="The poster's rating of the answering organ's attitude, 1–5; null before they rate."
    )
    speed_rating: int | None = strawberry.field(
        description="The poster's rating of the answer's speed, 1–5; null before they rate."
    )
    grade_manner: int | None = strawberry.field(
        description="The poster's rating of the attitude, 1-5.", deprecation_reason="Use attitudeRating."
    )
    grade_speed: int | None = strawberry.field(
        description="The poster's rating of the speed, 1-5.", deprecation_reason="Use speedRating."
    )
    answer_organization: str | None = strawberry.field(
        description="The organ that answered (回复单位).", deprecation_reason="Use reply { unit { name } }."
    )
    answer_content: str | None = strawberry.field(
        description="The published answer (回复内容).", deprecation_reason="Use reply { text }."
    )
    answered_at: datetime | None = strawberry.field(
        description="When the answer was published.", deprecation_reason="Use reply { repliedAt }."
    )
    thread: strawberry.Private[BoardThread]
    # the normalized phone the board's list was filtered by (a citizen's own threads): the poster's, by the
    # list's contract; None for any other list or read
    listed_phone: strawberry.Private[str | None] = None

    petitioner: PersonRef | None = strawberry.field(
        resolver=_petitioner, description="The poster, masked; read from the thread's detail when needed."
    )
    location: Location | None = strawberry.field(
        resolver=_location, description="Where the problem is, from the poster's address, down to the community."
    )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> BoardMessage | None:
        message_id = representation.get("id")
        if not isinstance(message_id, str):
            raise SubgraphInputError("a BoardMessage representation needs its id")
        thread = await threads_of(info).load(board_tid(message_id))
        return None if thread is None else message_of(thread, info.context.calendar)


def _satisfaction(thread: BoardThread) -> AppealSatisfaction | None:
    """The poster's two ratings (attitude, speed) as one verdict: their rounded mean."""
    given = [r for r in (thread.rating_manner, thread.rating_speed) if r is not None]
    return AppealSatisfaction.of_score(round(sum(given) / len(given)) if given else None)


def _closure(thread: BoardThread, status: UnifiedStatus) -> AppealClosure | None:
    if status is not UnifiedStatus.CLOSED:
        return None
    return AppealClosure(closed_at=thread.answered_at, outcome=ClosureOutcome.HANDLED, outcome_text=thread.state_text)


def message_of(thread: BoardThread, calendar: WorkCalendar, listed_phone: str | None = None) -> BoardMessage:
    """The GraphQL view of one thread; ``listed_phone``: the phone the list that found it was filtered by."""
    unified = board_terms.unified_category(thread.domain_name)
    answered_by = thread.answer_organization
    answering = Unit.of(UnitRef(answered_by, answered_by)) if answered_by else None
    status = unified_status(thread.state_text)
    deadline = board_terms.deadline(thread.posted_at, thread.type_name, calendar)
    return BoardMessage(
        id=strawberry.ID(appeal_id(SYSTEM, thread.thread_id)),
        system=SourceSystem.MSGBOARD,
        channel=f"board-fid:{thread.forum_id}",
        channel_text=thread.forum_name or None,
        local_no=str(thread.thread_id),
        tracking_no=str(thread.thread_id),
        appeal_type=board_terms.appeal_type(thread.type_name),
        category=Category(unified_code=unified, source_code=thread.domain_name or None, path=[thread.domain_name]),
        title=thread.title,
        content=thread.content,
        received_at=thread.posted_at,
        # The board names organs only (no codes), so the name is the code.
        lead_unit=answering,
        co_units=[],
        status=status,
        source_status=thread.state_text,
        deadline=deadline,
        due_at=deadline,
        closed_at=thread.answered_at if status is UnifiedStatus.CLOSED else None,
        closure=_closure(thread, status),
        reply=AppealReply(text=thread.answer_content, replied_at=thread.answered_at, unit=answering)
        if thread.answer_content or thread.answered_at is not None
        else None,
        satisfaction=_satisfaction(thread),
        confidentiality=Confidentiality.NORMAL,  # posts are public
        forum_id=thread.forum_id,
        forum_name=thread.forum_name,
        domain_name=thread.domain_name,
        appeal_type_text=thread.type_name,
        type_name=thread.type_name,
        nickname=thread.nickname,
        nick_name=thread.nickname,
        ip_province=thread.ip_province,
        like_count=thread.likes,
        fav_num=thread.likes,
        attitude_rating=thread.rating_manner,
        speed_rating=thread.rating_speed,
        grade_manner=thread.rating_manner,
        grade_speed=thread.rating_speed,
        answer_organization=thread.answer_organization,
        answer_content=thread.answer_content,
        answered_at=thread.answered_at,
        thread=thread,
        listed_phone=listed_phone,
    )


BoardMessageConnection = Connection[BoardMessage]


def threads_before(after: str | None) -> int | None:
    """The board pages by the ``lastItem`` watermark (a tid), so its cursors are keyset by nature: a cursor is the
    tid of the thread it points at, and the next page lists the threads older than it."""
    raw = decode_cursor(after)
    if raw is None:
        return None
    kind, _, tid = raw.partition(":")
    if kind != "b" or not tid.isdigit():
        raise SubgraphInputError(f"malformed cursor {after!r}")
    return int(tid)


def connection_of_threads(
    page: ThreadPage, after: str | None, calendar: WorkCalendar, listed_phone: str | None = None
) -> BoardMessageConnection:
    """Posts are public, so every thread of the page is shown; the board gives no total."""
    edges = [
        Edge(cursor=encode_cursor(f"b:{t.thread_id}"), node=message_of(t, calendar, listed_phone)) for t in page.threads
    ]
    page_info = PageInfo(
        has_next_page=page.next_before is not None,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return edges_connection(edges, page_info, None)


async def _citizen_phone(root: Citizen, info: Info) -> str:
    phone = root.phone
    if phone is None:
        found = await _identifiers(info, root.person_key)
        phone = found.phone if found is not None else ""
    return phone


async def _citizen_messages(root: Citizen, info: Info) -> list[BoardMessage] | None:
    phone = await _citizen_phone(root, info)
    if not phone:
        return []  # the board knows people by phone only
    page = await board_client(info).list_threads(count=CITIZEN_LIMIT, phone=phone)
    listed = normalize_phone(phone)
    return [message_of(thread, info.context.calendar, listed) for thread in page.threads]


async def _citizen_message_connection(
    root: Citizen, info: Info, first: FIRST = 20, after: AFTER = None
) -> BoardMessageConnection | None:
    count, before = check_page_size(first), threads_before(after)
    phone = await _citizen_phone(root, info)
    if not phone:  # the board knows people by phone only
        return connection_of_threads(ThreadPage((), None), after, info.context.calendar)
    page = await board_client(info).list_threads(count=count, before=before, phone=phone)
    return connection_of_threads(page, after, info.context.calendar, normalize_phone(phone))


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen(Node):
    person_key: str = strawberry.field(description=PERSON_KEY_DESCRIPTION)
    phone: strawberry.Private[str | None] = None  # None: not known yet, ask the person directory
    id: strawberry.ID = citizen_id_field()

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Citizen:
        key = representation.get("personKey")
        if not isinstance(key, str) or not key:
            raise SubgraphInputError("a Citizen representation needs its personKey")
        found = await _identifiers(info, key)
        return cls(person_key=key, phone=found.phone if found is not None else "")

    board_messages: list[BoardMessage] | None = strawberry.federation.field(
        authenticated=True,
        resolver=_citizen_messages,
        description="The citizen's threads on every leader's board, newest first (the board searches by phone).",
        deprecation_reason="Use boardMessagesConnection, which pages through all of them.",
    )
    board_messages_connection: BoardMessageConnection | None = strawberry.federation.field(
        directives=[CONNECTION_SIZE],
        authenticated=True,
        resolver=_citizen_message_connection,
        description="The citizen's threads on every leader's board, newest first (the board searches by phone).",
    )


async def _identifiers(info: Info, key: str) -> Identifiers | None:
    loader = info.context.loader("board.identifiers", lambda: identifiers_loader(info.context.directory))
    return cast(Identifiers | None, await loader.load(key))
