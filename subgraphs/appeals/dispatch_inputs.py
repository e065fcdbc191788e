"""The inputs of the write mutations: one ``VerbNounInput`` per mutation, each with its ``idempotencyKey``.

Each input knows the :class:`~resolvers.dispatch.commands.Action` it asks for and turns itself into the
:class:`~resolvers.dispatch.commands.Command` the dispatch service checks and applies (``command()``).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from resolvers import domain
from resolvers.dispatch import Action, Command
from subgraphs.common.types import SourceSystem  # the GraphQL enum, registered on domain.SourceSystem

__all__ = [
    "INPUTS",
    "AppealTypeChoice",
    "ClosureLevel",
    "GridTier",
    "LinkKind",
    "PetitionOpinionOutcome",
    "SuggestionAdoption",
]

KEY_DESCRIPTION = (
    "Idempotency key (幂等键): any string of 1-200 characters the client makes up for this write, e.g. a UUID. "
    "Sending the same key with the same input again returns the first result and writes nothing; the same key "
    "with another input is refused with IDEMPOTENCY_KEY_REUSED. Instead of this field the key may come in the "
    "`Idempotency-Key` HTTP header."
)
APPEAL_ID = "The appeal acted on (`Node` id, e.g. `hotline:20261206000123`)."
LATE_NOTE = (
    "Petitions only: 超期说明, why the step comes after its statutory limit; required then, refused as REQUIRED "
    "when missing."
)
UNIT_DESCRIPTION = (
    "The handling unit's code (单位编码) acting; defaults to the caller's own unit, and a unit handler may act only "
    "for it."
)


@strawberry.enum(description="The appeal types a registration may have (诉求类型).")
class AppealTypeChoice(Enum):
    CONSULT = strawberry.enum_value("CONSULT", description="咨询 (consultation).")
    HELP = strawberry.enum_value("HELP", description="求助 (request for help).")
    COMPLAINT = strawberry.enum_value("COMPLAINT", description="投诉 (complaint).")
    REPORT = strawberry.enum_value("REPORT", description="举报 (report of wrongdoing).")
    SUGGESTION = strawberry.enum_value("SUGGESTION", description="建议 (suggestion).")


@strawberry.enum(description="三级办结 (three closure levels).")
class ClosureLevel(Enum):
    STAGED = strawberry.enum_value("STAGED", description="阶段性办结: an interim answer; the work goes on.")
    PROCEDURAL = strawberry.enum_value(
        "PROCEDURAL", description="程序性办结: answered or redirected as procedure requires."
    )
    SUBSTANTIVE = strawberry.enum_value("SUBSTANTIVE", description="实质性办结: the problem is solved.")


@strawberry.enum(description="The tiers of 热线+网格 routing, lowest first.")
class GridTier(Enum):
    STREET = strawberry.enum_value("STREET", description="镇街主办: the street or town leads.")
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="部门联办: departments co-handle.")


@strawberry.enum(description="Why two appeals are linked. Links never delete anything.")
class LinkKind(Enum):
    DUPLICATE = strawberry.enum_value("DUPLICATE", description="重复件: the same matter filed twice.")
    OVERLAP = strawberry.enum_value(
        "OVERLAP", description="重合件: the same matter open in the hotline and the petition system."
    )


@strawberry.enum(description="What a petition's 信访处理意见书 decides (信访工作条例 Art 32).")
class PetitionOpinionOutcome(Enum):
    SUPPORT = strawberry.enum_value("SUPPORT", description="支持: the request is justified and will be met.")
    EXPLAIN = strawberry.enum_value("EXPLAIN", description="解释说明: explained, with the law and policy behind it.")
    NOT_SUPPORT = strawberry.enum_value("NOT_SUPPORT", description="不予支持: the request is not justified.")


@strawberry.enum(description="Whether a suggestion is adopted (采纳情况), given with the unit's feedback.")
class SuggestionAdoption(Enum):
    ADOPTED = strawberry.enum_value("ADOPTED", description="采纳: adopted.")
    PARTLY_ADOPTED = strawberry.enum_value("PARTLY_ADOPTED", description="部分采纳: partly adopted.")
    NOT_ADOPTED = strawberry.enum_value("NOT_ADOPTED", description="未采纳: not adopted.")


_SYSTEM_NAMES: dict[domain.SourceSystem, str] = {
    SourceSystem.HOTLINE: "hotline",
    SourceSystem.PETITION: "petition",
    SourceSystem.GRID: "grid",
    SourceSystem.SUGGESTION: "suggestion",
}


def _late_note() -> Any:
    return strawberry.field(default=None, description=LATE_NOTE)


def _key() -> Any:
    return strawberry.field(default=None, description=KEY_DESCRIPTION)


@strawberry.input(
    description="登记: a new appeal, registered in the system of record `system` names: the 12345 hotline (the hub of "
    "every channel, the default), the petition system (登记 by a petition officer), the suggestion system (征集) or "
    "the grid (上报 by a grid worker in their own cells). Message-board threads are posted by citizens on the board."
)
class RegisterAppealInput:
    title: str = strawberry.field(description="标题 (title), at most 200 characters.")
    content: str = strawberry.field(description="内容 (what the citizen says), at most 2000 characters.")
    phone: str = strawberry.field(description="联系电话 (the citizen's phone).")
    appeal_type: AppealTypeChoice = strawberry.field(description="诉求类型 (appeal type).")
    caller_name: str | None = strawberry.field(default=None, description="来电人 (the citizen's name).")
    channel: str | None = strawberry.field(
        default=None,
        description="受理渠道 (channel) as the system of record words it — hotline: 电话, 网站, 微信, APP (default "
        "电话); petition: 来信, 来访, 网上, 来电, 传真 (default 网上); suggestion: 小程序, 网站, 12345转办, 来信 "
        "(default 12345转办).",
    )
    address: str | None = strawberry.field(default=None, description="事发地址 (where it happens).")
    admin_code: str | None = strawberry.field(default=None, description="行政区划 (12-digit admin code).")
    grid_code: str | None = strawberry.field(default=None, description="单元网格 (15-digit grid cell code).")
    is_secret: bool = strawberry.field(default=False, description="是否保密: the caller asks for confidentiality.")
    system: domain.SourceSystem = strawberry.field(
        default=SourceSystem.HOTLINE,
        description="The system of record to register in: HOTLINE (default), PETITION, SUGGESTION or GRID.",
    )
    category: str | None = strawberry.field(
        default=None,
        description="The first-level category (城乡建设, 环境保护, 交通运输, 教育文体, 劳动和社会保障, 商贸旅游, "
        "卫生计生); required for a suggestion, kept as the content class (内容分类) of a petition.",
    )
    id_number: str | None = strawberry.field(
        default=None, description="身份证号 of the citizen, for a petition or a suggestion (never sent over GET)."
    )
    event_type: str | None = strawberry.field(
        default=None, description="Grid events only: the 4-digit event code (大类 + 小类), e.g. `0102`."
    )
    persons_involved: int | None = strawberry.field(
        default=None, description="Petitions only: 涉及人数, how many people the matter concerns (default 1)."
    )
    representatives: int | None = strawberry.field(
        default=None,
        description="Petitions only: 代表人数 of a group visit; at most 5 (信访工作条例 Art 20), refused as "
        "BAD_VALUE above that.",
    )
    direct_answer: str | None = strawberry.field(
        default=None,
        description="Hotline 咨询 (CONSULT) only: 直接答复, the answer the operator gave on the call from the knowledge "
        "base, at most 2000 characters. The order is then answered at once, with no unit, and goes to callback "
        "(回访).",
    )
    idempotency_key: str | None = _key()

    action = Action.REGISTER

    def command(self) -> Command:
        params = {
            "title": self.title,
            "content": self.content,
            "phone": self.phone,
            "appealType": self.appeal_type.value,
            "callerName": self.caller_name or "",
            "channel": self.channel or "",
            "address": self.address or "",
            "adminCode": self.admin_code or "",
            "gridCode": self.grid_code or "",
            "isSecret": self.is_secret,
            "system": _SYSTEM_NAMES.get(self.system, self.system.value.lower()),
            **_params(
                category=self.category,
                idNumber=self.id_number,
                eventType=self.event_type,
                personsInvolved=self.persons_involved,
                representatives=self.representatives,
                directAnswer=self.direct_answer,
            ),
        }
        return Command(self.action, None, params)


@strawberry.input(description="派单: hand the appeal to a lead unit (主办) and co-units (会办).")
class DispatchAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    lead_unit: str = strawberry.field(description="主办单位: the code of the unit that leads and gives the one reply.")
    co_units: list[str] = strawberry.field(
        default_factory=list,
        description="会办单位: codes of co-handling units (at most 5), replying to the lead. Hotline orders only: "
        "petitions and suggestions go to one unit (交办).",
    )
    note: str | None = strawberry.field(default=None, description="派单意见 (instructions to the units).")
    late_note: str | None = _late_note()
    idempotency_key: str | None = _key()

    action = Action.DISPATCH

    def command(self) -> Command:
        params = {
            "leadUnit": self.lead_unit,
            "coUnits": list(self.co_units),
            "note": self.note or "",
            **_params(lateNote=self.late_note),
        }
        return Command(self.action, str(self.appeal_id), params)


def _params(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@strawberry.input(
    description="签收: the caller's unit takes the appeal it was dispatched to (on a petition: 受理, with the written "
    "notice; on a suggestion: 办理)."
)
class SignAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    unit: str | None = strawberry.field(default=None, description=UNIT_DESCRIPTION)
    late_note: str | None = _late_note()
    idempotency_key: str | None = _key()

    action = Action.SIGN

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), _params(unit=self.unit, lateNote=self.late_note))


@strawberry.input(
    description="退单: the caller's unit hands the appeal back, with a reason, for the centre to decide (on a "
    "petition: 不予受理, with the reason told to the petitioner)."
)
class ReturnAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    reason: str = strawberry.field(description="退单原因 (why it is not this unit's matter), at most 500 characters.")
    unit: str | None = strawberry.field(default=None, description=UNIT_DESCRIPTION)
    late_note: str | None = _late_note()
    idempotency_key: str | None = _key()

    action = Action.RETURN

    def command(self) -> Command:
        params = _params(unit=self.unit, reason=self.reason, lateNote=self.late_note)
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(description="退单审核: the centre approves or rejects a unit's return.")
class DecideAppealReturnInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    unit: str = strawberry.field(description="The code of the unit that asked to return the appeal.")
    approve: bool = strawberry.field(description="Whether the return is approved (the appeal goes back to dispatch).")
    opinion: str | None = strawberry.field(default=None, description="审核意见 (the centre's opinion).")
    idempotency_key: str | None = _key()

    action = Action.DECIDE_RETURN

    def command(self) -> Command:
        params = _params(unit=self.unit, approve=self.approve, opinion=self.opinion)
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(description="延期申请: the caller's unit asks for more working days, with a reason.")
class RequestAppealExtensionInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    days: int = strawberry.field(
        description="Working days asked for, 1 to 10; on a petition calendar days, 1 to 30, once (Art 34)."
    )
    reason: str = strawberry.field(description="延期原因, at most 500 characters.")
    unit: str | None = strawberry.field(default=None, description=UNIT_DESCRIPTION)
    idempotency_key: str | None = _key()

    action = Action.REQUEST_EXTENSION

    def command(self) -> Command:
        params = _params(unit=self.unit, days=self.days, reason=self.reason)
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(description="延期审批: the centre approves or refuses a unit's extension request.")
class ApproveAppealExtensionInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    unit: str = strawberry.field(description="The code of the unit that asked for the extension.")
    approve: bool = strawberry.field(description="Whether the extension is granted (the deadline moves).")
    opinion: str | None = strawberry.field(default=None, description="审批意见.")
    idempotency_key: str | None = _key()

    action = Action.APPROVE_EXTENSION

    def command(self) -> Command:
        params = _params(unit=self.unit, approve=self.approve, opinion=self.opinion)
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(
    description="答复: co-units reply to the lead unit; the lead replies last, once for all, and its consolidated "
    "reply is the appeal's answer."
)
class ReplyAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    text: str = strawberry.field(description="答复内容, 1 to 2000 characters.")
    unit: str | None = strawberry.field(default=None, description=UNIT_DESCRIPTION)
    organization: str | None = strawberry.field(
        default=None,
        description="Message-board threads only: the answering organisation (答复单位) the answer is published under.",
    )
    outcome: PetitionOpinionOutcome | None = strawberry.field(
        default=None, description="Petitions only, and required there: what the 信访处理意见书 decides."
    )
    adoption: SuggestionAdoption | None = strawberry.field(
        default=None, description="Suggestions only, and required there: whether the suggestion is adopted."
    )
    late_note: str | None = _late_note()
    idempotency_key: str | None = _key()

    action = Action.REPLY

    def command(self) -> Command:
        params = _params(
            unit=self.unit,
            text=self.text,
            organization=self.organization,
            outcome=self.outcome.value if self.outcome else None,
            adoption=self.adoption.value if self.adoption else None,
            lateNote=self.late_note,
        )
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(
    description="中心审核: the centre passes the consolidated reply (on to the callback) or sends it back."
)
class ReviewAppealReplyInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    passed: bool = strawberry.field(description="Whether the reply passes review.")
    opinion: str | None = strawberry.field(default=None, description="审核意见.")
    idempotency_key: str | None = _key()

    action = Action.REVIEW_REPLY

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), _params(passed=self.passed, opinion=self.opinion))


@strawberry.input(
    description="回访: the citizen's verdict when called back; unsatisfied sends the appeal back to work."
)
class RecordAppealCallbackInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    satisfied: bool = strawberry.field(description="Whether the citizen is satisfied.")
    opinion: str | None = strawberry.field(default=None, description="回访意见 (what the citizen said).")
    idempotency_key: str | None = _key()

    action = Action.CALLBACK

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), _params(satisfied=self.satisfied, opinion=self.opinion))


@strawberry.input(description="办结: archive the appeal with its closure level (三级办结).")
class CloseAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    closure: ClosureLevel = strawberry.field(description="How far the matter is settled.")
    idempotency_key: str | None = _key()

    action = Action.CLOSE

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), {"closure": self.closure.value})


@strawberry.input(description="督办: a supervisor's instruction on the appeal, with a time to answer by.")
class SuperviseAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    opinion: str = strawberry.field(description="督办意见, at most 500 characters.")
    reply_by: datetime | None = strawberry.field(
        default=None, description="When the units must answer by, with an offset; must be in the future."
    )
    idempotency_key: str | None = _key()

    action = Action.SUPERVISE

    def command(self) -> Command:
        reply_by = self.reply_by.isoformat() if self.reply_by is not None else None
        return Command(self.action, str(self.appeal_id), _params(opinion=self.opinion, replyBy=reply_by))


@strawberry.input(description="催办: remind the units holding the appeal.")
class UrgeAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    opinion: str | None = strawberry.field(default=None, description="催办意见.")
    idempotency_key: str | None = _key()

    action = Action.URGE

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), _params(opinion=self.opinion))


@strawberry.input(
    description="Link two appeals as duplicates or overlaps, on each side that keeps links; nothing is deleted."
)
class LinkDuplicateAppealsInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    duplicate_id: strawberry.ID = strawberry.field(description="The other appeal's id.")
    kind: LinkKind = strawberry.field(default=LinkKind.DUPLICATE, description="Why they are linked.")
    idempotency_key: str | None = _key()

    action = Action.LINK_DUPLICATES

    def command(self) -> Command:
        params = {"duplicate": str(self.duplicate_id), "kind": self.kind.value}
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(
    description="网格直办: report a hotline appeal to the grid system as an event, and link the two both ways."
)
class RouteAppealToGridInput:
    appeal_id: strawberry.ID = strawberry.field(description=APPEAL_ID)
    event_type: str = strawberry.field(
        description="The grid event code: 2-digit major + 2-digit minor class, e.g. `0102` (市容环境/暴露垃圾)."
    )
    grid_code: str | None = strawberry.field(
        default=None, description="单元网格 (15 digits); defaults to the appeal's own grid cell."
    )
    note: str | None = strawberry.field(default=None, description="What the grid worker should know.")
    idempotency_key: str | None = _key()

    action = Action.ROUTE_TO_GRID

    def command(self) -> Command:
        params = _params(eventType=self.event_type, gridCode=self.grid_code, note=self.note)
        return Command(self.action, str(self.appeal_id), params)


@strawberry.input(description="Move a grid event up the tiers 网格直办 → 镇街主办 → 部门联办 (only up).")
class RouteGridEventTierInput:
    appeal_id: strawberry.ID = strawberry.field(description="The grid event (`grid:<任务号>`).")
    tier: GridTier = strawberry.field(description="The tier it moves to.")
    note: str | None = strawberry.field(default=None, description="Why it moves up.")
    idempotency_key: str | None = _key()

    action = Action.ROUTE_GRID_TIER

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), _params(tier=self.tier.value, note=self.note))


@strawberry.input(
    description="评价: the citizen rates the answer to their own appeal, once, after it is answered — a petition "
    "after its opinion (信访工作条例 Art 21), a suggestion after the feedback, a hotline order when its callback "
    "(回访) is due, which the rating answers."
)
class RateAppealInput:
    appeal_id: strawberry.ID = strawberry.field(description="One of your own appeals (`Node` id).")
    score: int = strawberry.field(description="1 (not satisfied) to 5 (satisfied); 3 is 基本满意 (mostly satisfied).")
    comment: str | None = strawberry.field(default=None, description="评价意见, at most 500 characters.")
    idempotency_key: str | None = _key()

    action = Action.RATE

    def command(self) -> Command:
        return Command(self.action, str(self.appeal_id), _params(score=self.score, comment=self.comment))


INPUTS: tuple[type, ...] = (
    RegisterAppealInput,
    DispatchAppealInput,
    SignAppealInput,
    ReturnAppealInput,
    DecideAppealReturnInput,
    RequestAppealExtensionInput,
    ApproveAppealExtensionInput,
    ReplyAppealInput,
    ReviewAppealReplyInput,
    RecordAppealCallbackInput,
    CloseAppealInput,
    SuperviseAppealInput,
    UrgeAppealInput,
    LinkDuplicateAppealsInput,
    RouteAppealToGridInput,
    RouteGridEventTierInput,
    RateAppealInput,
)
