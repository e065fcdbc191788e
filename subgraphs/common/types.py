"""The ``Appeal`` interface every system type implements, and the value types it uses (DOMAIN.md §5).

Value types appear in every system subgraph, so their fields are ``@shareable``. The enums mirror
:mod:`resolvers.domain`, where the adapters' mappings live.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from resolvers import domain
from resolvers.access import PiiView
from resolvers.persons import Identifiers
from subgraphs.common.node import Node

__all__ = [
    "Appeal",
    "AppealClosure",
    "AppealReply",
    "AppealSatisfaction",
    "AppealType",
    "Category",
    "ClosureOutcome",
    "Confidentiality",
    "Location",
    "PersonRef",
    "SatisfactionLevel",
    "SourceSystem",
    "UnifiedStatus",
    "Unit",
]

# strawberry.enum registers the GraphQL definition on the domain enum itself, so fields are annotated with the
# domain enums and resolvers return domain values unchanged.
SourceSystem = strawberry.enum(domain.SourceSystem, description="The channel system an appeal lives in.")
UnifiedStatus = strawberry.enum(
    domain.UnifiedStatus,
    description="One status vocabulary over all systems; `sourceStatus` keeps the raw one.",
)
AppealType = strawberry.enum(domain.AppealType, description="咨询/求助/投诉/举报/建议/表扬, and the 信访 three types.")
Confidentiality = strawberry.enum(
    domain.Confidentiality, description="NORMAL, SECRET (保密) or ACCUSATION (检举控告, 信访条例 Art 30)."
)


def _unit_id(root: Unit) -> strawberry.ID:
    return strawberry.ID(f"unit:{root.code}")


@strawberry.federation.type(
    shareable=True,
    description="A handling unit (承办单位): a department, a district "
    "office, a street office, or the organ that answers on a message board.",
)
class Unit(Node):
    code: str = strawberry.field(
        description="The unit's code in the system of record; where a system names organs only (the message "
        "board), the name."
    )
    name: str = strawberry.field(description="The unit's name, e.g. 开福区生态环境分局.")
    id: strawberry.ID = strawberry.field(resolver=_unit_id, description='The global id, `"unit:<code>"`.')

    @classmethod
    def of(cls, ref: domain.UnitRef | None) -> Unit | None:
        return None if ref is None else cls(code=ref.code, name=ref.name)


@strawberry.federation.type(
    shareable=True, description="A reply (答复, 回复, 反馈) to an appeal: one shape in every system."
)
class AppealReply:
    text: str | None = strawberry.field(
        description="The reply as the citizen received it; null when the system keeps only the fact of a reply, "
        "or the caller may not read it."
    )
    replied_at: datetime | None = strawberry.field(description="When the reply was given.")
    unit: Unit | None = strawberry.field(description="The unit that replied.")


@strawberry.enum(description="How an appeal was settled, over all systems; `outcomeText` keeps the system's words.")
class ClosureOutcome(Enum):
    SUPPORTED = strawberry.enum_value("SUPPORTED", description="支持 / 采纳: the request was granted or adopted.")
    PARTLY_SUPPORTED = strawberry.enum_value(
        "PARTLY_SUPPORTED", description="部分支持 / 部分采纳: granted or adopted in part."
    )
    EXPLAINED = strawberry.enum_value("EXPLAINED", description="解释说明: answered with an explanation.")
    NOT_SUPPORTED = strawberry.enum_value("NOT_SUPPORTED", description="不予支持 / 未采纳: not granted.")
    HANDLED = strawberry.enum_value("HANDLED", description="办结: handled and closed, without a further verdict.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="作废: closed as void (a duplicate or a mistake).")


@strawberry.federation.type(shareable=True, description="How and when an appeal was closed (办结).")
class AppealClosure:
    closed_at: datetime | None = strawberry.field(
        description="When it was closed; null when the system does not record the time."
    )
    outcome: ClosureOutcome | None = strawberry.field(
        description="The outcome in the shared vocabulary; null when the system records none."
    )
    outcome_text: str | None = strawberry.field(
        description="The outcome or closing type as the system of record says it (e.g. 解释说明, 正常结案)."
    )


@strawberry.enum(description="满意度: the citizen's verdict on the handling, over all systems.")
class SatisfactionLevel(Enum):
    SATISFIED = strawberry.enum_value("SATISFIED", description="满意: satisfied.")
    BASICALLY_SATISFIED = strawberry.enum_value("BASICALLY_SATISFIED", description="基本满意: mostly satisfied.")
    DISSATISFIED = strawberry.enum_value("DISSATISFIED", description="不满意: not satisfied.")


@strawberry.federation.type(shareable=True, description="满意度评价: the citizen's evaluation of the handling.")
class AppealSatisfaction:
    level: SatisfactionLevel = strawberry.field(description="The verdict in the shared vocabulary.")
    score: int | None = strawberry.field(
        description="The score on the system's own 1–5 scale, where it rates by score; null where it asks yes or "
        "no (the 12345 callback)."
    )

    @classmethod
    def of_score(cls, score: int | None) -> AppealSatisfaction | None:
        """A 1–5 score: 4–5 satisfied, 3 mostly, 1–2 not."""
        if score is None:
            return None
        if score >= 4:
            return cls(level=SatisfactionLevel.SATISFIED, score=score)
        return cls(
            level=SatisfactionLevel.BASICALLY_SATISFIED if score == 3 else SatisfactionLevel.DISSATISFIED, score=score
        )


@strawberry.federation.type(shareable=True, description="问题分类: the unified code and the system's own.")
class Category:
    unified_code: str | None
    source_code: str | None
    path: list[str]


@strawberry.federation.type(shareable=True, description="事发地: text plus admin and grid codes where known.")
class Location:
    """Where the matter is. ``view`` is the caller's petitioner view (:class:`~resolvers.access.PiiView`): below
    FULL the text is cut to the community or grid level (DOMAIN.md §8: no spot, building or door) and the
    coordinates are rounded to two decimals (about a kilometre), so a subgraph that forgets to pass the view shows
    the masked location, never more."""

    text: str | None
    admin_code12: str | None
    grid_code15: str | None
    lng: float | None = None
    lat: float | None = None
    view: strawberry.Private[PiiView] = PiiView.MASKED

    def __post_init__(self) -> None:
        if self.view is not PiiView.FULL:
            if self.text:
                self.text = domain.mask_address(self.text)
            if self.lng is not None:
                self.lng = round(self.lng, 2)
            if self.lat is not None:
                self.lat = round(self.lat, 2)


@strawberry.federation.type(
    shareable=True,
    description="The person behind an appeal, shown as the caller's role and relation allow (DOMAIN.md §8): in "
    "full (the citizen themself, the petition office on 信访 items), masked (王先生, 138****5678, "
    "430102********1234), or only by `personKey`, which identifies the person across systems (Citizen) without "
    "carrying the number.",
)
class PersonRef:
    person_key: str
    name: str | None
    phone: str | None
    id_number: str | None = None

    @classmethod
    def of(
        cls,
        info: Info,
        name: str,
        sex: str | None,
        phone: str,
        id_number: str = "",
        view: PiiView = PiiView.MASKED,
    ) -> PersonRef | None:
        """The person as ``view`` allows; remembers the identifiers under the key for Citizen lookups."""
        if view is PiiView.NONE or (not phone and not id_number):
            return None
        context = info.context
        key = domain.person_key(context.person_secret, phone=phone, id_number=id_number)
        context.seen_people[key] = Identifiers(domain.normalize_phone(phone) if phone else "", id_number)
        if view is PiiView.KEY_ONLY:
            return cls(person_key=key, name=None, phone=None)
        if view is PiiView.FULL:
            return cls(
                person_key=key,
                name=name or None,
                phone=domain.normalize_phone(phone) or None if phone else None,
                id_number=id_number or None,
            )
        return cls(
            person_key=key,
            name=domain.mask_name(name, sex) or None,
            phone=domain.mask_phone(phone) if phone else None,
            id_number=domain.mask_id_number(id_number) if id_number else None,
        )


@strawberry.interface(description='An appeal (诉求) in any channel system; ids are "<system>:<local id>".')
class Appeal:
    id: strawberry.ID
    system: domain.SourceSystem
    channel: str
    local_no: str
    tracking_no: str
    appeal_type: domain.AppealType
    category: Category | None
    title: str | None
    content: str | None
    petitioner: PersonRef | None
    location: Location | None
    received_at: datetime
    lead_unit: Unit | None
    co_units: list[Unit]
    status: domain.UnifiedStatus
    source_status: str
    deadline: datetime | None = strawberry.field(deprecation_reason="Use dueAt.")
    confidentiality: domain.Confidentiality
    due_at: datetime | None = strawberry.field(description="办理时限: when handling is due; null when no limit runs.")
    closed_at: datetime | None = strawberry.field(
        description="When the appeal was closed (办结); null while open, or when the system does not record the time."
    )
    closure: AppealClosure | None = strawberry.field(description="How it was closed; null while open.")
    reply: AppealReply | None = strawberry.field(description="The reply to the citizen; null before one is given.")
    satisfaction: AppealSatisfaction | None = strawberry.field(
        description="The citizen's evaluation; null when none was asked for or given."
    )


# Shared descriptions: every subgraph declares Citizen and the shareable `citizen` lookup, and composition wants
# one text for each.
CITIZEN_DESCRIPTION = "A citizen, known by the person key; each system adds its records."
CITIZEN_LOOKUP_DESCRIPTION = "A citizen by phone or ID number; the answer carries only the person key."
