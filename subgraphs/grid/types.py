"""The grid subgraph's types: ``GridEvent`` (an ``Appeal``), its connection, and the grid side of ``Citizen``."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types import Info

from resolvers import grid_mapping
from resolvers.access import AppealFacts
from resolvers.adapters.grid import GridEvent as GridEventRecord
from resolvers.domain import SourceSystem, person_key
from resolvers.grid_events import EventFilters, citizen_events, event_window, load_event, load_identifiers
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
    Category,
    ClosureOutcome,
    Location,
    PersonRef,
    TimeLimit,
    Unit,
)
from subgraphs.common.visibility import access_to, shown_text

__all__ = ["SYSTEM", "Citizen", "GridEvent", "GridEventConnection", "event_connection"]

SYSTEM = "grid"


@strawberry.federation.type(
    keys=["id"],
    description="网格事件: an event in the grid management system (数字城管), reported by the public, 12345, a "
    "grid worker or a supervisor and taken along 上报→(核实)→立案→派遣→处置→反馈→核查→结案.",
)
class GridEvent(Appeal, Node):
    task_number: str = strawberry.field(description="任务号, the grid system's own number.")
    task_num: str = strawberry.field(
        description="任务号, the grid system's own number.", deprecation_reason="Use taskNumber."
    )
    event_source: str = strawberry.field(description="问题来源: 监督员 / 网格员 / 12345热线 / 公众.")
    event_code: str = strawberry.field(description="事件类型 code: 2-digit major + 2-digit minor class, e.g. 0102.")
    event_class: str = strawberry.field(description="大类/小类 names, e.g. 市容环境/暴露垃圾.")
    cell_grid_code: str = strawberry.field(description="单元网格 code (15 digits).")
    duty_grid_code: str | None = strawberry.field(description="责任网格 code.")
    handling_unit: Unit | None = strawberry.field(description="处置部门: the unit dispatched (派遣) to handle it.")
    execute_dept: Unit | None = strawberry.field(
        description="处置部门, once dispatched (派遣).", deprecation_reason="Use handlingUnit."
    )
    limit_working_hours: int | None = strawberry.field(
        description="处置时限 in working hours (工作时: 9:00–12:00, 13:30–17:30 on working days), from 派遣.",
        deprecation_reason="Use handlingLimit.",
    )
    handling_limit: TimeLimit | None = strawberry.field(
        description="处置时限: working hours (9:00–12:00, 13:30–17:30 on working days) from dispatch."
    )
    archive_type: str | None = strawberry.field(description="结案类型: 正常 / 超时 / 差错 / 特殊, once closed.")

    @classmethod
    def from_record(cls, info: Info, record: GridEventRecord) -> GridEvent | None:
        """The event as the caller may see it (DOMAIN.md §8), or ``None`` when they may not see it at all."""
        access = access_to(info, facts_of(info, record))
        if not access.visible:
            return None
        dept = Unit.of(record.execute_dept)
        return cls(
            id=strawberry.ID(appeal_id(SYSTEM, record.task_num)),
            system=SourceSystem.GRID,
            channel=grid_mapping.channel(record.source),
            channel_text=record.source or None,
            local_no=record.task_num,
            tracking_no=record.task_num,
            appeal_type=grid_mapping.appeal_type(record.reflect_type),
            category=Category(
                unified_code=grid_mapping.unified_category(record.event_code),
                source_code=record.event_code,
                path=[name for name in (record.major_name, record.minor_name) if name],
            ),
            title=f"{record.minor_name}：{record.street}{record.community}" if record.minor_name else None,
            content=shown_text(record.description, access),
            petitioner=PersonRef.of(info, record.reporter_name, None, record.reporter_phone, "", access.pii),
            location=Location(
                text=record.address or None,
                admin_code12=record.admin_code12,
                grid_code15=record.cell_grid_code,
                lng=record.lng,
                lat=record.lat,
                view=access.pii,
            ),
            received_at=record.discovered_at,
            lead_unit=dept,
            co_units=[],
            status=grid_mapping.unified_status(record.state),
            source_status=record.state,
            deadline=record.deadline,
            due_at=record.deadline,
            closed_at=record.archived_at or record.cancelled_at,
            closure=_closure(record),
            reply=AppealReply(text=None, replied_at=record.replied_at, unit=dept)
            if record.replied_at is not None
            else None,
            satisfaction=None,  # the grid system asks no evaluation
            confidentiality=grid_mapping.confidentiality(record.is_secret),
            task_number=record.task_num,
            task_num=record.task_num,
            event_source=record.source,
            event_code=record.event_code,
            event_class="/".join(n for n in (record.major_name, record.minor_name) if n),
            cell_grid_code=record.cell_grid_code,
            duty_grid_code=record.duty_grid_code or None,
            handling_unit=dept,
            execute_dept=dept,
            limit_working_hours=record.limit_working_hours,
            handling_limit=TimeLimit.of(record.limit_working_hours, "工作时"),
            archive_type=record.archive_type,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> GridEvent | None:
        record = await load_event(info.context, local_id(SYSTEM, id))
        return None if record is None else cls.from_record(info, record)


def _closure(record: GridEventRecord) -> AppealClosure | None:
    if record.cancelled_at is not None:
        return AppealClosure(closed_at=record.cancelled_at, outcome=ClosureOutcome.CANCELLED, outcome_text="作废")
    if record.archived_at is None:
        return None
    return AppealClosure(
        closed_at=record.archived_at, outcome=ClosureOutcome.HANDLED, outcome_text=record.archive_type or None
    )


def facts_of(info: Info, record: GridEventRecord) -> AppealFacts:
    """What the access rules need to know about a grid event."""
    phone = record.reporter_phone
    return AppealFacts(
        system=SourceSystem.GRID,
        confidentiality=grid_mapping.confidentiality(record.is_secret),
        status=grid_mapping.unified_status(record.state),
        lead_unit=record.execute_dept.code if record.execute_dept else None,
        admin_code=record.admin_code12,
        grid_code=record.cell_grid_code or None,
        person_key=person_key(info.context.person_secret, phone=phone) if phone else None,
    )


GridEventConnection = Connection[GridEvent]


async def event_connection(
    info: Info, filters: EventFilters | Sequence[EventFilters], first: int | None, after: str | None
) -> GridEventConnection:
    """One page of the grid's event list, keyset-stable over its page numbers; several filters (one per legacy
    state) are read as one list merged by time."""
    client = info.context.client

    def reader(one: EventFilters) -> Fetch[GridEventRecord]:
        async def fetch(offset: int, limit: int) -> Window[GridEventRecord]:
            found = await event_window(client, one, offset=offset, limit=limit)
            return Window(found.items, found.total)

        return fetch

    each = [filters] if isinstance(filters, EventFilters) else list(filters)
    fetch = merged_fetch([reader(f) for f in each], lambda r: (r.discovered_at, r.task_num))
    page = await read_page(fetch, lambda r: r.task_num, info.context.person_secret, check_page_size(first), after)
    return connection_of(page, lambda r: GridEvent.from_record(info, r))


async def _citizen_events(root: Citizen, info: Info) -> list[GridEvent] | None:
    if not root.phone:
        return []  # the grid system records reporters by phone only
    records = await citizen_events(info.context.client, root.phone)
    return [e for r in records if (e := GridEvent.from_record(info, r)) is not None]


async def _citizen_event_connection(
    root: Citizen, info: Info, first: FIRST = 20, after: AFTER = None
) -> GridEventConnection | None:
    if not root.phone:
        check_page_size(first)
        return empty_connection()  # the grid system records reporters by phone only
    return await event_connection(info, EventFilters(phone=root.phone), first, after)


@strawberry.federation.type(keys=["personKey"], description=CITIZEN_DESCRIPTION)
class Citizen(Node):
    person_key: str = strawberry.field(description=PERSON_KEY_DESCRIPTION)
    phone: strawberry.Private[str] = ""
    id_number: strawberry.Private[str] = ""
    id: strawberry.ID = citizen_id_field()

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: object) -> Citizen:
        key = representation.get("personKey")
        if not isinstance(key, str) or not key:
            raise SubgraphInputError("a Citizen representation needs a personKey string")
        known = await load_identifiers(info.context, key)
        if known is None:
            return cls(person_key=key)
        return cls(person_key=key, phone=known.phone, id_number=known.id_number)

    grid_events: list[GridEvent] | None = strawberry.federation.field(
        authenticated=True,
        resolver=_citizen_events,
        description="Grid events this citizen reported (by phone); empty when the key is unknown.",
        deprecation_reason="Use gridEventsConnection, which pages through all of them.",
    )
    grid_events_connection: GridEventConnection | None = strawberry.federation.field(
        directives=[CONNECTION_SIZE],
        authenticated=True,
        resolver=_citizen_event_connection,
        description="Grid events this citizen reported (by phone), newest first; empty when the key is unknown.",
    )
