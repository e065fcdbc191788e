"""Root fields of the appeals subgraph: one appeal by any system's id, and the merged search."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, cast
from zoneinfo import ZoneInfo

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from resolvers.access import decide, is_citizen_view
from resolvers.adapters.errors import LegacyError
from resolvers.appeals.criteria import AppealCriteria, matches
from resolvers.appeals.cursor import CursorError, decode_cursor, encode_cursor
from resolvers.appeals.reads import UnknownSystem, record_loader, split_id
from resolvers.appeals.record import AppealRecord
from resolvers.appeals.search import Page, search_appeals
from resolvers.appeals.sources import AppealSource, Sources
from resolvers.domain import SourceSystem, normalize_id_number, normalize_phone, person_key
from subgraphs.appeals.tracking import warning_of
from subgraphs.appeals.types import Appeal, AppealConnection, AppealEdge, AppealFilter, PageInfo, appeal_of
from subgraphs.common.errors import SubgraphInputError, error_extensions
from subgraphs.common.paging import CONNECTION_SIZE, check_page_size

__all__ = ["Query", "connection_of", "sources_of"]

BEIJING = ZoneInfo("Asia/Shanghai")

FIRST_HELP = "How many appeals, 1 to 100 (default 20)."
AFTER_HELP = "The `endCursor` of the previous page (or any edge's `cursor`) to continue after it."


def sources_of(info: Info) -> Sources:
    return cast(Sources, info.context.client)


def _source(info: Info, system: SourceSystem) -> AppealSource | None:
    return sources_of(info).get(system)


def _local(moment: datetime | None) -> datetime | None:
    """The legacy systems keep naive Beijing time; a client's time with an offset is converted to it."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(BEIJING).replace(tzinfo=None)


def criteria_of(info: Info, given: AppealFilter | None) -> AppealCriteria:
    if given is None:
        return AppealCriteria()
    if given.source_status is not None:
        raise SubgraphInputError("sourceStatus is a system's own word: filter one system's list by it, or use statuses")
    phone = normalize_phone(given.phone) if given.phone else ""
    ident = normalize_id_number(given.id_number) if given.id_number else ""
    if given.phone is not None and len(phone) < 7:
        raise SubgraphInputError("malformed phone number in the filter")
    key = person_key(info.context.person_secret, phone=phone, id_number=ident) if phone or ident else ""
    return AppealCriteria(
        text=(given.text or "").strip(),
        systems=frozenset(given.systems or ()),
        statuses=frozenset(given.statuses or ()),
        unit_code=given.unit_code or "",
        admin_code=given.admin_code or "",
        grid_code=given.grid_code or "",
        received_from=_local(given.received_from),
        received_to=_local(given.received_before),
        person_key=key,
        phone=phone,
        id_number=ident,
        warning_colours=frozenset(given.warning_colours or ()),
    )


def report_missing(info: Info, failed: dict[SourceSystem, LegacyError]) -> None:
    """One error per system left out of a partial answer, at the field's path; ``extensions.service`` (which the
    gateway keeps) and ``extensions.system`` name it as a ``SourceSystem`` value."""
    for system, error in sorted(failed.items(), key=lambda x: x[0].value):
        info.context.partial_errors.append(
            GraphQLError(
                f"{system.value} did not answer: its appeals are missing from this list",
                path=info.path.as_list(),
                extensions={**(error_extensions(error) or {}), "system": system.value},
            )
        )


def connection_of(info: Info, page: Page) -> AppealConnection:
    info.context.seen_appeals.update((item.record.id, item.record) for item in page.items)
    edges = [AppealEdge(cursor=encode_cursor(item.cursor), node=appeal_of(item.record)) for item in page.items]
    report_missing(info, dict(page.failed))
    return AppealConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        unavailable_systems=sorted(page.failed, key=lambda s: s.value),
        nodes=[edge.node for edge in edges],
        total_count=None,
    )


def visible(info: Info, record: AppealRecord) -> bool:
    return decide(info.context.principal, record.facts).visible


async def appeal(
    info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The appeal's id.")]
) -> Appeal | None:
    try:
        system, local = split_id(str(id))
    except UnknownSystem as exc:
        raise SubgraphInputError(str(exc)) from exc
    source = _source(info, system)
    if source is None:
        raise SubgraphInputError(f"{system.value} appeals are not served by this graph")
    loader = info.context.loader(f"appeals.{system.value}", lambda: record_loader(source))
    record = cast(AppealRecord | None, await loader.load(local))
    if record is not None:
        info.context.seen_appeals[record.id] = record
    if record is None or not visible(info, record):
        return None  # an appeal the caller may not see is indistinguishable from one that does not exist
    return appeal_of(record)


async def appeals(
    info: Info,
    filter: Annotated[AppealFilter | None, strawberry.argument(description="Which appeals; all by default.")] = None,
    first: Annotated[int | None, strawberry.argument(description=FIRST_HELP)] = 20,
    after: Annotated[str | None, strawberry.argument(description=AFTER_HELP)] = None,
) -> AppealConnection | None:
    size = check_page_size(first)
    criteria = criteria_of(info, filter)
    try:
        cursor = decode_cursor(after) if after else None
    except CursorError as exc:
        raise SubgraphInputError(str(exc)) from exc
    page = await search_appeals(
        sources_of(info),
        criteria,
        lambda r: matches(criteria, r) and visible(info, r),
        first=size,
        after=cursor,
        refine=_by_warning(info, criteria) if criteria.warning_colours else None,
    )
    return connection_of(info, page)


def _by_warning(info: Info, criteria: AppealCriteria) -> Callable[[Sequence[AppealRecord]], Awaitable[Sequence[bool]]]:
    """Keeps the records whose warning now has one of the colours asked for (the warning field's own value)."""
    principal = info.context.principal
    if not principal.authenticated or is_citizen_view(principal):
        raise SubgraphInputError("warningColours is for staff: warnings are never shown to citizens")

    async def refine(records: Sequence[AppealRecord]) -> Sequence[bool]:
        found = await asyncio.gather(*(warning_of(appeal_of(record), info) for record in records))
        return [w is not None and w.colour in criteria.warning_colours for w in found]

    return refine


@strawberry.type(description="Cross-system lookup: any appeal by id, and one search over every system.")
class Query:
    appeal: Appeal | None = strawberry.field(
        resolver=appeal,
        description="One appeal of any system by its id; null when there is none or you may not see it.",
    )
    appeals: AppealConnection | None = strawberry.field(
        directives=[CONNECTION_SIZE],
        resolver=appeals,
        description="Appeals of every system in one list, newest first, read from each system at once. A system "
        "that does not answer leaves its appeals out and adds an error naming it.",
    )
