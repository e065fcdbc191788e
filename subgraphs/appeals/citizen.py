"""``Citizen`` in the appeals subgraph: one person's appeals of every system in one list, and their counts.

The person's records are read once per request (a DataLoader keyed by the person's identifiers) for both
``appeals`` and ``summary``; each record is then shown only as the access rules allow (DOMAIN.md §8), the operator
on a call with this person included. Which appeals are a person's is itself personal: a message-board post, public
on its own, appears in someone's list only for a role that may see that person's history.
"""

from __future__ import annotations

from typing import Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers.access import Scope, decide, on_call_caller
from resolvers.appeals.cursor import Cursor, CursorError, decode_cursor, encode_cursor
from resolvers.appeals.person import PersonAppeals, page_of_person, summarize
from resolvers.appeals.record import AppealRecord
from resolvers.domain import SourceSystem, UnifiedStatus
from resolvers.persons import Identifiers
from resolvers.petitions import identifiers_loader
from subgraphs.appeals.dedupe_fields import RepeatProfile, repeat_profile_of
from subgraphs.appeals.loaders import person_reads
from subgraphs.appeals.query import report_missing
from subgraphs.appeals.types import AppealConnection, AppealEdge, PageInfo, appeal_of
from subgraphs.common.citizen import ID_NUMBER_ARG, PHONE_ARG, citizen_lookup
from subgraphs.common.connection import AFTER, FIRST
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.node import Node, citizen_id_field
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size
from subgraphs.common.types import CITIZEN_DESCRIPTION, CITIZEN_LOOKUP_DESCRIPTION, PERSON_KEY_DESCRIPTION

__all__ = ["Citizen", "CitizenQuery"]


def _people(info: Info) -> DataLoader[str, Identifiers | None]:
    loader = info.context.loader("appeals.identifiers", lambda: identifiers_loader(info.context.directory))
    return cast(DataLoader[str, Identifiers | None], loader)


async def _visible_records(root: Citizen, info: Info) -> tuple[list[AppealRecord], PersonAppeals]:
    who = root.identifiers
    if who is None:
        who = await _people(info).load(root.person_key)
    if who is None:
        return [], PersonAppeals(())
    read = await person_reads(info).load(who)
    info.context.seen_appeals.update((r.id, r) for r in read.records)
    principal = info.context.principal
    caller = on_call_caller(principal, [r.facts for r in read.records])
    # the reduced view (a petition's existence, status and unit to hotline roles) counts in a person's history only
    # during a call with that person: otherwise it would tell whose petitions they are
    least = Scope.EXISTENCE if caller == root.person_key else Scope.FULL
    shown = [r for r in read.records if decide(principal, r.facts, on_call_with=caller, public=False).scope >= least]
    return shown, read


async def _appeals(root: Citizen, info: Info, first: FIRST = 20, after: AFTER = None) -> AppealConnection | None:
    size = check_page_size(first)
    try:
        key = decode_cursor(after).key if after else None
    except CursorError as exc:
        raise SubgraphInputError(str(exc)) from exc
    records, read = await _visible_records(root, info)
    page = page_of_person(records, lambda r: True, first=size, after=key)
    report_missing(info, dict(read.failed))
    edges = [AppealEdge(cursor=encode_cursor(Cursor(r.sort_key)), node=appeal_of(r)) for r in page.records]
    return AppealConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=key is not None and any(r.sort_key >= key for r in records),
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        unavailable_systems=sorted(read.failed, key=lambda s: s.value),
        nodes=[e.node for e in edges],
        total_count=None,
    )


@strawberry.type(description="How many appeals one system holds.")
class SystemCount:
    system: SourceSystem = strawberry.field(description="The system.")
    count: int = strawberry.field(description="How many of the person's appeals it holds.")


@strawberry.type(description="How many appeals are in one unified status.")
class StatusCount:
    status: UnifiedStatus = strawberry.field(description="The unified status.")
    count: int = strawberry.field(description="How many of the person's appeals are in it.")


@strawberry.type(
    description="A person's appeals counted over every system: in all, still open, by system and by unified status "
    "(only the appeals you may see; systems that did not answer are named and not counted)."
)
class AppealSummary:
    total_count: int = strawberry.field(description="How many appeals in all.")
    open_count: int = strawberry.field(description="How many are not yet closed, refused, redirected or void.")
    by_system: list[SystemCount] = strawberry.field(description="Counts per system, systems with none left out.")
    by_status: list[StatusCount] = strawberry.field(description="Counts per unified status, empty ones left out.")
    unavailable_systems: list[SourceSystem] = strawberry.field(
        description="Systems that did not answer: their appeals are not counted."
    )


async def _summary(root: Citizen, info: Info) -> AppealSummary | None:
    records, read = await _visible_records(root, info)
    report_missing(info, dict(read.failed))
    counted = summarize(records)
    return AppealSummary(
        total_count=counted.total,
        open_count=counted.open_count,
        by_system=[SystemCount(system=s, count=n) for s, n in counted.by_system],
        by_status=[StatusCount(status=s, count=n) for s, n in counted.by_status],
        unavailable_systems=sorted(read.failed, key=lambda s: s.value),
    )


async def _repeat_profile(root: Citizen, info: Info) -> RepeatProfile | None:
    records, read = await _visible_records(root, info)
    report_missing(info, dict(read.failed))
    return repeat_profile_of(info, records)


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen(Node):
    person_key: str = strawberry.field(description=PERSON_KEY_DESCRIPTION)
    identifiers: strawberry.Private[Identifiers | None] = None
    id: strawberry.ID = citizen_id_field()

    appeals: AppealConnection | None = strawberry.federation.field(
        directives=[CONNECTION_SIZE],
        authenticated=True,
        resolver=_appeals,
        description="The person's appeals of every system in one list, newest first (found by phone and by ID "
        "number, as each system files them). A system that does not answer leaves its appeals out and adds an "
        "error naming it.",
    )
    summary: AppealSummary | None = strawberry.federation.field(
        authenticated=True,
        resolver=_summary,
        description="The person's appeals counted by system and by unified status.",
    )

    repeat_profile: RepeatProfile | None = strawberry.federation.field(
        authenticated=True,
        resolver=_repeat_profile,
        description="一人多投专档 (repeat-filer file): the person's matters filed more than once over every system; "
        "for supervisors and the petition desk only (FORBIDDEN for other roles).",
    )

    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Citizen:
        key = representation.get("personKey")
        if not isinstance(key, str) or not key:
            raise SubgraphInputError("a Citizen representation needs its personKey")
        return cls(person_key=key, identifiers=info.context.seen_people.get(key))


def _citizen(info: Info, phone: PHONE_ARG = None, id_number: ID_NUMBER_ARG = None) -> Citizen | None:
    key, who = citizen_lookup(info.context, phone, id_number)
    return Citizen(person_key=key, identifiers=who)


@strawberry.type(description="A citizen by phone or ID number.")
class CitizenQuery:
    citizen: Citizen | None = strawberry.federation.field(
        authenticated=True,
        policy=[["person_history"]],
        resolver=_citizen,
        shareable=True,
        description=CITIZEN_LOOKUP_DESCRIPTION,
    )
