"""GraphQL types of the petition subgraph: ``Petition`` (implements ``Appeal``) and its native parts.

A ``Petition`` is built from one :class:`~resolvers.adapters.petition.PetitionRecord`. The petitioner appears only
as a :class:`~subgraphs.common.types.PersonRef` shown as the caller's access allows (:mod:`resolvers.access`); the
查询码 and the petitioner's home address stay server-side, and the accused of a 检举控告 item is not part of the
schema at all (信访工作条例 Art 30 ¶3) — the accused unit does not even see that the item exists.

Hotline roles (坐席, 派单员) get the reduced view (DOMAIN.md §8: existence, status and unit only): the fields marked
with :class:`~subgraphs.common.visibility.FullViewOnly` answer null with a ``FORBIDDEN`` error at their path.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from resolvers import domain, petition_limits, petition_rules, petition_status
from resolvers.access import Access, AppealFacts, PiiView
from resolvers.accused import resolve_accused
from resolvers.adapters.petition import PetitionClient, PetitionCriteria, PetitionRecord
from resolvers.domain import SourceSystem as DomainSourceSystem
from resolvers.domain import normalize_id_number, normalize_phone
from resolvers.petitions import appeal_type, channel, confidentiality, petition_loader
from subgraphs.common.connection import Connection
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
    Unit,
    Urgency,
    describe_values,
    urgency_of,
)
from subgraphs.common.visibility import Contact, FullViewOnly, access_to, shown_text

__all__ = [
    "SYSTEM",
    "Petition",
    "PetitionConnection",
    "PetitionFlags",
    "PetitionOpinion",
    "PetitionReview",
    "PetitionStatutoryStage",
    "contact_of",
    "facts_of",
    "petition_client",
    "petition_of",
]

SYSTEM = "petition"

PetitionStage = strawberry.enum(
    petition_status.PetitionStage,
    name="PetitionStage",
    description="Where a 信访件 stands in the 信访工作条例 procedure; `sourceStatus` keeps the system's own name.",
)
PetitionStatutoryLimit = strawberry.enum(
    petition_limits.StatutoryLimit,
    name="PetitionStatutoryLimit",
    description="The 信访工作条例 time limit that runs: ROUTING 15日 (Art 22), ACCEPTANCE_NOTICE 15日 (Art 23), "
    "HANDLING 60日 and EXTENDED_HANDLING 60+≤30日 (Art 34), REVIEW_REQUEST/REVIEW_DECISION 30日 (Art 35), "
    "RECHECK_REQUEST/RECHECK_DECISION 30日 (Art 36).",
)
describe_values(
    petition_status.PetitionStage,
    {
        "REGISTERED": "登记: registered.",
        "ROUTED": "转送 / 交办: routed to the organ that handles it (Art 22).",
        "ACCEPTED": "受理: accepted and being handled (Art 23, 34).",
        "NOT_ACCEPTED": "不予受理: not accepted.",
        "REDIRECTED_TO_PROCEDURE": "导入法定程序: sent to litigation, arbitration or administrative review (Art 31).",
        "EXTENDED": "延期: handling extended (Art 34).",
        "OPINION_ISSUED": "出具处理意见书: the opinion was issued (Art 32).",
        "REVIEW_REQUESTED": "申请复查: the petitioner asked for a review (Art 35).",
        "REVIEW_DECIDED": "复查意见: the review was decided.",
        "RECHECK_REQUESTED": "申请复核: the petitioner asked for a second review (Art 36).",
        "RECHECK_DECIDED": "复核意见: the second review was decided.",
        "CLOSED": "办结: closed.",
        "TERMINATED": "终结: no further petitions on the matter are accepted (Art 36).",
    },
)
describe_values(
    petition_limits.StatutoryLimit,
    {
        "ROUTING": "转送交办: 15 日 to route it (Art 22).",
        "ACCEPTANCE_NOTICE": "受理告知: 15 日 to say in writing whether it is accepted (Art 23).",
        "HANDLING": "办结: 60 日 to close it from acceptance (Art 34).",
        "EXTENDED_HANDLING": "延期办结: 60 日 plus an extension of at most 30 (Art 34).",
        "REVIEW_REQUEST": "申请复查: 30 日 for the petitioner to ask for a review (Art 35).",
        "REVIEW_DECISION": "复查意见: 30 日 to decide the review (Art 35).",
        "RECHECK_REQUEST": "申请复核: 30 日 for the petitioner to ask for a second review (Art 36).",
        "RECHECK_DECISION": "复核意见: 30 日 to decide the second review (Art 36).",
    },
)
PetitionLimitHolder = strawberry.enum(
    petition_limits.LimitHolder,
    name="PetitionLimitHolder",
    description="Whose limit it is: ORGAN must act by the due date; PETITIONER may act until it.",
)
describe_values(
    petition_limits.LimitHolder,
    {
        "ORGAN": "The petition organ must act by the due date.",
        "PETITIONER": "The petitioner may act until the due date.",
    },
)


def petition_client(info: Info) -> PetitionClient:
    return cast(PetitionClient, info.context.client)


def petitions_by_number(info: Info) -> DataLoader[str, PetitionRecord | None]:
    loader = info.context.loader("petition.by_number", lambda: petition_loader(petition_client(info)))
    return cast(DataLoader[str, PetitionRecord | None], loader)


@strawberry.type(description="The statutory limit running now and when it falls due (calendar days, 日).")
class PetitionStatutoryStage:
    limit: PetitionStatutoryLimit = strawberry.field(description="Which limit runs.")  # type: ignore[valid-type]
    holder: PetitionLimitHolder = strawberry.field(description="Whose limit it is.")  # type: ignore[valid-type]
    article: str = strawberry.field(description="The article of 信访工作条例 (2022) that sets the limit.")
    days: int = strawberry.field(description="How many calendar days (日) the limit gives.")
    started_at: datetime = strawberry.field(description="When the limit started to run.")
    due_at: datetime = strawberry.field(description="When it falls due.")
    overdue: bool = strawberry.field(description="The due date has passed (as of this answer).")


@strawberry.enum(name="PetitionChannel", description="Where 信访工作条例 Art 22 sends a 信访件.")
class PetitionChannel(Enum):
    ORDINARY = strawberry.enum_value("ORDINARY", description="转送/交办 to the organ in charge.")
    POLITICAL_LEGAL = strawberry.enum_value(
        "POLITICAL_LEGAL", description="涉法涉诉: to the 政法 organs (courts, procuratorate, public security)."
    )
    DISCIPLINE = strawberry.enum_value("DISCIPLINE", description="检举控告: to the 纪检监察 organs.")


@strawberry.enum(name="PetitionAcceptanceBar", description="Why a 信访件 may not be accepted (受理) again.")
class PetitionAcceptanceBar(Enum):
    BEING_HANDLED = strawberry.enum_value(
        "BEING_HANDLED", description="Art 19 ¶3: the same matter of the same petitioner is accepted or in handling."
    )
    CLOSED_AFTER_RECHECK = strawberry.enum_value(
        "CLOSED_AFTER_RECHECK", description="Art 36: the same matter was closed after 复核; it is not accepted again."
    )


async def _acceptance_bar(root: Petition, info: Info) -> PetitionAcceptanceBar | None:
    record = root.record
    if not (record.phone or record.id_number):
        return None
    page = await petition_client(info).search(
        PetitionCriteria(phone=normalize_phone(record.phone), id_number=normalize_id_number(record.id_number)),
        offset=0,
        limit=100,
    )
    bar = petition_rules.bar_against(record, page.records, info.context.person_secret)
    return None if bar is None else PetitionAcceptanceBar(bar.value)


@strawberry.type(description="Markers the petition office sets on a 信访件.")
class PetitionFlags:
    group: bool = strawberry.field(description="群体访 (cf. Art 20: ≤5 representatives).")
    joint: bool = strawberry.field(description="联名信访.")
    to_beijing: bool = strawberry.field(description="进京访.")
    skip_level: bool = strawberry.field(description="越级访.")
    repeat: bool = strawberry.field(description="重复访: the same person and matter again.")


@strawberry.type(description="信访处理意见书 (Art 32).")
class PetitionOpinion:
    outcome: str = strawberry.field(
        description="支持 / 解释说明 / 不予支持.", deprecation_reason="Use closure { outcome outcomeText }."
    )
    text: str | None = strawberry.field(description="The opinion's text.")
    issued_at: datetime = strawberry.field(description="When it was issued.")


@strawberry.enum(name="PetitionReviewKind", description="复查 (Art 35) or 复核 (Art 36).")
class PetitionReviewKind(Enum):
    REVIEW = strawberry.enum_value("REVIEW", description="复查: a review by the organ above (Art 35).")
    RECHECK = strawberry.enum_value("RECHECK", description="复核: a second review (Art 36).")


@strawberry.type(description="A 复查 or 复核 the petitioner asked for, and its answer once given.")
class PetitionReview:
    kind: PetitionReviewKind = strawberry.field(description="复查 or 复核.")
    requested_at: datetime = strawberry.field(description="When the petitioner asked for it.")
    decided_at: datetime | None = strawberry.field(description="When it was decided; null while pending.")
    opinion: str | None = strawberry.field(description="The decision's text.")


def _text(value: str) -> str | None:
    return value or None


def _statutory_stage(record: PetitionRecord, now: datetime) -> PetitionStatutoryStage | None:
    stage = petition_limits.statutory_stage(record)
    if stage is None:
        return None
    return PetitionStatutoryStage(
        limit=stage.limit,
        holder=stage.holder,
        article=stage.article,
        days=stage.days,
        started_at=stage.started_at,
        due_at=stage.due_at,
        overdue=stage.overdue(now),
    )


def _reviews(record: PetitionRecord, access: Access) -> list[PetitionReview]:
    reviews: list[PetitionReview] = []
    if record.review_requested_at is not None:
        reviews.append(
            PetitionReview(
                kind=PetitionReviewKind.REVIEW,
                requested_at=record.review_requested_at,
                decided_at=record.review_decided_at,
                opinion=shown_text(record.review_opinion, access),
            )
        )
    if record.recheck_requested_at is not None:
        reviews.append(
            PetitionReview(
                kind=PetitionReviewKind.RECHECK,
                requested_at=record.recheck_requested_at,
                decided_at=record.recheck_decided_at,
                opinion=shown_text(record.recheck_opinion, access),
            )
        )
    return reviews


def _location(record: PetitionRecord, view: PiiView) -> Location | None:
    if not record.location_name and not record.location_code:
        return None
    code = record.location_code if len(record.location_code) == 12 else None
    return Location(text=_text(record.location_name), admin_code12=code, grid_code15=None, view=view)


@strawberry.federation.type(keys=["id"], description="A 信访件 in the petition system (信访工作条例 2022).")
class Petition(Appeal, Node):
    access: strawberry.Private[Access | None]
    title: str | None = strawberry.field(
        permission_classes=[FullViewOnly], description="The title; withheld from the reduced view."
    )
    content: str | None = strawberry.field(
        permission_classes=[FullViewOnly],
        description="What the petitioner wrote or said; withheld from the reduced view.",
    )
    petitioner: PersonRef | None = strawberry.field(
        permission_classes=[FullViewOnly],
        description="信访人: the petitioner, as your role allows; withheld from the reduced view.",
    )
    location: Location | None = strawberry.field(
        permission_classes=[FullViewOnly], description="事发地: where the matter is; withheld from the reduced view."
    )
    category: Category | None = strawberry.field(
        permission_classes=[FullViewOnly], description="内容分类: what it is about; withheld from the reduced view."
    )
    reply: AppealReply | None = strawberry.field(
        permission_classes=[FullViewOnly],
        description="信访处理意见书 (Art 32) as the reply; withheld from the reduced view.",
    )
    closure: AppealClosure | None = strawberry.field(
        permission_classes=[FullViewOnly],
        description="How the petition was closed: the outcome of its 处理意见; withheld from the reduced view.",
    )
    form: str = strawberry.field(description="信访形式 as the system records it: 来信/来访/网上/来电/传真.")
    petition_date: date = strawberry.field(description="信访日期 (for letters, the date on the letter).")
    stage: PetitionStage = strawberry.field(  # type: ignore[valid-type]
        description="Where the petition stands in the statutory procedure."
    )
    handling_deadline: datetime | None = strawberry.field(description="限办截止时间 of the current stage.")
    statutory_stage: PetitionStatutoryStage | None = strawberry.field(
        description="The statutory limit running now; null once the petition is closed, refused or redirected."
    )
    is_accusation: bool = strawberry.field(description="检举控告: its materials never reach the accused (Art 30).")
    persons_involved: int = strawberry.field(description="涉及人数.")
    flags: PetitionFlags | None = strawberry.field(
        permission_classes=[FullViewOnly], description="Risk markers; withheld from the reduced view."
    )
    urgency: str | None = strawberry.field(
        description="紧急程度: 一般/紧急/特急.", deprecation_reason="Use urgencyLevel, or urgencyText for the word."
    )
    urgency_level: Urgency | None = strawberry.field(description="How urgent the petition is; null when not set.")
    urgency_text: str | None = strawberry.field(description="紧急程度 as the system says it: 一般, 紧急, 特急.")
    registrar: str | None = strawberry.field(
        permission_classes=[FullViewOnly], description="登记人 (petition office staff)."
    )
    province_no: str | None = strawberry.field(
        description="省信访件编号, when the matter came down from the province.",
        deprecation_reason="Use provinceNumber.",
    )
    province_number: str | None = strawberry.field(
        description="省信访件编号: the province's number, when the matter came down from the province."
    )
    routing_mode: str | None = strawberry.field(description="转送 or 交办 (Art 22).")
    routed_at: datetime | None = strawberry.field(description="When it was routed (转送/交办).")
    accepted_at: datetime | None = strawberry.field(description="受理 (or refusal) with its written notice.")
    refusal_reason: str | None = strawberry.field(
        permission_classes=[FullViewOnly], description="不予受理 reason, or the procedure it was redirected to."
    )
    extension_days: int = strawberry.field(description="延期天数 (≤30, once; Art 34).")
    extended_to: datetime | None = strawberry.field(description="The handling deadline after the extension.")
    opinion: PetitionOpinion | None = strawberry.field(
        permission_classes=[FullViewOnly],
        description="信访处理意见书 (Art 32).",
        deprecation_reason="Use reply and closure.",
    )
    reviews: list[PetitionReview] | None = strawberry.field(
        permission_classes=[FullViewOnly], description="复查/复核; withheld from the reduced view."
    )
    handled_late: bool = strawberry.field(description="是否超期: a step was taken after its statutory limit.")
    route_channel: PetitionChannel = strawberry.field(
        description="Where Art 22 sends it: 政法 for matters of courts and law enforcement, 纪检监察 for 检举控告, "
        "else the ordinary channel."
    )
    remit_objection_due_at: datetime | None = strawberry.field(
        description="Art 23: until when the organ it was routed to may object that it is outside its remit (5 "
        "working days after routing, holidays and make-up days counted); null before routing."
    )
    record: strawberry.Private[PetitionRecord]
    acceptance_bar: PetitionAcceptanceBar | None = strawberry.field(
        resolver=_acceptance_bar,
        permission_classes=[FullViewOnly],
        description="Whether the same matter of the same petitioner (同人+同事: the person, and essentially the same "
        "facts and demand) bars accepting this one: being handled already (Art 19 ¶3) or closed after 复核 "
        "(Art 36); null when nothing bars it.",
    )

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Petition | None:
        number = local_id(SYSTEM, str(representation.get("id", "")))
        record = await petitions_by_number(info).load(number)
        return None if record is None else petition_of(info, record)


def facts_of(info: Info, record: PetitionRecord) -> AppealFacts:
    """What the access rules need to know about a petition (the accused included, which is never shown)."""
    key = (
        domain.person_key(info.context.person_secret, phone=record.phone, id_number=record.id_number)
        if record.phone or record.id_number
        else None
    )
    units = [record.lead_unit] if record.lead_unit else []
    accused = resolve_accused(record.accused, units) if record.is_accusation else None
    return AppealFacts(
        system=DomainSourceSystem.PETITION,
        confidentiality=confidentiality(record),
        status=petition_status.STAGE_STATUS[petition_status.petition_stage(record.source_status)],
        lead_unit=record.lead_unit.code if record.lead_unit else None,
        accused_unit=accused.unit_code if accused else None,
        accused_unresolved=accused is not None and not accused.resolved,
        admin_code=record.location_code or None,
        person_key=key,
        creator=record.registrar or None,
    )


def contact_of(record: PetitionRecord) -> Contact:
    return Contact(name=record.petitioner_name, phone=record.phone, id_number=record.id_number)


_OUTCOMES = {
    "支持": ClosureOutcome.SUPPORTED,
    "部分支持": ClosureOutcome.PARTLY_SUPPORTED,
    "解释说明": ClosureOutcome.EXPLAINED,
    "不予支持": ClosureOutcome.NOT_SUPPORTED,
}


def _closure(record: PetitionRecord) -> AppealClosure | None:
    if record.closed_at is None:
        return None
    outcome = record.opinion_outcome or None
    return AppealClosure(
        closed_at=record.closed_at,
        outcome=_OUTCOMES.get(outcome or "", ClosureOutcome.HANDLED),
        outcome_text=outcome,
    )


def _due_at(record: PetitionRecord) -> datetime | None:
    """限办截止 while a limit runs; for an accepted petition without one (closed, say), the end of its 60 日 of
    handling from acceptance, extension included (Art 34)."""
    if record.handling_deadline is not None:
        return record.handling_deadline
    if record.accepted_at is None:
        return None
    return record.accepted_at + timedelta(days=60 + record.extension_days)


def _reply(record: PetitionRecord, access: Access) -> AppealReply | None:
    if record.opinion_at is None:
        return None
    return AppealReply(
        text=shown_text(record.opinion_text, access), replied_at=record.opinion_at, unit=Unit.of(record.lead_unit)
    )


def petition_of(info: Info, record: PetitionRecord) -> Petition | None:
    """The petition as the caller may see it (DOMAIN.md §8), or ``None`` when they may not see it at all."""
    access = access_to(info, facts_of(info, record))
    if not access.visible:
        return None
    now = datetime.now()
    stage = petition_status.petition_stage(record.source_status)
    extended_to = (
        record.accepted_at + timedelta(days=60 + record.extension_days)
        if record.extension_days and record.accepted_at is not None
        else None
    )
    opinion = (
        PetitionOpinion(
            outcome=record.opinion_outcome, text=shown_text(record.opinion_text, access), issued_at=record.opinion_at
        )
        if record.opinion_at is not None
        else None
    )
    return Petition(
        id=strawberry.ID(appeal_id(SYSTEM, record.petition_no)),
        system=DomainSourceSystem.PETITION,
        channel=channel(record),
        channel_text=record.form or None,
        local_no=record.petition_no,
        tracking_no=record.petition_no,
        appeal_type=appeal_type(record),
        category=Category(unified_code=None, source_code=None, path=[record.content_class])
        if record.content_class
        else None,
        access=access,
        title=shown_text(record.title, access),
        content=shown_text(record.content, access),
        petitioner=PersonRef.of(
            info, record.petitioner_name, record.petitioner_sex, record.phone, record.id_number, access.pii
        ),
        location=_location(record, access.pii),
        received_at=record.registered_at,
        lead_unit=Unit.of(record.lead_unit),
        co_units=[],
        status=petition_status.STAGE_STATUS[stage],
        source_status=record.source_status,
        deadline=record.handling_deadline,
        due_at=_due_at(record),
        closed_at=record.closed_at,
        closure=_closure(record),
        reply=_reply(record, access),
        satisfaction=AppealSatisfaction.of_score(record.evaluation_score),  # the petitioner's own (Art 21)
        confidentiality=confidentiality(record),
        form=record.form,
        petition_date=record.petition_date,
        stage=stage,
        handling_deadline=record.handling_deadline,
        statutory_stage=_statutory_stage(record, now),
        is_accusation=record.is_accusation,
        persons_involved=record.persons_involved,
        flags=PetitionFlags(
            group=record.is_group,
            joint=record.is_joint,
            to_beijing=record.to_beijing,
            skip_level=record.skip_level,
            repeat=record.is_repeat,
        ),
        urgency=_text(record.urgency),
        urgency_level=urgency_of(record.urgency),
        urgency_text=_text(record.urgency),
        registrar=_text(record.registrar),
        province_no=_text(record.province_no),
        province_number=_text(record.province_no),
        routing_mode=_text(record.routing_mode),
        routed_at=record.routed_at,
        accepted_at=record.accepted_at,
        refusal_reason=shown_text(record.refusal_reason, access),
        extension_days=record.extension_days,
        extended_to=extended_to,
        opinion=opinion,
        reviews=_reviews(record, access),
        handled_late=record.overdue,
        route_channel=PetitionChannel(
            petition_rules.channel_for(record.purpose, f"{record.title} {record.content}").value
        ),
        remit_objection_due_at=(
            petition_rules.objection_due(record.routed_at, info.context.calendar) if record.routed_at else None
        ),
        record=record,
    )


PetitionConnection = Connection[Petition]
