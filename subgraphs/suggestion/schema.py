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

from resolvers.adapters.suggestion import Suggestion as SuggestionRecord
from resolvers.domain import SourceSystem, normalize_id_number, normalize_phone
from resolvers.suggestion_status import STATUS_BY_CODE, SUGGESTION_STATES
from subgraphs.common.citizen import ID_NUMBER_ARG, PHONE_ARG, citizen_lookup
from subgraphs.common.connection import AFTER, FIRST, empty_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.filter import FILTER_DESCRIPTION, AppealFilter, refuse_unsupported, wanted_statuses
from subgraphs.common.keyset import Fetch
from subgraphs.common.node_fields import node_fields
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.roots import QUERY_DESCRIPTION
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.types import CITIZEN_LOOKUP_DESCRIPTION
from subgraphs.suggestion.reveal import Mutation
from subgraphs.suggestion.types import (
    SYSTEM,
    Citizen,
    Suggestion,
    SuggestionConnection,
    load_suggestion,
    suggestion_client,
    suggestion_connection,
    suggestion_of,
    suggestion_reader,
)

__all__ = ["Query", "schema"]

_STATE_HELP = "The system's status name: " + ", ".join(SUGGESTION_STATES) + "."


def _readers(info: Info, given: AppealFilter | None, status: str | None) -> list[Fetch[SuggestionRecord]]:
    """One list reader per status code the filter allows (an empty list: none can match)."""
    raw = given.source_status if given is not None and given.source_status is not None else status
    codes: list[str | None] = [None]
    if raw is not None:
        code = SUGGESTION_STATES.get(raw)
        if code is None:
            raise SubgraphInputError(
                f"unknown suggestion status {raw!r}: expected one of {', '.join(SUGGESTION_STATES)}"
            )
        codes = [code]
    refuse_unsupported("suggestion", given, "grid_code")
    wanted = wanted_statuses(given, SourceSystem.SUGGESTION)
    if wanted is not None:
        of_status = [c for c in SUGGESTION_STATES.values() if STATUS_BY_CODE[c] in wanted]
        codes = [c for c in of_status if raw is None or c == codes[0]]
    words = (given.text or "").strip() or None if given is not None else None
    digits = normalize_phone(given.phone) if given is not None and given.phone else None
    if given is not None and given.phone is not None and (not digits or len(digits) < 7):
        raise SubgraphInputError(f"malformed phone number {given.phone!r}")
    ident = normalize_id_number(given.id_number) if given is not None and given.id_number else None
    client = suggestion_client(info)
    return [suggestion_reader(client, state_code=c, phone=digits, id_number=ident, keyword=words) for c in codes]


STATUS_ARG = Annotated[str | None, strawberry.argument(description=_STATE_HELP, deprecation_reason="Use filter.")]


async def suggestions(
    info: Info,
    status: STATUS_ARG = None,
    first: FIRST = 20,
    after: AFTER = None,
    filter: Annotated[AppealFilter | None, strawberry.argument(description=FILTER_DESCRIPTION)] = None,
) -> SuggestionConnection | None:
    readers = _readers(info, filter, status)
    if not readers:
        check_page_size(first)
        return empty_connection()
    return await suggestion_connection(info, readers, first, after)


async def suggestion(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description='"suggestion:<建议编号>".')]
) -> Suggestion | None:
    record = await load_suggestion(info, id)
    return None if record is None else suggestion_of(info, record)


async def search_suggestions(
    info: Info,
    text: Annotated[str | None, strawberry.argument(description="Text in title or content.")] = None,
    phone: Annotated[str | None, strawberry.argument(description="The proposer's phone.")] = None,
    first: FIRST = 20,
    after: AFTER = None,
) -> SuggestionConnection | None:
    words = (text or "").strip() or None
    digits = normalize_phone(phone) if phone else None
    if phone is not None and (not digits or len(digits) < 7):
        raise SubgraphInputError(f"malformed phone number {phone!r}")
    if words is None and digits is None:
        raise SubgraphInputError("searchSuggestions needs text or phone")
    reader = suggestion_reader(suggestion_client(info), phone=digits, keyword=words)
    return await suggestion_connection(info, [reader], first, after)


def citizen(info: Info, phone: PHONE_ARG = None, id_number: ID_NUMBER_ARG = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, phone=who.phone, id_number=who.id_number)


async def _node(info: Info, node_id: str) -> Suggestion | None:
    return await suggestion(info, strawberry.ID(node_id))


async def _node_citizen(info: Info, person_key: str) -> Citizen:
    return await Citizen.resolve_reference(info, personKey=person_key)


NODES = node_fields(SYSTEM, _node, _node_citizen)


@strawberry.type(description=QUERY_DESCRIPTION)
class Query:
    suggestions: SuggestionConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE], resolver=suggestions, description="Suggestions, newest first."
    )
    suggestion: Suggestion | None = strawberry.field(
        resolver=suggestion, description='One suggestion by id ("suggestion:<建议编号>"); null when there is none.'
    )
    search_suggestions: SuggestionConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=search_suggestions,
        description="Suggestions with `text` in title or content, and/or filed with `phone`.",
        deprecation_reason="Use suggestions(filter: {text, phone}).",
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
    query=Query, mutation=Mutation, types=[Suggestion, Citizen, *NODES.types], system=SourceSystem.SUGGESTION
)
