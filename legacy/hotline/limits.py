"""Time limits (办理时限) of the hotline: DOMAIN.md §2.3, Changsha defaults pending the real rules.

Sign (签收) within 1 working day of dispatch; return (退单) only within 2 working days; handling 咨询 2, 求助/建议
10, 投诉/举报 15 working days; urgent orders 2 hours (特急) or 24 hours (紧急); one extension of at most 10 working
days, approved by the centre. All of it is configuration: a deployment passes its own :class:`TimeLimits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from legacy.hotline.workdays import add_workdays

__all__ = ["HOURS", "WORKDAYS", "TimeLimits"]

WORKDAYS = "工作日"
HOURS = "小时"


def _frozen(values: dict[str, int]) -> Mapping[str, int]:
    return MappingProxyType(values)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeLimits:
    sign_workdays: int = 1
    return_workdays: int = 2
    handle_workdays: Mapping[str, int] = field(
        default_factory=lambda: _frozen({"咨询": 2, "求助": 10, "建议": 10, "投诉": 15, "举报": 15})
    )
    urgent_hours: Mapping[str, int] = field(default_factory=lambda: _frozen({"特急": 2, "紧急": 24}))
    max_extension_workdays: int = 10
    max_extensions: int = 1

    def handling(self, kind: str, urgency: str) -> tuple[int, str]:
        """The time limit and its unit for a work order of this 诉求类型 and 紧急程度."""
        if urgency in self.urgent_hours:
            return self.urgent_hours[urgency], HOURS
        return self.handle_workdays.get(kind, max(self.handle_workdays.values())), WORKDAYS

    @staticmethod
    def due(start: datetime, amount: int, unit: str) -> datetime:
        if unit == HOURS:
            return start + timedelta(hours=amount)
        return add_workdays(start, amount)

    def sign_due(self, dispatched_at: datetime) -> datetime:
        return add_workdays(dispatched_at, self.sign_workdays)

    def return_due(self, dispatched_at: datetime) -> datetime:
        return add_workdays(dispatched_at, self.return_workdays)
