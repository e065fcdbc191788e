"""The suggestion workflow: 征集—交办—办理—反馈—评价—激励 (DOMAIN.md §0), its status codes and time limits.

======  ========  =============================================================
code    ztmc      reached by
======  ========  =============================================================
01      待受理     征集: a citizen submits (mini-program, web, 12345 transfer, letter)
02      不予受理   reject: not a suggestion, or a duplicate of one in hand
03      已交办     assign (交办): the centre names the 承办单位; the 办理期限 starts
04      办理中     handle: the unit signs for it and works on it
05      已反馈     feedback (反馈): the unit answers and records 采纳情况
06      已评价     evaluate (评价): the citizen rates the answer, 1–5
07      已激励     reward (激励): an adopted suggestion earns points; final
08      已办结     close: finished without reward; final
======  ========  =============================================================

Time limit [P, after the Changsha defaults of DOMAIN.md §2.3 for 建议]: 10 working days from 交办, counted on the
official holiday schedule (:mod:`workdays`: schedule files, also from ``MINYI_HOLIDAY_DIRS``, then
``chinesecalendar``, then Monday–Friday).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from workdays import configured_calendar

__all__ = [
    "ACTIONS",
    "ADOPTION",
    "HANDLE_WORKDAYS",
    "STATES",
    "WorkflowError",
    "add_workdays",
    "next_state",
]

PENDING, REJECTED, ASSIGNED, HANDLING, ANSWERED, EVALUATED, REWARDED, CLOSED = (
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
)
STATES: Mapping[str, str] = {
    PENDING: "待受理",
    REJECTED: "不予受理",
    ASSIGNED: "已交办",
    HANDLING: "办理中",
    ANSWERED: "已反馈",
    EVALUATED: "已评价",
    REWARDED: "已激励",
    CLOSED: "已办结",
}
# action -> (states it starts from, state it leads to)
ACTIONS: Mapping[str, tuple[frozenset[str], str]] = {
    "assign": (frozenset({PENDING}), ASSIGNED),
    "reject": (frozenset({PENDING}), REJECTED),
    "handle": (frozenset({ASSIGNED}), HANDLING),
    "feedback": (frozenset({HANDLING}), ANSWERED),
    "evaluate": (frozenset({ANSWERED}), EVALUATED),
    "reward": (frozenset({ANSWERED, EVALUATED}), REWARDED),
    "close": (frozenset({ANSWERED, EVALUATED}), CLOSED),
}
ADOPTION: Mapping[str, str] = {"1": "采纳", "2": "部分采纳", "0": "未采纳"}  # cnqk 采纳情况
HANDLE_WORKDAYS = 10


class WorkflowError(Exception):
    """A step the record's state does not allow."""


def next_state(state: str, action: str) -> str:
    if action not in ACTIONS:
        raise WorkflowError(f"unknown action {action!r}")
    starts, target = ACTIONS[action]
    if state not in starts:
        raise WorkflowError(f"{action} is not allowed in state {state} ({STATES.get(state, '?')})")
    return target


def add_workdays(start: datetime, days: int) -> date:
    """The date ``days`` working days after ``start``."""
    calendar = configured_calendar()
    day = start.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day
