"""Working days (工作日) for the hotline's time limits: the official calendar, with a weekday fallback.

``chinesecalendar`` knows the State Council's holidays and adjusted working weekends (调休) up to 2026 and raises
``NotImplementedError`` for later years (DOMAIN.md §2.3); past its range a working day is simply Monday–Friday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar  # type: ignore[import-untyped]

__all__ = ["add_workdays", "is_workday"]


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: datetime, days: int) -> datetime:
    """The same clock time ``days`` working days after ``start`` (a call on a holiday counts from the next one)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return datetime.combine(day, start.time())
