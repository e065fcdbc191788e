"""Working hours (工作时): grid time limits are counted in them, not in clock hours (DOMAIN.md §4.2).

A working day has two periods, 09:00–12:00 and 13:30–17:30 (7 hours). Working days come from the
``chinesecalendar`` package (public holidays and the weekend days swapped into working days); it has data up to
2026 and raises ``NotImplementedError`` for later years, where Monday to Friday is used instead.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar  # type: ignore[import-untyped]

__all__ = ["HOURS_PER_DAY", "PERIODS", "add_working_hours", "is_working_day"]

PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
HOURS_PER_DAY = 7
_MAX_DAYS = 3660  # a limit longer than ten years is a bug, not a deadline


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # outside the package's data: plain weekdays
        return day.weekday() < 5


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` working hours after ``start`` (naive local time); time outside the periods is skipped."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    remaining = timedelta(hours=hours)
    if not remaining:
        return start
    cursor = start
    for _ in range(_MAX_DAYS):
        day = cursor.date()
        if is_working_day(day):
            for begin, end in PERIODS:
                period_start, period_end = datetime.combine(day, begin), datetime.combine(day, end)
                if cursor >= period_end:
                    continue
                segment_start = max(cursor, period_start)
                available = period_end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0))
    raise ValueError(f"{hours} working hours do not fit in {_MAX_DAYS} days")
