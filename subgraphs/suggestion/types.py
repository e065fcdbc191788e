"""GraphQL types of the suggestion subgraph: ``Suggestion`` (implements ``Appeal``), its connection, ``Citizen``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers import suggestion_terms
from resolvers.access import AppealFacts
from resolvers.adapters.suggestion import MAX_PAGE_SIZE, SuggestionClient
from resolvers.adapters.suggestion import Suggestion as SuggestionRecord
from resolvers.domain import AppealType, Confidentiality, SourceSystem, UnifiedStatus, person_key
from resolvers.persons import Identifiers
from resolvers.suggestion_loaders import identifiers_loader, suggestion_loader
from resolvers.suggestion_status import unified_status
from subgraphs.common.connection import AFTER, FIRST, Connection, connection_of, empty_connection
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.ids import appeal_id, local_id
from subgraphs.common.keyset import Fetch, Window, merged_fetch, read_page
from subgraphs.common.node import Node, citizen_id_field
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
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
from subgraphs.common.visibility import access_to, shown_text

__all__ = [
    "SYSTEM",
    "Citizen",
    "Suggestion",
    "SuggestionConnection",
    "load_suggestion",
    "suggestion_client",
    "suggestion_connection",
    "suggestion_of",
    "suggestion_reader",
]

SYSTEM = "suggestion"


def suggestion_client(info: Info) -> SuggestionClient:
    return cast(SuggestionClient, info.context.client)


async def load_suggestion(info: Info, suggestion_id: str) -> SuggestionRecord | None:
    """Through the request's DataLoader, so the ``_entities`` of one call share one batch read."""
    number = local_id(SYSTEM, suggestion_id)
    loader = info.context.loader("suggestion.records", lambda: suggestion_loader(suggestion_client(info)))
    return cast(SuggestionRecord | None, await cast(DataLoader[str, Any], loader).load(number))


@strawberry.federation.type(
    keys=["id"],
    description="人民建议: a citizen's suggestion, taken along 征集—交办—办理—反馈—评价—激励 "
    "(collect, assign, handle, feed back, evaluate, reward).",
)
class Suggestion(Appeal, Node):
    source_channel: str = strawberry.field(description="渠道 as the system names it: 小程序 / 网站 / 12345转办 / 来信.")
    reject_reason: str | None = strawberry.field(description="不受理原因, when the suggestion was not accepted.")
    assigned_at: datetime | None = strawberry.field(description="交办时间: when the lead unit was named.")
    replied_at: datetime | None = strawberry.field(
        description="When the unit answered.", deprecation_reason="Use reply { repliedAt }."
    )
    adopted: bool | None = strawberry.field(
        description="采纳: true when adopted in whole or in part, false when not, null before the answer."
    )
    adoption: str | None = strawberry.field(description="采纳情况 as the system says it: 采纳 / 部分采纳 / 未采纳.")
    rating: int | None = strawberry.field(
        description="评价: the citizen's rating of the answer, 1-5.", deprecation_reason="Use satisfaction { score }."
    )
    reward_points: int | None = strawberry.field(description="激励: points awarded for an adopted suggestion.")

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Suggestion | None:
        suggestion_id = representation.get("id")
        if not isinstance(suggestion_id, str):
            raise SubgraphInputError("a Suggestion representation needs its id")
        record = await load_suggestion(info, suggestion_id)
        return None if record is None else suggestion_of(info, record)


def facts_of(info: Info, record: SuggestionRecord) -> AppealFacts:
    """What the access rules need to know about a suggestion."""
    phone, ident = record.proposer_phone, record.proposer_id_number
    return AppealFacts(
        system=SourceSystem.SUGGESTION,
        status=unified_status(record.state_code),
        lead_unit=record.unit.code if record.unit else None,
        admin_code=record.admin_code12,
        person_key=person_key(info.context.person_secret, phone=phone, id_number=ident) if phone or ident else None,
    )


_OUTCOMES = {
    "采纳": ClosureOutcome.SUPPORTED,
    "部分采纳": ClosureOutcome.PARTLY_SUPPORTED,
    "未采纳": ClosureOutcome.NOT_SUPPORTED,
}


def _closure(record: SuggestionRecord, status: UnifiedStatus) -> AppealClosure | None:
    if status not in (UnifiedStatus.CLOSED, UnifiedStatus.NOT_ACCEPTED):
        return None
    if status is UnifiedStatus.NOT_ACCEPTED:  # 不予受理 closes it at once
        return AppealClosure(closed_at=None, outcome=ClosureOutcome.NOT_SUPPORTED, outcome_text=record.state_name)
    adoption = record.adoption or None
    return AppealClosure(
        closed_at=None, outcome=_OUTCOMES.get(adoption or "", ClosureOutcome.HANDLED), outcome_text=adoption
    )


def suggestion_of(info: Info, record: SuggestionRecord) -> Suggestion | None:
    """The suggestion as the caller may see it (DOMAIN.md §8), or ``None`` when they may not see it at all."""
    access = access_to(info, facts_of(info, record))
    if not access.visible:
        return None
    status = unified_status(record.state_code)
    return Suggestion(
        id=strawberry.ID(appeal_id(SYSTEM, record.number)),
        system=SourceSystem.SUGGESTION,
        channel=suggestion_terms.channel(record.channel),
        channel_text=record.channel or None,
        local_no=record.number,
        tracking_no=record.number,
        appeal_type=AppealType.SUGGESTION,
        category=Category(
            unified_code=record.category or None, source_code=record.category_code or None, path=[record.category]
        ),
        title=shown_text(record.title, access),
        content=shown_text(record.content, access),
        petitioner=PersonRef.of(
            info,
            record.proposer_name,
            record.proposer_sex,
            record.proposer_phone,
            record.proposer_id_number,
            access.pii,
        ),
        location=Location(
            text=record.address or None, admin_code12=record.admin_code12, grid_code15=None, view=access.pii
        ),
        received_at=record.submitted_at,
        lead_unit=Unit.of(record.unit),
        co_units=[],
        status=status,
        source_status=record.state_name or record.state_code,
        deadline=suggestion_terms.deadline(record.due_date),
        due_at=suggestion_terms.deadline(record.due_date),
        closed_at=None,  # the system keeps no closing time
        closure=_closure(record, status),
        reply=AppealReply(
            text=shown_text(record.reply, access), replied_at=record.replied_at, unit=Unit.of(record.unit)
        )
        if record.reply or record.replied_at is not None
        else None,
        satisfaction=AppealSatisfaction.of_score(record.rating),
        confidentiality=Confidentiality.NORMAL,
        source_channel=record.channel,
        reject_reason=shown_text(record.reject_reason, access),
        assigned_at=record.assigned_at,
        replied_at=record.replied_at,
        adopted=suggestion_terms.adopted(record.adoption),
        adoption=record.adoption,
        rating=record.rating,
        reward_points=record.reward_points,
    )


SuggestionConnection = Connection[Suggestion]


def suggestion_reader(
    client: SuggestionClient,
    *,
    state_code: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    keyword: str | None = None,
) -> Fetch[SuggestionRecord]:
    """The system's list as a window reader, for any window size (pages of at most 100 one after another)."""

    async def fetch(offset: int, limit: int) -> Window[SuggestionRecord]:
        records: list[SuggestionRecord] = []
        while True:
            page = await client.page(
                offset=offset + len(records),
                count=min(limit - len(records), MAX_PAGE_SIZE),
                state_code=state_code,
                phone=phone,
                id_number=id_number,
                keyword=keyword,
            )
            records += page.records
            if len(records) >= limit or not page.records or offset + len(records) >= page.total:
                return Window(records, page.total)

    return fetch


async def suggestion_connection(
    info: Info, readers: list[Fetch[SuggestionRecord]], first: int | None, after: str | None
) -> SuggestionConnection:
    """One page, keyset-stable over the system's numbered pages; several readers (one per status code) are merged
    by submission time."""
    fetch = merged_fetch(readers, lambda r: (r.submitted_at, r.number))
    page = await read_page(fetch, lambda r: r.number, info.context.person_secret, check_page_size(first), after)
    return connection_of(page, lambda r: suggestion_of(info, r))


async def _citizen_suggestions(root: Citizen, info: Info) -> list[Suggestion] | None:
    records = await suggestion_client(info).everything_of(phone=root.phone, id_number=root.id_number)
    return [s for r in records if (s := suggestion_of(info, r)) is not None]


async def _citizen_suggestion_connection(
    root: Citizen, info: Info, first: FIRST = 20, after: AFTER = None
) -> SuggestionConnection | None:
    if not root.phone and not root.id_number:
        check_page_size(first)
        return empty_connection()
    # by phone, else (when no phone is known) by ID number, as the system files them
    reader = suggestion_reader(
        suggestion_client(info), phone=root.phone or None, id_number=None if root.phone else root.id_number
    )
    return await suggestion_connection(info, [reader], first, after)


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen(Node):
    person_key: str = strawberry.field(description=PERSON_KEY_DESCRIPTION)
    phone: strawberry.Private[str] = ""
    id_number: strawberry.Private[str] = ""
    id: strawberry.ID = citizen_id_field()

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Citizen:
        key = representation.get("personKey")
        if not isinstance(key, str) or not key:
            raise SubgraphInputError("a Citizen representation needs its personKey")
        loader = info.context.loader("suggestion.identifiers", lambda: identifiers_loader(info.context.directory))
        found = cast(Identifiers | None, await loader.load(key))
        if found is None:
            return cls(person_key=key)
        return cls(person_key=key, phone=found.phone, id_number=found.id_number)

    suggestions: list[Suggestion] | None = strawberry.federation.field(
        authenticated=True,
        resolver=_citizen_suggestions,
        description="The citizen's suggestions, newest first (by phone, else by ID number); empty when the key "
        "is unknown.",
        deprecation_reason="Use suggestionsConnection, which pages through them.",
    )
    suggestions_connection: SuggestionConnection | None = strawberry.federation.field(
        directives=[CONNECTION_SIZE],
        authenticated=True,
        resolver=_citizen_suggestion_connection,
        description="The citizen's suggestions, newest first (by phone, else by ID number); empty when the key "
        "is unknown.",
    )
