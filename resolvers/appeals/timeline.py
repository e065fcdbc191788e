"""The 10 tracking nodes (快递式查询, DOMAIN.md §6) of one appeal, built from its system's own history.

Every system keeps its own times (受理, 派单/转送, 签收, 答复, 回访, 办结 …) and its own history (流转记录);
:func:`build_timeline` lays them on the ten nodes every citizen and handler knows. A node is *reached* when its
own time is known or a later node is reached (a step the system does not record still happened before the next);
its time is known only where the system recorded it. The system's history events are attached to the node they
belong to, in their own words. A citizen gets :func:`citizen_safe`: no internal notes, no internal units' events
beyond the lead unit's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.domain import SourceSystem

__all__ = ["NODE_NAMES", "TrackingNode", "TrackingStep", "build_timeline", "citizen_safe", "step_of_action"]


class TrackingStep(Enum):
    SUBMITTED = "SUBMITTED"  # 1 诉求提交
    ACCEPTED = "ACCEPTED"  # 2 登记受理
    DEDUPLICATED = "DEDUPLICATED"  # 3 智能判重/归并
    ROUTED = "ROUTED"  # 4 智能派单 (信访: 转送/交办)
    REVIEWED = "REVIEWED"  # 5 人工复核
    SIGNED = "SIGNED"  # 6 单位签收 (信访: 接收)
    HANDLING = "HANDLING"  # 7 办理中
    REPLIED = "REPLIED"  # 8 答复/办结反馈 (信访: 意见书)
    EVALUATED = "EVALUATED"  # 9 回访评价
    CLOSED = "CLOSED"  # 10 办结归档


NODE_NAMES = {
    TrackingStep.SUBMITTED: "诉求提交",
    TrackingStep.ACCEPTED: "登记受理",
    TrackingStep.DEDUPLICATED: "智能判重",
    TrackingStep.ROUTED: "智能派单",
    TrackingStep.REVIEWED: "人工复核",
    TrackingStep.SIGNED: "单位签收",
    TrackingStep.HANDLING: "办理中",
    TrackingStep.REPLIED: "答复反馈",
    TrackingStep.EVALUATED: "回访评价",
    TrackingStep.CLOSED: "办结归档",
}
_PETITION_NAMES = {
    TrackingStep.SUBMITTED: "登记",
    TrackingStep.ACCEPTED: "受理告知",
    TrackingStep.ROUTED: "转送交办",
    TrackingStep.REVIEWED: "转送交办",
    TrackingStep.SIGNED: "接收",
    TrackingStep.REPLIED: "出具意见书",
    TrackingStep.EVALUATED: "评价",
    TrackingStep.CLOSED: "办结",
}

# the words the systems use in their histories, to the node they belong to (first match wins)
_ACTIONS: tuple[tuple[str, TrackingStep], ...] = (
    ("判重", TrackingStep.DEDUPLICATED),
    ("合并", TrackingStep.DEDUPLICATED),
    ("复核派单", TrackingStep.REVIEWED),
    ("确认派单", TrackingStep.REVIEWED),
    ("改派", TrackingStep.REVIEWED),
    ("派单", TrackingStep.ROUTED),
    ("派遣", TrackingStep.ROUTED),
    ("转办", TrackingStep.ROUTED),
    ("转送", TrackingStep.ROUTED),
    ("交办", TrackingStep.ROUTED),
    ("签收", TrackingStep.SIGNED),
    ("接收", TrackingStep.SIGNED),
    ("退单", TrackingStep.SIGNED),
    ("回访", TrackingStep.EVALUATED),
    ("评价", TrackingStep.EVALUATED),
    ("答复", TrackingStep.REPLIED),
    ("回复", TrackingStep.REPLIED),
    ("意见书", TrackingStep.REPLIED),
    ("反馈", TrackingStep.REPLIED),
    ("复查", TrackingStep.REPLIED),
    ("复核", TrackingStep.REPLIED),
    ("办结", TrackingStep.CLOSED),
    ("结案", TrackingStep.CLOSED),
    ("归档", TrackingStep.CLOSED),
    ("受理", TrackingStep.ACCEPTED),
    ("立案", TrackingStep.ACCEPTED),
    ("核实", TrackingStep.ACCEPTED),
    ("登记", TrackingStep.SUBMITTED),
    ("上报", TrackingStep.SUBMITTED),
    ("提交", TrackingStep.SUBMITTED),
)


def step_of_action(action: str) -> TrackingStep:
    """The node a history event belongs to; work in between (办理, 延期, 处置, 督办 …) is 办理中."""
    for word, step in _ACTIONS:
        if word in action:
            return step
    return TrackingStep.HANDLING


@dataclass(frozen=True, slots=True)
class TrackingNode:
    step: TrackingStep
    number: int  # 1..10
    name: str  # the node's name, in the system's words where it has its own (信访)
    reached: bool
    at: datetime | None  # when, where the system recorded it
    unit: str = ""  # the unit that acted at this node, where one did
    detail: str = ""  # channel, deadline, extension, satisfaction … in a few words
    events: tuple[HistoryEvent, ...] = ()  # the system's own history at this node, oldest first


def _first_event(events: Sequence[HistoryEvent]) -> datetime | None:
    return min((e.at for e in events), default=None)


def build_timeline(record: AppealRecord) -> tuple[TrackingNode, ...]:
    by_step: dict[TrackingStep, list[HistoryEvent]] = {s: [] for s in TrackingStep}
    for event in sorted(record.history, key=lambda e: e.at):
        by_step[step_of_action(event.action)].append(event)
    lead = record.lead_unit.name if record.lead_unit else ""
    deadline = f"办理期限 {record.deadline:%Y-%m-%d %H:%M}" if record.deadline else ""
    extended = f"，已延期 {record.extension_count} 次" if record.extension_count else ""
    if extended and record.extension_reason:
        extended += f"（{record.extension_reason}）"  # §6 node 7: the citizen sees the extension and its reason
    satisfied = {True: "满意", False: "不满意", None: ""}[record.visit_satisfied]
    known: dict[TrackingStep, tuple[datetime | None, str, str]] = {
        TrackingStep.SUBMITTED: (record.received_at, "", record.channel),
        TrackingStep.ACCEPTED: (record.accepted_at, "", record.category),
        TrackingStep.DEDUPLICATED: (_first_event(by_step[TrackingStep.DEDUPLICATED]), "", ""),
        TrackingStep.ROUTED: (record.dispatched_at, lead, ""),
        TrackingStep.REVIEWED: (_first_event(by_step[TrackingStep.REVIEWED]) or record.dispatched_at, lead, ""),
        TrackingStep.SIGNED: (record.signed_at, lead, ""),
        TrackingStep.HANDLING: (
            _first_event(by_step[TrackingStep.HANDLING]),
            lead,
            (deadline + extended).removeprefix("，"),
        ),
        TrackingStep.REPLIED: (record.replied_at, lead, ""),
        TrackingStep.EVALUATED: (record.visited_at, "", satisfied),
        TrackingStep.CLOSED: (record.closed_at, "", record.source_status if record.closed_at else ""),
    }
    names = _PETITION_NAMES if record.system is SourceSystem.PETITION else {}
    nodes: list[TrackingNode] = []
    later_reached = False
    for number, step in reversed(list(enumerate(TrackingStep, start=1))):
        at, unit, detail = known[step]
        if at is None and by_step[step]:
            at = _first_event(by_step[step])
        if step is TrackingStep.HANDLING and at is None and record.signed_at is not None and record.is_open:
            at = record.signed_at  # handling starts once the unit has signed
        reached = at is not None or later_reached
        later_reached = reached
        nodes.append(
            TrackingNode(
                step=step,
                number=number,
                name=names.get(step, NODE_NAMES[step]),
                reached=reached,
                at=at,
                unit=unit if reached else "",
                detail=detail if reached else "",
                events=tuple(by_step[step]),
            )
        )
    return tuple(reversed(nodes))


def citizen_safe(nodes: Sequence[TrackingNode]) -> tuple[TrackingNode, ...]:
    """What a citizen sees (DOMAIN.md §6, §8): the nodes, times and the lead unit's name; the system's history
    without internal notes and without the units that acted inside it."""
    return tuple(replace(node, events=tuple(HistoryEvent(e.at, e.action) for e in node.events)) for node in nodes)
