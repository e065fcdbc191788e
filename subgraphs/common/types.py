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
from resolvers.appeals import warning as warnings
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
    "IntakeChannel",
    "Location",
    "PersonRef",
    "SatisfactionLevel",
    "SourceSystem",
    "TimeLimit",
    "TimeLimitUnit",
    "UnifiedStatus",
    "Unit",
    "Urgency",
    "WarningColour",
    "describe_values",
    "intake_channel_of",
    "urgency_of",
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
    domain.Confidentiality, description="NORMAL, SECRET (保密) or ACCUSATION (检举控告, 信访工作条例 Art 30)."
)


def describe_values(enum: type[Enum], descriptions: dict[str, str]) -> None:
    """Describe the values of a domain enum registered with ``strawberry.enum`` (its values carry no markers)."""
    for value in enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = descriptions[value.name]


# declared here, not with the warning field, because every subgraph's AppealFilter names it
WarningColour = strawberry.enum(warnings.WarningColour, description="三色预警: how urgently an appeal needs attention.")
describe_values(
    warnings.WarningColour,
    {
        "NONE": "No warning.",
        "YELLOW": "黄色提醒: the handler is reminded.",
        "ORANGE": "橙色重点督办: a supervisor takes it over.",
        "RED": "红色提级: escalated to the leadership.",
    },
)


describe_values(
    domain.SourceSystem,
    {
        "HOTLINE": "12345 热线 (the city's service hotline).",
        "PETITION": "信访 (the petition system).",
        "MSGBOARD": "领导留言板 (the leaders' message board).",
        "GRID": "网格化管理 (grid management).",
        "NETINQUIRY": "网络问政 (online questions to officials).",
        "MAILBOX": "领导信箱 (the leaders' mailbox).",
        "SUGGESTION": "人民建议征集 (suggestion collection).",
    },
)
describe_values(
    domain.UnifiedStatus,
    {
        "SUBMITTED": "提交: received, not yet looked at.",
        "ACCEPTED": "受理: accepted for handling.",
        "DISPATCHED": "派单: sent to a handling unit.",
        "PENDING_SIGN": "待签收: waiting for the unit to sign for it.",
        "HANDLING": "办理中: the unit is handling it.",
        "EXTENDED": "延期: handling time was extended.",
        "RETURNED": "退单: the unit sent it back.",
        "REPLIED": "已答复: the unit replied.",
        "AUDIT": "审核: the reply is being checked.",
        "VISIT": "回访: the citizen is asked whether they are satisfied.",
        "REHANDLE": "重办: handling again after an unsatisfactory answer.",
        "CLOSED": "办结: closed.",
        "NOT_ACCEPTED": "不予受理: not accepted.",
        "REDIRECTED": "转其他途径: sent to another legal procedure.",
        "REVIEW": "复查/复核: the petitioner asked for a review.",
        "INVALID": "作废: void (a duplicate or a mistake).",
    },
)
describe_values(
    domain.AppealType,
    {
        "CONSULT": "咨询: a question.",
        "HELP": "求助: a request for help.",
        "COMPLAINT": "投诉: a complaint.",
        "REPORT": "举报: a report of wrongdoing.",
        "SUGGESTION": "建议: a suggestion.",
        "PRAISE": "表扬: praise.",
        "PETITION_SUGGEST": "建议意见类: a petition with suggestions or opinions.",
        "PETITION_ACCUSE": "检举控告类: a petition accusing someone; never shown to the accused.",
        "PETITION_CLAIM": "申诉求决类: a petition appealing a decision or claiming a right.",
    },
)
describe_values(
    domain.Confidentiality,
    {
        "NORMAL": "Shown as the caller's role allows.",
        "SECRET": "保密: the reporter asked that their identity be withheld.",
        "ACCUSATION": "检举控告: never visible to the accused unit.",
    },
)


@strawberry.enum(description="How an appeal came in, over all systems; `channelText` keeps the system's word.")
class IntakeChannel(Enum):
    PHONE = strawberry.enum_value("PHONE", description="来电: a phone call.")
    WEB = strawberry.enum_value("WEB", description="网站: a web form.")
    WECHAT = strawberry.enum_value("WECHAT", description="微信 / 小程序: WeChat or a mini program.")
    APP = strawberry.enum_value("APP", description="APP: a mobile app.")
    LETTER = strawberry.enum_value("LETTER", description="来信: a letter.")
    VISIT = strawberry.enum_value("VISIT", description="来访: in person.")
    FAX = strawberry.enum_value("FAX", description="传真: a fax.")
    HOTLINE_TRANSFER = strawberry.enum_value("HOTLINE_TRANSFER", description="12345转办: passed on by the hotline.")
    MESSAGE_BOARD = strawberry.enum_value("MESSAGE_BOARD", description="留言板: a post on a leader's board.")
    GRID_WORKER = strawberry.enum_value("GRID_WORKER", description="网格员: found by a grid worker.")
    SUPERVISOR = strawberry.enum_value("SUPERVISOR", description="监督员: found by a city supervisor.")
    OTHER = strawberry.enum_value("OTHER", description="Any other way; `channelText` says which.")


_INTAKE = {
    "phone": IntakeChannel.PHONE,
    "web": IntakeChannel.WEB,
    "wechat": IntakeChannel.WECHAT,
    "app": IntakeChannel.APP,
    "letter": IntakeChannel.LETTER,
    "visit": IntakeChannel.VISIT,
    "fax": IntakeChannel.FAX,
    "hotline": IntakeChannel.HOTLINE_TRANSFER,
    "grid_worker": IntakeChannel.GRID_WORKER,
    "supervisor": IntakeChannel.SUPERVISOR,
}


def intake_channel_of(channel: str) -> IntakeChannel:
    """The enum for a channel word of the first release (``board-fid:N`` is a leader's board)."""
    if channel.startswith("board-fid:"):
        return IntakeChannel.MESSAGE_BOARD
    return _INTAKE.get(channel, IntakeChannel.OTHER)


@strawberry.enum(description="紧急程度: how urgent an appeal is; `urgencyText` keeps the system's word.")
class Urgency(Enum):
    NORMAL = strawberry.enum_value("NORMAL", description="一般: normal.")
    URGENT = strawberry.enum_value("URGENT", description="紧急: urgent.")
    VERY_URGENT = strawberry.enum_value("VERY_URGENT", description="特急: very urgent.")


_URGENCY = {"一般": Urgency.NORMAL, "紧急": Urgency.URGENT, "特急": Urgency.VERY_URGENT}


def urgency_of(text: str | None) -> Urgency | None:
    return _URGENCY.get(text.strip()) if text else None


@strawberry.enum(description="The unit a time limit (时限) is counted in; `unitText` keeps the system's word.")
class TimeLimitUnit(Enum):
    WORKING_DAYS = strawberry.enum_value("WORKING_DAYS", description="工作日: working days.")
    DAYS = strawberry.enum_value("DAYS", description="日 / 自然日: calendar days.")
    HOURS = strawberry.enum_value("HOURS", description="小时: hours on the clock.")
    WORKING_HOURS = strawberry.enum_value(
        "WORKING_HOURS", description="工作时: hours within working time on working days."
    )


_TIME_UNITS = {
    "工作日": TimeLimitUnit.WORKING_DAYS,
    "日": TimeLimitUnit.DAYS,
    "自然日": TimeLimitUnit.DAYS,
    "天": TimeLimitUnit.DAYS,
    "小时": TimeLimitUnit.HOURS,
    "工作时": TimeLimitUnit.WORKING_HOURS,
}


@strawberry.federation.type(shareable=True, description="办理时限: how long handling may take.")
class TimeLimit:
    amount: int = strawberry.field(description="How many units.")
    unit: TimeLimitUnit | None = strawberry.field(
        description="The unit in the shared vocabulary; null when the system's word is not one of them."
    )
    unit_text: str = strawberry.field(description="The unit as the system of record says it (工作日, 小时 …).")

    @classmethod
    def of(cls, amount: int | None, unit_text: str) -> TimeLimit | None:
        if not amount:
            return None
        return cls(amount=amount, unit=_TIME_UNITS.get(unit_text.strip()), unit_text=unit_text)


def _unit_id(root: Unit, info: Info) -> strawberry.ID:
    info.context.seen_units[root.code] = root.name  # so that node(id:) finds the unit again by this id
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
    unified_code: str | None = strawberry.field(
        description="The first-level category shared by every system (e.g. 城乡建设, 环境保护); null when unmapped."
    )
    source_code: str | None = strawberry.field(description="The system's own category code, where it has one.")
    path: list[str] = strawberry.field(description="The system's category names, broadest first.")


def _admin_code(root: Location) -> str | None:
    return root.admin_code12


def _grid_code(root: Location) -> str | None:
    return root.grid_code15


def _longitude(root: Location) -> float | None:
    return root.lng


def _latitude(root: Location) -> float | None:
    return root.lat


@strawberry.federation.type(
    shareable=True, description="事发地: where the matter is, with admin and grid codes where known."
)
class Location:
    """Where the matter is. ``view`` is the caller's petitioner view (:class:`~resolvers.access.PiiView`): below
    FULL the text is cut to the community or grid level (DOMAIN.md §8: no spot, building or door) and the
    coordinates are rounded to two decimals (about a kilometre), so a subgraph that forgets to pass the view shows
    the masked location, never more."""

    text: str | None = strawberry.field(
        description="The place as written; cut to the community (社区/村) unless your role may see the address."
    )
    admin_code12: str | None = strawberry.field(
        description="12-digit 行政区划 code.", deprecation_reason="Use adminCode."
    )
    grid_code15: str | None = strawberry.field(description="15-digit 网格 code.", deprecation_reason="Use gridCode.")
    lng: float | None = strawberry.field(default=None, description="Longitude.", deprecation_reason="Use longitude.")
    lat: float | None = strawberry.field(default=None, description="Latitude.", deprecation_reason="Use latitude.")
    view: strawberry.Private[PiiView] = PiiView.MASKED
    admin_code: str | None = strawberry.field(
        resolver=_admin_code,
        description="The 12-digit 行政区划 (administrative division) code, down to the community.",
    )
    grid_code: str | None = strawberry.field(resolver=_grid_code, description="The 15-digit 网格 (grid cell) code.")
    longitude: float | None = strawberry.field(
        resolver=_longitude,
        description="Longitude (WGS-84); rounded to about a kilometre unless your role sees addresses.",
    )
    latitude: float | None = strawberry.field(
        resolver=_latitude,
        description="Latitude (WGS-84); rounded to about a kilometre unless your role sees addresses.",
    )

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
    description="The person behind an appeal, shown as the caller's role and relation allow: in full (the "
    "citizen themself, the petition office on 信访 items), masked (王先生, 138****5678, 430102********1234), or "
    "only by `personKey`, which identifies the person across systems (Citizen) without carrying the number.",
)
class PersonRef:
    person_key: str = strawberry.field(
        description="Identifies the person across systems (the same key as `Citizen.personKey`) without carrying "
        "their number."
    )
    name: str | None = strawberry.field(description="The name, in full or masked (王先生); null when withheld.")
    phone: str | None = strawberry.field(description="The phone, in full or masked (138****5678); null when withheld.")
    id_number: str | None = strawberry.field(
        default=None, description="身份证号 (ID number), in full or masked; null when withheld or not recorded."
    )

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


def _intake_channel(root: Appeal) -> IntakeChannel:
    return intake_channel_of(root.channel)


def _local_number(root: Appeal) -> str:
    return root.local_no


def _tracking_number(root: Appeal) -> str:
    return root.tracking_no


# the fields of every appeal the cross-system subgraph answers too (from the same read), so that a merged list or a
# person's view needs no second read of each appeal for them: shareable, with one description everywhere
SYSTEM_DESCRIPTION = "The system of record."
RECEIVED_AT_DESCRIPTION = "When the system received it."
STATUS_DESCRIPTION = "The status in the shared vocabulary."


@strawberry.interface(description='An appeal (诉求) in any channel system; ids are "<system>:<local id>".')
class Appeal:
    id: strawberry.ID = strawberry.field(description='The global id, "<system>:<local id>".')
    system: domain.SourceSystem = strawberry.federation.field(shareable=True, description=SYSTEM_DESCRIPTION)
    channel: str = strawberry.field(
        description="How the appeal came in, as a lower-case word.", deprecation_reason="Use intakeChannel."
    )
    channel_text: str | None = strawberry.field(
        default=None, description="How the appeal came in, as the system of record says it (电话, 来信, 小程序 …)."
    )
    local_no: str = strawberry.field(
        description="The number in the system of record.", deprecation_reason="Use localNumber."
    )
    tracking_no: str = strawberry.field(
        description="The number the citizen is given to follow it.", deprecation_reason="Use trackingNumber."
    )
    appeal_type: domain.AppealType = strawberry.field(description="What kind of appeal it is.")
    category: Category | None = strawberry.field(description="问题分类: what it is about.")
    title: str | None = strawberry.field(description="The title; null when the caller may not read the content.")
    content: str | None = strawberry.field(
        description="What the citizen wrote or said; phone and ID numbers in it are masked for analysts; null when "
        "the caller may not read it."
    )
    petitioner: PersonRef | None = strawberry.field(
        description="诉求人: the person who filed it, as the caller's role allows; null when withheld."
    )
    location: Location | None = strawberry.field(description="事发地: where the matter is; null when not recorded.")
    received_at: datetime = strawberry.federation.field(shareable=True, description=RECEIVED_AT_DESCRIPTION)
    lead_unit: Unit | None = strawberry.field(
        description="主办单位: the unit leading the handling; null before dispatch."
    )
    co_units: list[Unit] = strawberry.field(description="会办单位: the units handling it with the lead unit.")
    status: domain.UnifiedStatus = strawberry.federation.field(shareable=True, description=STATUS_DESCRIPTION)
    source_status: str = strawberry.field(description="The status as the system of record says it.")
    deadline: datetime | None = strawberry.field(description="When handling is due.", deprecation_reason="Use dueAt.")
    confidentiality: domain.Confidentiality = strawberry.field(description="Whose eyes it is kept from.")
    due_at: datetime | None = strawberry.field(description="办理时限: when handling is due; null when no limit runs.")
    closed_at: datetime | None = strawberry.field(
        description="When the appeal was closed (办结); null while open, or when the system does not record the time."
    )
    closure: AppealClosure | None = strawberry.field(description="How it was closed; null while open.")
    reply: AppealReply | None = strawberry.field(description="The reply to the citizen; null before one is given.")
    satisfaction: AppealSatisfaction | None = strawberry.field(
        description="The citizen's evaluation; null when none was asked for or given."
    )
    intake_channel: IntakeChannel = strawberry.field(resolver=_intake_channel, description="How the appeal came in.")
    local_number: str = strawberry.field(
        resolver=_local_number, description="The number in the system of record (工单编号, 信访件编号, 任务号 …)."
    )
    tracking_number: str = strawberry.field(
        resolver=_tracking_number, description="The number the citizen is given to follow the appeal."
    )


PERSON_KEY_DESCRIPTION = (
    "The person key: identifies the person across systems without carrying their phone or ID number."
)

# Shared descriptions: every subgraph declares Citizen and the shareable `citizen` lookup, and composition wants
# one text for each.
CITIZEN_DESCRIPTION = "A citizen, known by the person key; each system adds its records."
CITIZEN_LOOKUP_DESCRIPTION = "A citizen by phone or ID number; the answer carries only the person key."
