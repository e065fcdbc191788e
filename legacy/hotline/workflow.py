"""The hotline workflow (DOMAIN.md §2.2) as pure functions: ``(ticket, now, ...) -> ticket`` or ``WorkflowError``.

City level (``Ticket.state``) and unit level (``UnitAssignment.state``)::

    暂存 ─受理→ 已受理 ─派单→ 已转办处理中 ─(lead 答复)→ 已回复待审核 ─审核通过→ 待回访 ─回访满意→ 已回访 ─办结→ 已办结
      └─作废→ 无效件      │                  ▲                   └─审核不通过→ 已转办处理中 (lead 办理中)
                          │                  │                                  回访不满意→ 重办中 (lead 办理中)
    登记 with 直接答复 → 已直接答复 ─回访满意→ 已回访 │ 回访不满意→ 已受理 (to be dispatched)

    per unit: 待签收 ─签收→ 办理中 ─答复→ 已回复        (the lead replies last: co-units reply to it first)
              待签收/办理中 ─退单→ 退单申请中 ─通过→ 已退单 (lead: the order goes back to 已受理) | 驳回→ 办理中
              办理中 ─延期→ 延期申请中 ─审批→ 办理中 (approved: deadline moved, at most once per order)

    overlays on any order not yet 已办结/无效件: 督办 (with a reply-by time that is not in the past), 催办;
    关联 (a link to a record in another system or to a duplicate order; the same link is kept once)
    办结 carries the closure level (办结类型, 三级办结): 阶段性办结 / 程序性办结 / 实质性办结

Every function is pure so that the seeding and the HTTP routes share one rulebook.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from legacy.hotline.limits import TimeLimits
from legacy.hotline.model import (
    APPEAL_KINDS,
    CLOSURE_LEVELS,
    CityState,
    Event,
    Link,
    Role,
    Ticket,
    UnitAssignment,
    UnitState,
)
from legacy.hotline.workdays import add_workdays

__all__ = [
    "CENTRE",
    "WorkflowError",
    "accept",
    "audit",
    "callback",
    "close",
    "decide_extension",
    "decide_return",
    "dispatch",
    "invalidate",
    "link",
    "register",
    "reply",
    "request_extension",
    "request_return",
    "sign",
    "supervise",
    "urge",
]

CENTRE = "12345中心"
MAX_CO_UNITS = 5


class WorkflowError(Exception):
    """An operation the current state does not allow; the message is what the legacy system says."""


def _log(ticket: Ticket, at: datetime, action: str, unit: str = CENTRE, note: str = "") -> tuple[Event, ...]:
    return (*ticket.events, Event(at, action, unit, note))


def _require(ticket: Ticket, *states: CityState) -> None:
    if ticket.state not in states:
        allowed = "、".join(s.value for s in states)
        raise WorkflowError(f"工单状态为{ticket.state.value}，当前操作仅限{allowed}")


def _unit(ticket: Ticket, code: str, *states: UnitState) -> UnitAssignment:
    found = ticket.unit(code)
    if found is None:
        raise WorkflowError(f"单位{code}未承办该工单")
    if states and found.state not in states:
        allowed = "、".join(s.value for s in states)
        raise WorkflowError(f"{found.name}状态为{found.state.value}，当前操作仅限{allowed}")
    return found


def _put(ticket: Ticket, unit: UnitAssignment) -> tuple[UnitAssignment, ...]:
    return tuple(unit if (u.code == unit.code and u.active) else u for u in ticket.units)


def register(ticket: Ticket, now: datetime, *, draft: bool = False, direct_answer: str = "") -> Ticket:
    """坐席登记: a new order is 暂存 (saved as draft), 已受理, or — a 咨询 answered from the knowledge base on the
    call — 已直接答复."""
    if ticket.kind not in APPEAL_KINDS:
        raise WorkflowError(f"诉求类型须为{'/'.join(APPEAL_KINDS)}之一")
    events: tuple[Event, ...] = (Event(now, "登记", CENTRE),)
    if draft:
        if direct_answer:
            raise WorkflowError("暂存工单不能直接答复")
        return replace(ticket, state=CityState.DRAFT, events=events)
    events = (*events, Event(now, "受理", CENTRE))
    if not direct_answer:
        return replace(ticket, state=CityState.ACCEPTED, accepted_at=now, events=events)
    if ticket.kind != "咨询":
        raise WorkflowError("仅咨询类诉求可直接答复")
    return replace(
        ticket,
        state=CityState.DIRECT_ANSWERED,
        accepted_at=now,
        direct_answer=True,
        replied_at=now,
        reply=direct_answer,
        events=(*events, Event(now, "直接答复", CENTRE, direct_answer)),
    )


def accept(ticket: Ticket, now: datetime) -> Ticket:
    """暂存 → 已受理."""
    _require(ticket, CityState.DRAFT)
    return replace(ticket, state=CityState.ACCEPTED, accepted_at=now, events=_log(ticket, now, "受理"))


def invalidate(ticket: Ticket, now: datetime, reason: str) -> Ticket:
    """暂存/已受理 → 无效件 (无效、骚扰来电)."""
    _require(ticket, CityState.DRAFT, CityState.ACCEPTED)
    if not reason:
        raise WorkflowError("作废须填写原因")
    return replace(ticket, state=CityState.INVALID, closed_at=now, events=_log(ticket, now, "作废", note=reason))


def dispatch(
    ticket: Ticket,
    now: datetime,
    lead: tuple[str, str],
    co_units: list[tuple[str, str]],
    limits: TimeLimits,
    note: str = "",
) -> Ticket:
    """已受理 → 已转办处理中: the lead unit (主办) and co-units (协办) each get 待签收 and the deadlines."""
    _require(ticket, CityState.ACCEPTED)
    codes = [lead[0], *(c for c, _ in co_units)]
    if len(set(codes)) != len(codes):
        raise WorkflowError("主办单位与协办单位不能重复")
    if len(co_units) > MAX_CO_UNITS:
        raise WorkflowError(f"协办单位不能超过{MAX_CO_UNITS}个")
    amount, unit = limits.handling(ticket.kind, ticket.urgency)
    deadline = limits.due(now, amount, unit)
    sign_due = min(limits.sign_due(now), deadline)
    fresh = tuple(
        UnitAssignment(code, name, role, UnitState.PENDING_SIGN, now, sign_due, deadline)
        for (code, name), role in [(lead, Role.LEAD), *((c, Role.CO) for c in co_units)]
    )
    names = "、".join(u.name for u in fresh)
    return replace(
        ticket,
        state=CityState.DISPATCHED,
        accepted_at=ticket.accepted_at or now,
        dispatched_at=now,
        time_limit=amount,
        time_unit=unit,
        deadline=deadline,
        units=(*ticket.units, *fresh),
        events=_log(ticket, now, "派单", note=f"派至{names}" + (f"；{note}" if note else "")),
    )


def sign(ticket: Ticket, now: datetime, code: str) -> Ticket:
    """Unit 待签收 → 办理中 (签收即进入办理)."""
    _require(ticket, CityState.DISPATCHED)
    unit = _unit(ticket, code, UnitState.PENDING_SIGN)
    signed = replace(unit, state=UnitState.HANDLING, signed_at=now)
    return replace(ticket, units=_put(ticket, signed), events=_log(ticket, now, "签收", unit.name))


def request_return(ticket: Ticket, now: datetime, code: str, reason: str, limits: TimeLimits) -> Ticket:
    """Unit 待签收/办理中 → 退单申请中, with a reason, within the return limit of its dispatch."""
    _require(ticket, CityState.DISPATCHED)
    unit = _unit(ticket, code, UnitState.PENDING_SIGN, UnitState.HANDLING)
    if not reason:
        raise WorkflowError("退单须填写原因")
    if now > limits.return_due(unit.dispatched_at):
        raise WorkflowError(f"已超过退单时限（派单后{limits.return_workdays}个工作日内）")
    asked = replace(unit, state=UnitState.RETURN_REQUESTED, return_reason=reason)
    return replace(ticket, units=_put(ticket, asked), events=_log(ticket, now, "退单申请", unit.name, reason))


def decide_return(ticket: Ticket, now: datetime, code: str, approve: bool, opinion: str = "") -> Ticket:
    """The centre rules on a return: approved → the unit is 已退单 (a lead's return sends the order back to
    已受理 for re-dispatch, co-units included); rejected → the unit keeps it, 办理中."""
    _require(ticket, CityState.DISPATCHED)
    unit = _unit(ticket, code, UnitState.RETURN_REQUESTED)
    note = ("同意" if approve else "驳回") + (f"：{opinion}" if opinion else "")
    events = _log(ticket, now, "退单审核", note=f"{unit.name}{note}")
    if not approve:
        kept = replace(unit, state=UnitState.HANDLING, signed_at=unit.signed_at or now)
        return replace(ticket, units=_put(ticket, kept), events=events)
    if unit.role is Role.CO:
        gone = replace(unit, state=UnitState.RETURNED)
        return replace(ticket, units=_put(ticket, gone), events=events)
    units = tuple(replace(u, state=UnitState.RETURNED) if u.active else u for u in ticket.units)
    return replace(
        ticket,
        state=CityState.ACCEPTED,
        units=units,
        deadline=None,
        return_count=ticket.return_count + 1,
        events=events,
    )


def request_extension(ticket: Ticket, now: datetime, code: str, days: int, reason: str, limits: TimeLimits) -> Ticket:
    """Unit 办理中 → 延期申请中; at most ``limits.max_extensions`` per order, each ≤ the maximum working days."""
    _require(ticket, CityState.DISPATCHED, CityState.REHANDLE)
    unit = _unit(ticket, code, UnitState.HANDLING)
    if not reason:
        raise WorkflowError("延期须填写原因")
    if not 1 <= days <= limits.max_extension_workdays:
        raise WorkflowError(f"延期天数须在1至{limits.max_extension_workdays}个工作日之间")
    if ticket.extension_count >= limits.max_extensions:
        raise WorkflowError(f"每张工单仅可延期{limits.max_extensions}次")
    if any(u.state is UnitState.EXTENSION_REQUESTED for u in ticket.units):
        raise WorkflowError("已有延期申请待审批")
    asked = replace(unit, state=UnitState.EXTENSION_REQUESTED, extension_days=days, extension_reason=reason)
    note = f"申请延期{days}个工作日：{reason}"
    return replace(ticket, units=_put(ticket, asked), events=_log(ticket, now, "延期申请", unit.name, note))


def decide_extension(ticket: Ticket, now: datetime, code: str, approve: bool, opinion: str = "") -> Ticket:
    """The centre rules on an extension; approved moves the unit's deadline (and the order's, for the lead)."""
    _require(ticket, CityState.DISPATCHED, CityState.REHANDLE)
    unit = _unit(ticket, code, UnitState.EXTENSION_REQUESTED)
    note = ("同意" if approve else "不同意") + (f"：{opinion}" if opinion else "")
    events = _log(ticket, now, "延期审批", note=f"{unit.name}{note}")
    if not approve:
        back = replace(unit, state=UnitState.HANDLING, extension_days=0, extension_reason="")
        return replace(ticket, units=_put(ticket, back), events=events)
    moved = add_workdays(unit.deadline, unit.extension_days)
    back = replace(unit, state=UnitState.HANDLING, deadline=moved)
    deadline = moved if unit.role is Role.LEAD else ticket.deadline
    return replace(
        ticket,
        units=_put(ticket, back),
        deadline=deadline,
        extension_count=ticket.extension_count + 1,
        events=events,
    )


def reply(ticket: Ticket, now: datetime, code: str, content: str) -> Ticket:
    """Unit 办理中 → 已回复. Co-units reply to the lead; the lead replies last, once for all (主办会办), and its
    reply moves the order to 已回复待审核."""
    _require(ticket, CityState.DISPATCHED, CityState.REHANDLE)
    unit = _unit(ticket, code, UnitState.HANDLING)
    if not content:
        raise WorkflowError("答复内容不能为空")
    if unit.role is Role.LEAD:
        waiting = [u.name for u in ticket.co_units if u.state is not UnitState.REPLIED]
        if waiting:
            raise WorkflowError(f"协办单位尚未回复：{'、'.join(waiting)}")
    answered = replace(unit, state=UnitState.REPLIED, replied_at=now, reply=content)
    units = _put(ticket, answered)
    events = _log(ticket, now, "答复", unit.name, content)
    if unit.role is Role.CO:
        return replace(ticket, units=units, events=events)
    return replace(ticket, state=CityState.REPLIED, units=units, replied_at=now, reply=content, events=events)


def audit(ticket: Ticket, now: datetime, passed: bool, opinion: str = "") -> Ticket:
    """中心审核 of the consolidated reply: passed → 待回访; failed → back to the lead unit, 办理中."""
    _require(ticket, CityState.REPLIED)
    note = ("通过" if passed else "不通过") + (f"：{opinion}" if opinion else "")
    events = _log(ticket, now, "审核", note=note)
    if passed:
        return replace(ticket, state=CityState.VISIT, audit_opinion=opinion, events=events)
    lead = ticket.lead
    if lead is None:  # pragma: no cover - a replied order always has a lead
        raise WorkflowError("工单无主办单位")
    units = _put(ticket, replace(lead, state=UnitState.HANDLING))
    return replace(ticket, state=CityState.DISPATCHED, units=units, audit_opinion=opinion, events=events)


def callback(ticket: Ticket, now: datetime, satisfied: bool, opinion: str = "") -> Ticket:
    """回访: satisfied → 已回访; unsatisfied → 重办中 with the lead handling again (or, for a direct answer,
    back to 已受理 so that a unit takes it)."""
    _require(ticket, CityState.VISIT, CityState.DIRECT_ANSWERED)
    note = ("满意" if satisfied else "不满意") + (f"：{opinion}" if opinion else "")
    base = replace(
        ticket,
        callback_count=ticket.callback_count + 1,
        callback_at=now,
        callback_satisfied=satisfied,
        callback_opinion=opinion,
        events=_log(ticket, now, "回访", note=note),
    )
    if satisfied:
        return replace(base, state=CityState.VISITED)
    if ticket.state is CityState.DIRECT_ANSWERED:
        return replace(base, state=CityState.ACCEPTED, rehandle_count=ticket.rehandle_count + 1)
    lead = ticket.lead
    if lead is None:  # pragma: no cover
        raise WorkflowError("工单无主办单位")
    units = _put(ticket, replace(lead, state=UnitState.HANDLING))
    return replace(base, state=CityState.REHANDLE, units=units, rehandle_count=ticket.rehandle_count + 1)


def close(ticket: Ticket, now: datetime, closure: str = "") -> Ticket:
    """已回访 → 已办结 (办结归档), with the closure level (办结类型) when given."""
    _require(ticket, CityState.VISITED)
    if closure and closure not in CLOSURE_LEVELS:
        raise WorkflowError(f"办结类型须为{'/'.join(CLOSURE_LEVELS)}之一")
    return replace(
        ticket, state=CityState.CLOSED, closed_at=now, closure=closure, events=_log(ticket, now, "办结", note=closure)
    )


_OPEN = tuple(s for s in CityState if s not in (CityState.CLOSED, CityState.INVALID))


def supervise(ticket: Ticket, now: datetime, opinion: str, reply_by: datetime | None) -> Ticket:
    """督办: the supervisor's instruction, logged on the order; a reply-by time must not be in the past."""
    _require(ticket, *_OPEN)
    if not opinion:
        raise WorkflowError("督办须填写督办意见")
    if reply_by is not None and reply_by <= now:
        raise WorkflowError("督办回复时限不能早于当前时间")
    note = opinion + (f"（{reply_by:%Y-%m-%d %H:%M}前回复）" if reply_by else "")
    return replace(ticket, events=_log(ticket, now, "督办", note=note))


def urge(ticket: Ticket, now: datetime, opinion: str) -> Ticket:
    """催办: a reminder to the units holding the order, logged on it."""
    _require(ticket, CityState.DISPATCHED, CityState.REHANDLE, CityState.REPLIED)
    return replace(ticket, events=_log(ticket, now, "催办", note=opinion))


def link(ticket: Ticket, now: datetime, system: str, number: str, kind: str) -> Ticket:
    """关联: a link to a record of another system (or another order); an existing identical link is kept once."""
    if not system or not number or not kind:
        raise WorkflowError("关联须填写系统、编号与关联类型")
    if system == "hotline" and number == ticket.order_no:
        raise WorkflowError("工单不能与自身关联")
    if any(lk.system == system and lk.number == number and lk.kind == kind for lk in ticket.links):
        return ticket
    note = f"{kind}：{system} {number}"
    return replace(
        ticket, links=(*ticket.links, Link(system, number, kind, now)), events=_log(ticket, now, "关联", note=note)
    )
