"""GraphQL types of the hotline subgraph: ``HotlineTicket`` (an ``Appeal``), its unit states and flow log.

Ids are ``"hotline:<工单编号>"`` (14 digits). What the caller sees follows :mod:`resolvers.access` (DOMAIN.md §8):
an order they may not see is ``None`` from :func:`ticket_of` (left out of lists, null by id); the petitioner is
masked for most roles, and on a confidential (保密, ``isSecret``) order only the person key remains.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from auth.principal import Role
from resolvers import domain, hotline_rules, hotline_status
from resolvers.access import Access, AppealFacts, ContentView, is_citizen_view
from resolvers.accused import Accused, accused_of_report, protection
from resolvers.adapters.hotline import HotlineClient, HotlineTicketRecord, HotlineUnitAssignment
from resolvers.hotline_reads import load_tickets, tickets_of_person
from resolvers.persons import Identifiers
from subgraphs.common.connection import Connection
from subgraphs.common.context import SubgraphContext
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.ids import appeal_id, local_id
from subgraphs.common.node import Node
from subgraphs.common.types import (
    Appeal,
    AppealClosure,
    AppealReply,
    AppealSatisfaction,
    Category,
    ClosureOutcome,
    Location,
    PersonRef,
    SatisfactionLevel,
    SourceSystem,
    TimeLimit,
    Unit,
    Urgency,
    urgency_of,
)
from subgraphs.common.visibility import Contact, access_to, shown_text

if TYPE_CHECKING:
    TicketLoader = DataLoader[str, HotlineTicketRecord | None]

__all__ = [
    "SYSTEM",
    "HotlineEarlierMatter",
    "HotlineEvent",
    "HotlineTicket",
    "HotlineTicketConnection",
    "HotlineUnitRole",
    "HotlineUnitState",
    "client_of",
    "contact_of",
    "facts_of",
    "load_ticket",
    "order_no_of",
    "ticket_of",
]

SYSTEM = "hotline"
_ORDER_NO = re.compile(r"^\d{14}$")
_CHANNELS = {"电话": "phone", "网站": "web", "微信": "wechat", "APP": "app"}


def client_of(info: Info[SubgraphContext, None]) -> HotlineClient:
    client: HotlineClient = info.context.client
    return client


def order_no_of(appeal: str) -> str:
    """The 工单编号 inside a hotline id; BAD_USER_INPUT when the id is not ``hotline:`` + 14 digits."""
    local = local_id(SYSTEM, appeal)
    if not _ORDER_NO.match(local):
        raise SubgraphInputError(f"malformed hotline id {appeal!r}: the 工单编号 is 14 digits")
    return local


async def load_ticket(info: Info[SubgraphContext, None], order_no: str) -> HotlineTicketRecord | None:
    """Through the request's DataLoader, so every lookup in one request becomes one batch read."""
    client = client_of(info)

    def make() -> TicketLoader:
        return DataLoader(load_fn=lambda keys: load_tickets(client, keys))

    loader: TicketLoader = info.context.loader("hotline.tickets", make)
    return await loader.load(order_no)


@strawberry.enum(description="A unit's role on a work order: 主办 (lead) or 协办/会办 (co-handling).")
class HotlineUnitRole(Enum):
    LEAD = strawberry.enum_value("LEAD", description="主办: the lead unit.")
    CO = strawberry.enum_value("CO", description="协办 / 会办: a unit handling it beside the lead.")


@strawberry.enum(
    name="HotlinePendingRequest",
    description="A unit's request the 12345 centre has not decided yet; the status stays what it was meanwhile.",
)
class HotlinePendingRequest(Enum):
    EXTENSION = strawberry.enum_value(
        "EXTENSION", description="延期申请中: the lead unit asked for more time (not yet EXTENDED)."
    )
    RETURN = strawberry.enum_value(
        "RETURN", description="退单申请中: the lead unit asked to hand the order back (not yet RETURNED)."
    )


def _pending(r: HotlineTicketRecord) -> HotlinePendingRequest | None:
    pending = hotline_status.pending_request(r.city_state, r.lead_state)
    return None if pending is None else HotlinePendingRequest(pending.value)


@strawberry.type(description="One unit's share of a work order (单位办理情况); returned units stay listed.")
class HotlineUnitState:
    unit: Unit = strawberry.field(description="The unit.")
    role: HotlineUnitRole = strawberry.field(description="Whether it leads or co-handles.")
    state: str = strawberry.field(description="单位状态 as the hotline says it: 待签收, 办理中, 已回复, 已退单 …")
    dispatched_at: datetime | None = strawberry.field(description="When the order was sent to the unit.")
    sign_deadline: datetime | None = strawberry.field(description="签收截止: by when the unit must sign for it.")
    deadline: datetime | None = strawberry.field(description="办理截止: by when the unit must reply.")
    signed_at: datetime | None = strawberry.field(description="When the unit signed for it.")
    replied_at: datetime | None = strawberry.field(description="When the unit replied.")
    reply: str | None = strawberry.field(description="The unit's own reply.")
    return_reason: str | None = strawberry.field(description="退单原因: why the unit sent it back.")
    extension_days: int | None = strawberry.field(description="延期: working days of extension asked for.")
    extension_reason: str | None = strawberry.field(description="Why the extension was asked for.")


@strawberry.type(description="One line of the work order's flow log (流转记录).")
class HotlineEvent:
    at: datetime = strawberry.field(description="When it happened.")
    action: str = strawberry.field(description="What happened, as the hotline says it (派单, 签收, 回复 …).")
    unit: str = strawberry.field(description="Who acted: a unit or the hotline centre.")
    note: str | None = strawberry.field(description="The note written with it.")


@strawberry.enum(description="同一事项: the state of the caller's earlier work order of the same matter.")
class HotlineEarlierMatter(Enum):
    BEING_HANDLED = strawberry.enum_value("BEING_HANDLED", description="正在办理: it is still being handled.")
    HANDLED = strawberry.enum_value("HANDLED", description="已办理完毕: it was handled and closed.")


# the roles that decide whether a call is accepted as a new work order
_ACCEPTING_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR})


async def _earlier_same_matter(root: HotlineTicket, info: Info[SubgraphContext, None]) -> HotlineEarlierMatter | None:
    if not _ACCEPTING_ROLES & info.context.principal.roles:
        return None
    r = root.record
    who = Identifiers(phone=domain.normalize_phone(r.contact_phone or r.caller_phone), id_number=r.id_number)
    if not (who.phone or who.id_number):
        return None
    others = await tickets_of_person(client_of(info), who)
    found = hotline_rules.earlier_same_matter(r, others, info.context.person_secret)
    return None if found is None else HotlineEarlierMatter(found.value)


@strawberry.federation.type(keys=["id"], description="A 12345 hotline work order (工单).")
class HotlineTicket(Appeal, Node):
    city_state: str = strawberry.field(
        description="市级状态, e.g. 已转办处理中: the same value as `sourceStatus`.",
        deprecation_reason="Use sourceStatus.",
    )
    pending_request: HotlinePendingRequest | None = strawberry.field(
        description="A request waiting for the centre's decision (延期申请中, 退单申请中); null when none."
    )
    unit_states: list[HotlineUnitState] = strawberry.field(description="单位状态: one per unit, lead first.")
    is_secret: bool = strawberry.field(description="是否保密: the reporter's identity is withheld.")
    callback_satisfied: bool | None = strawberry.field(
        description="回访: was the caller satisfied (null: no callback)."
    )
    urgency: str | None = strawberry.field(
        description="紧急程度: 一般/紧急/特急.", deprecation_reason="Use urgencyLevel, or urgencyText for the word."
    )
    urgency_level: Urgency | None = strawberry.field(description="How urgent the order is; null when not set.")
    urgency_text: str | None = strawberry.field(description="紧急程度 as the hotline says it: 一般, 紧急, 特急.")
    time_limit: int | None = strawberry.field(
        description="办理时限, in timeLimitUnit.", deprecation_reason="Use handlingLimit { amount }."
    )
    time_limit_unit: str | None = strawberry.field(
        description="工作日 or 小时.", deprecation_reason="Use handlingLimit { unit unitText }."
    )
    handling_limit: TimeLimit | None = strawberry.field(description="办理时限: how long the units have to reply.")
    dispatched_at: datetime | None = strawberry.field(description="When the order was first dispatched (派单).")
    replied_at: datetime | None = strawberry.field(
        description="When the reply was given.", deprecation_reason="Use reply { repliedAt }."
    )
    direct_answer: bool = strawberry.field(description="直接答复: a 咨询 answered on the call.")
    callback_at: datetime | None = strawberry.field(description="When the caller was called back (回访).")
    return_count: int = strawberry.field(description="退单次数")
    extension_count: int = strawberry.field(description="延期次数")
    rehandle_count: int = strawberry.field(description="重办次数")
    events: list[HotlineEvent] = strawberry.field(description="流转记录: the order's flow log, oldest first.")
    record: strawberry.Private[HotlineTicketRecord]
    earlier_same_matter: HotlineEarlierMatter | None = strawberry.field(
        resolver=_earlier_same_matter,
        description="同一事项: the caller's earlier work order of the same matter (the same person, and essentially "
        "the same facts and demand) is being handled or was handled; such a call is not accepted as a new order "
        "unless the caller brings new circumstances or reasons. Null when there is none, and for roles that do not "
        "decide acceptance (operators, dispatchers and supervisors do).",
    )

    @classmethod
    async def resolve_reference(cls, info: Info[SubgraphContext, None], id: strawberry.ID) -> HotlineTicket | None:
        record = await load_ticket(info, order_no_of(id))
        return None if record is None else ticket_of(info, record)


HotlineTicketConnection = Connection[HotlineTicket]


def _none_if_empty(text: str) -> str | None:
    return text or None


def _unit_state(a: HotlineUnitAssignment, access: Access) -> HotlineUnitState:
    return HotlineUnitState(
        unit=Unit(code=a.unit.code, name=a.unit.name),
        role=HotlineUnitRole(a.role),
        state=a.state,
        dispatched_at=a.dispatched_at,
        sign_deadline=a.sign_deadline,
        deadline=a.deadline,
        signed_at=a.signed_at,
        replied_at=a.replied_at,
        reply=shown_text(a.reply, access),
        return_reason=shown_text(a.return_reason, access),
        extension_days=a.extension_days or None,
        extension_reason=shown_text(a.extension_reason, access),
    )


def _phone(r: HotlineTicketRecord) -> str:
    return r.contact_phone or r.caller_phone


def facts_of(info: Info[SubgraphContext, None], r: HotlineTicketRecord) -> AppealFacts:
    """What the access rules need to know about a work order."""
    phone = _phone(r)
    key = (
        domain.person_key(info.context.person_secret, phone=phone, id_number=r.id_number)
        if phone or r.id_number
        else None
    )
    accused = _accused(r)
    return AppealFacts(
        system=domain.SourceSystem.HOTLINE,
        confidentiality=protection(accused, is_secret=r.is_secret),
        status=r.status,
        lead_unit=r.lead_unit.code if r.lead_unit else None,
        co_units=tuple(u.code for u in r.co_units),
        admin_code=r.admin_code or None,
        grid_code=r.grid_code or None,
        person_key=key,
        creator=r.registered_by or None,
        accused_unit=accused.unit_code if accused else None,
        accused_unresolved=accused is not None and not accused.resolved,
    )


def _accused(r: HotlineTicketRecord) -> Accused | None:
    """The accused party of a 举报 (被反映人/单位), resolved against the units the order went to."""
    return accused_of_report(r.appeal_type, r.accused, [*([r.lead_unit] if r.lead_unit else []), *r.co_units])


def contact_of(r: HotlineTicketRecord) -> Contact:
    return Contact(name=r.caller_name, phone=_phone(r), id_number=r.id_number)


def _closure(r: HotlineTicketRecord) -> AppealClosure | None:
    """The closing type is the closure level (办结类型, 三级办结: 阶段性/程序性/实质性办结) when the order was closed
    with one, else the city state."""
    if r.complete_time is None:
        return None
    text = r.closure or r.city_state or None
    return AppealClosure(closed_at=r.complete_time, outcome=ClosureOutcome.HANDLED, outcome_text=text)


def _satisfaction(r: HotlineTicketRecord) -> AppealSatisfaction | None:
    if r.callback_satisfied is None:
        return None
    level = SatisfactionLevel.SATISFIED if r.callback_satisfied else SatisfactionLevel.DISSATISFIED
    return AppealSatisfaction(level=level, score=None)


def ticket_of(
    info: Info[SubgraphContext, None], r: HotlineTicketRecord, *, on_call_with: str | None = None
) -> HotlineTicket | None:
    """The work order as the caller may see it (DOMAIN.md §8), or ``None`` when they may not see it at all;
    ``on_call_with``: the person an operator asking is on a call with (their history is open during the call)."""
    access = access_to(info, facts_of(info, r), on_call_with=on_call_with)
    if not access.visible:
        return None
    path = [p for p in r.category_name.split("/") if p]
    # §6 node 8: the citizen reads the reply after the centre's audit, never the draft under audit
    released = not is_citizen_view(info.context.principal) or hotline_status.reply_released(r.city_state)
    reply_view = access if released else replace(access, content=ContentView.NONE)
    lead_first = sorted(r.units, key=lambda a: (a.role != "LEAD", a.dispatched_at or r.call_time))
    return HotlineTicket(
        id=strawberry.ID(appeal_id(SYSTEM, r.order_no)),
        system=SourceSystem.HOTLINE,
        channel=_CHANNELS.get(r.source_channel, r.source_channel or "phone"),
        channel_text=_none_if_empty(r.source_channel),
        local_no=r.order_no,
        tracking_no=r.tracking_no,
        appeal_type=r.appeal_type,
        category=Category(unified_code=None, source_code=r.category_code or None, path=path) if path else None,
        title=shown_text(r.title, access),
        content=shown_text(r.content, access),
        petitioner=PersonRef.of(info, r.caller_name, r.caller_sex, _phone(r), r.id_number, access.pii),
        location=Location(
            text=_none_if_empty(r.address),
            admin_code12=_none_if_empty(r.admin_code),
            grid_code15=_none_if_empty(r.grid_code),
            view=access.pii,
        )
        if r.address or r.admin_code
        else None,
        received_at=r.call_time,
        lead_unit=Unit.of(r.lead_unit),
        co_units=[Unit(code=u.code, name=u.name) for u in r.co_units],
        status=r.status,
        source_status=r.city_state,
        deadline=r.deadline,
        due_at=r.deadline,
        closed_at=r.complete_time,
        closure=_closure(r),
        reply=AppealReply(
            text=shown_text(r.reply_content, reply_view), replied_at=r.reply_time, unit=Unit.of(r.lead_unit)
        )
        if r.reply_time is not None or r.reply_content
        else None,
        satisfaction=_satisfaction(r),
        confidentiality=protection(_accused(r), is_secret=r.is_secret),
        city_state=r.city_state,
        pending_request=_pending(r),
        unit_states=[_unit_state(a, reply_view) for a in lead_first],
        is_secret=r.is_secret,
        callback_satisfied=r.callback_satisfied,
        urgency=_none_if_empty(r.urgency),
        urgency_level=urgency_of(r.urgency),
        urgency_text=_none_if_empty(r.urgency),
        handling_limit=TimeLimit.of(r.time_limit, r.time_unit),
        time_limit=r.time_limit,
        time_limit_unit=_none_if_empty(r.time_unit) if r.time_limit else None,
        dispatched_at=r.dispatch_time,
        replied_at=r.reply_time,
        direct_answer=r.direct_answer,
        callback_at=r.callback_time,
        return_count=r.return_count,
        extension_count=r.extension_count,
        rehandle_count=r.rehandle_count,
        events=[
            HotlineEvent(at=e.at, action=e.action, unit=e.unit, note=shown_text(e.note, access)) for e in r.history
        ],
        record=r,
    )
