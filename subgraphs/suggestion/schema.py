"""The suggestion subgraph's schema: root queries over the suggestion system, and the federation entities.

Root fields are named for suggestions so they cannot clash with the other system subgraphs; ``citizen`` is the
one shared root field (``@shareable``, declared exactly as every system subgraph declares it). Lists take
``first`` (1–100, default 20) and an opaque ``after`` cursor and return a nullable connection, so a legacy failure
costs only that field.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.domain import normalize_phone
from resolvers.suggestion_status import SUGGESTION_STATES
from subgraphs.common.citizen import citizen_lookup
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.paging import check_page_size, decode_cursor, encode_cursor
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION
from subgraphs.suggestion.reveal import Mutation
from subgraphs.suggestion.types import (
    Citizen,
    Suggestion,
    SuggestionConnection,
    load_suggestion,
    suggestion_client,
    suggestion_of,
)

__all__ = ["Query", "schema"]

_STATE_HELP = "The system's status name: " + ", ".join(SUGGESTION_STATES) + "."


def _offset(after: str | None) -> int:
    raw = decode_cursor(after)
    if raw is None:
        return 0
    if not raw.isdigit():
        raise SubgraphInputError(f"malformed cursor {after!r}")
    return int(raw)


async def _connection(
    info: Info,
    first: int | None,
    after: str | None,
    *,
    state_code: str | None = None,
    phone: str | None = None,
    keyword: str | None = None,
) -> SuggestionConnection:
    size, offset = check_page_size(first), _offset(after)
    page = await suggestion_client(info).page(
        offset=offset, count=size, state_code=state_code, phone=phone, keyword=keyword
    )
    following = offset + len(page.records)
    return SuggestionConnection(
        items=[s for r in page.records if (s := suggestion_of(info, r)) is not None],
        next_cursor=encode_cursor(str(following)) if page.records and following < page.total else None,
    )


async def suggestions(
    info: Info,
    status: Annotated[str | None, strawberry.argument(description=_STATE_HELP)] = None,
    first: int | None = None,
    after: str | None = None,
) -> SuggestionConnection | None:
    code = None
    if status is not None:
        code = SUGGESTION_STATES.get(status)
        if code is None:
            raise SubgraphInputError(
                f"unknown suggestion status {status!r}: expected one of {', '.join(SUGGESTION_STATES)}"
            )
    return await _connection(info, first, after, state_code=code)


async def suggestion(info: Info, id: strawberry.ID) -> Suggestion | None:
    record = await load_suggestion(info, id)
    return None if record is None else suggestion_of(info, record)


async def search_suggestions(
    info: Info,
    text: str | None = None,
    phone: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> SuggestionConnection | None:
    words = (text or "").strip() or None
    digits = normalize_phone(phone) if phone else None
    if phone is not None and (not digits or len(digits) < 7):
        raise SubgraphInputError(f"malformed phone number {phone!r}")
    if words is None and digits is None:
        raise SubgraphInputError("searchSuggestions needs text or phone")
    return await _connection(info, first, after, phone=digits, keyword=words)


def citizen(info: Info, phone: str | None = None, id_number: str | None = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, phone=who.phone, id_number=who.id_number)


@strawberry.type
class Query:
    suggestions: SuggestionConnection | None = strawberry.field(
        resolver=suggestions, description="Suggestions, newest first; one status with `status`."
    )
    suggestion: Suggestion | None = strawberry.field(
        resolver=suggestion, description='One suggestion by id ("suggestion:<建议编号>"); null when there is none.'
    )
    search_suggestions: SuggestionConnection | None = strawberry.field(
        resolver=search_suggestions,
        description="Suggestions with `text` in title or content, and/or filed with `phone`.",
    )
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )


schema = SubgraphSchema(query=Query, mutation=Mutation, types=[Suggestion, Citizen])
