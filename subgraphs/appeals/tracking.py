"""``timeline`` and ``warning`` on every appeal: the 10 tracking nodes and the three-colour warning.

Both read the appeal from its system of record once per request (batched per system) and show it only as the
access rules allow: null for an appeal the caller may not see. A citizen gets the citizen-safe timeline (no
internal notes, no units acting inside the handling) and no warning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.types import Info

from auth.errors import Forbidden
from auth.policies import policy_holds
from resolvers.access import Scope, decide, is_citizen_view
from resolvers.appeals import timeline as tracking
from resolvers.appeals import warning as warnings
from resolvers.appeals.reads import record_loader, split_id
from resolvers.appeals.record import AppealRecord
from resolvers.domain import SourceSystem, UnifiedStatus
from subgraphs.common.types import describe_values

__all__ = [
    "AppealWarning",
    "TrackingNode",
    "received_at_of",
    "status_of",
    "system_of",
    "timeline_of",
    "warning_of",
]

TrackingStep = strawberry.enum(tracking.TrackingStep, description="The 10 tracking nodes (快递式查询) of an appeal.")
describe_values(
    tracking.TrackingStep,
    {
        "SUBMITTED": "1 诉求提交: the appeal came in.",
        "ACCEPTED": "2 登记受理: registered and accepted (信访: 受理告知).",
        "DEDUPLICATED": "3 智能判重: checked against other appeals of the same matter.",
        "ROUTED": "4 智能派单: a handling unit proposed (信访: 转送/交办).",
        "REVIEWED": "5 人工复核: a dispatcher confirmed the lead unit.",
        "SIGNED": "6 单位签收: the unit signed for it (信访: 接收).",
        "HANDLING": "7 办理中: being handled, with its deadline and any extension.",
        "REPLIED": "8 答复反馈: the unit replied (信访: 处理意见书).",
        "EVALUATED": "9 回访评价: the citizen was called back or rated the answer.",
        "CLOSED": "10 办结归档: closed and archived.",
    },
)
WarningReasonCode = strawberry.enum(warnings.WarningReasonCode, description="Why an appeal has a warning.")
describe_values(
    warnings.WarningReasonCode,
    {
        "TIME_LIMIT_TWO_THIRDS_USED": "Two thirds of the handling time used and no reply yet (YELLOW).",
        "SIGN_OVERDUE_HALF": "Half of the time to sign for it passed and the unit has not signed (YELLOW).",
        "PETITION_DAY_45": "A petition at day 45 of its 60 days with no extension (YELLOW).",
        "OVERDUE": "Past its deadline by at most two working days (ORANGE).",
        "RETURNED_TWICE": "Returned (退单) two or more times (ORANGE).",
        "CALLBACK_UNSATISFIED": "The first callback was unsatisfied (ORANGE).",
        "REPEAT_FILER": "The petitioner is on the 一人多投 file (ORANGE).",
        "OVERLAP": "重合件: the same matter is open in the hotline and as a petition (ORANGE).",
        "LONG_OVERDUE": "Past its deadline by more than two working days (RED).",
        "CALLBACK_UNSATISFIED_AGAIN": "A second callback was unsatisfied (RED).",
        "GROUP": "A group or joint appeal of five or more people, or five or more people filing the same matter at "
        "one place (多人一诉) (RED).",
        "PETITION_PAST_STATUTORY_LIMIT": "A petition past its 60 days (90 with the extension) (RED).",
        "MEDIA_ATTENTION": "媒体关注 (media attention): the media raised it (RED).",
        "STAGED_CLOSURE": "Closed as 阶段性办结 (staged closure): an interim answer, the work goes on (YELLOW).",
    },
)


@strawberry.type(description="One step of the system's own history (流转记录), in its words.")
class HistoryEntry:
    at: datetime = strawberry.field(description="When.")
    action: str = strawberry.field(description="What happened, as the system names it (签收, 延期, 答复 …).")
    unit: str | None = strawberry.field(description="The unit that acted; null in a citizen's view.")
    note: str | None = strawberry.field(
        description="The internal note; null for citizens and handling units (only the centre's roles read notes)."
    )


@strawberry.type(description="One of the 10 tracking nodes of an appeal.")
class TrackingNode:
    step: tracking.TrackingStep = strawberry.field(description="Which node.")
    number: int = strawberry.field(description="Its number, 1 to 10.")
    name: str = strawberry.field(description="Its name, in the system's words where it has its own (信访).")
    reached: bool = strawberry.field(description="Whether the appeal has got this far.")
    at: datetime | None = strawberry.field(
        description="When it was reached; null when not reached or the system does not record this step."
    )
    unit: str | None = strawberry.field(description="The unit acting at this node, where one does.")
    detail: str | None = strawberry.field(
        description="A few words: the channel, the category, the deadline and extensions, the callback's verdict."
    )
    events: list[HistoryEntry] = strawberry.field(description="The system's own history at this node, oldest first.")


@strawberry.type(description="One reason for a warning.")
class WarningReason:
    code: warnings.WarningReasonCode = strawberry.field(description="Which rule.")
    colour: warnings.WarningColour = strawberry.field(description="The colour this rule gives.")
    message: str = strawberry.field(description="The rule as it applies here, for people (Chinese).")


@strawberry.type(description="三色预警 (three-colour warning): the colour and every reason that holds now.")
class AppealWarning:
    colour: warnings.WarningColour = strawberry.field(description="The highest colour of the reasons; NONE if none.")
    reasons: list[WarningReason] = strawberry.field(description="Every reason that holds, the most urgent first.")


async def record_of(root: Any, info: Info) -> AppealRecord | None:
    """The appeal as its system has it, if the caller may see it (read once per request and system); a caller with
    the reduced view (existence, status and unit only) gets FORBIDDEN, as for every other field it withholds."""
    record: AppealRecord | None = root.record
    if record is None:
        system, local = split_id(str(root.id))
        source = info.context.client.get(system)
        if source is None:
            return None
        loader = info.context.loader(f"appeals.{system.value}", lambda: record_loader(source))
        record = cast(AppealRecord | None, await loader.load(local))
    if record is not None:
        info.context.seen_appeals[record.id] = record
    if record is None:
        return None
    access = decide(info.context.principal, record.facts)
    if not access.visible:
        return None
    if access.scope is not Scope.FULL:
        raise Forbidden("not visible to your role: only the existence, status and unit of this appeal")
    return record


async def _shown(root: Any, info: Info) -> AppealRecord:
    """The appeal for a field every caller who may see it gets (existence, status and unit included)."""
    record: AppealRecord | None = root.record
    if record is None:
        system, local = split_id(str(root.id))
        source = info.context.client.get(system)
        loader = (
            None if source is None else info.context.loader(f"appeals.{system.value}", lambda: record_loader(source))
        )
        record = None if loader is None else cast(AppealRecord | None, await loader.load(local))
    if record is None or not decide(info.context.principal, record.facts).visible:
        raise Forbidden("this appeal is not visible to you")
    return record


async def system_of(root: Any, info: Info) -> SourceSystem:
    return (await _shown(root, info)).system


async def received_at_of(root: Any, info: Info) -> datetime:
    return (await _shown(root, info)).received_at


async def status_of(root: Any, info: Info) -> UnifiedStatus:
    return (await _shown(root, info)).status


async def timeline_of(root: Any, info: Info) -> list[TrackingNode] | None:
    record = await record_of(root, info)
    if record is None:
        return None
    nodes = tracking.build_timeline(record)
    principal = info.context.principal
    citizen = is_citizen_view(principal)
    if citizen:
        nodes = tracking.citizen_safe(nodes)
    notes = not citizen and policy_holds("internal_notes", principal)  # handling units: full minus internal notes
    return [
        TrackingNode(
            step=n.step,
            number=n.number,
            name=n.name,
            reached=n.reached,
            at=n.at,
            unit=n.unit or None,
            detail=n.detail or None,
            events=[
                HistoryEntry(
                    at=e.at, action=e.action, unit=None if citizen else e.unit, note=(e.note or None) if notes else None
                )
                for e in n.events
            ],
        )
        for n in nodes
    ]


async def warning_of(root: Any, info: Info) -> AppealWarning | None:
    principal = info.context.principal
    if not principal.authenticated or is_citizen_view(principal):
        return None  # warnings are for staff (DOMAIN.md §7)
    from subgraphs.appeals.dedupe_fields import flags_of  # the duplicate fields build on this module

    flags = await flags_of(info, root)
    if flags is None:
        return None
    record, overlap, repeat_filer, people = flags
    found = warnings.warn(
        record,
        info.context.clock(),
        info.context.calendar,
        info.context.warning_limits,
        repeat_filer=repeat_filer,
        overlap=overlap,
        people_at_place=people,
    )
    return AppealWarning(
        colour=found.colour,
        reasons=[WarningReason(code=r.code, colour=r.colour, message=r.message) for r in found.reasons],
    )
