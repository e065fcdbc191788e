"""How a thread moves through the board's states (stateInfo texts) and how long handling should take.

::

    待回复 ──► 已受理 ──► 办理中 / 处理中 ──► 已办理 ──► 已办结
       │          │            │                 │          ▲
       └──────────┴────────────┴──── reply ──► 已回复 ──────┘

``/v1/threads/state`` moves along the arrows; ``/v1/threads/reply`` publishes the answer from any open state and
sets 已回复. 已办结 is final. The board publishes no time limit (DOMAIN.md §4.1); the handling pace below follows
the weak 红网问政 source (咨询 3 working days, everything else 7) and only shapes the seeded data. The board's
calendar is Monday to Friday: it knows no public holidays.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

__all__ = [
    "ACCEPTED",
    "CLOSED",
    "DOING",
    "HANDLED",
    "OPEN_STATES",
    "PENDING",
    "PROCESSING",
    "REPLIED",
    "STATES",
    "TRANSITIONS",
    "add_workdays",
    "can_move",
    "time_limit_workdays",
]

PENDING = "待回复"
ACCEPTED = "已受理"
DOING = "办理中"
PROCESSING = "处理中"  # what some organs' clients write for 办理中
HANDLED = "已办理"
REPLIED = "已回复"
CLOSED = "已办结"

STATES = (PENDING, ACCEPTED, DOING, PROCESSING, HANDLED, REPLIED, CLOSED)
OPEN_STATES = frozenset({PENDING, ACCEPTED, DOING, PROCESSING, HANDLED})

TRANSITIONS: Mapping[str, frozenset[str]] = {
    PENDING: frozenset({ACCEPTED, DOING, PROCESSING}),
    ACCEPTED: frozenset({DOING, PROCESSING}),
    DOING: frozenset({HANDLED}),
    PROCESSING: frozenset({HANDLED}),
    HANDLED: frozenset({CLOSED}),
    REPLIED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

_LIMITS = {"咨询": 3}
_DEFAULT_LIMIT = 7


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def time_limit_workdays(type_name: str) -> int:
    """Working days the board's organs take to answer a thread of this 类型."""
    return _LIMITS.get(type_name, _DEFAULT_LIMIT)


def add_workdays(start: datetime, days: int) -> datetime:
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment
