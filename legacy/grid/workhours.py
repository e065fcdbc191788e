"""Working hours (工作时): grid time limits are counted in them, not in clock hours (DOMAIN.md §4.2).

A working day has two periods, 09:00–12:00 and 13:30–17:30 (7 hours). Working days come from the official holiday
schedule (:mod:`workdays`: schedule files, else the ``chinesecalendar`` package, else Monday–Friday).
"""

from __future__ import annotations

from datetime import date, datetime

from workdays import PERIODS, configured_calendar

__all__ = ["HOURS_PER_DAY", "PERIODS", "add_working_hours", "is_working_day"]

HOURS_PER_DAY = 7


def is_working_day(day: date) -> bool:
    return configured_calendar().is_workday(day)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` working hours after ``start`` (naive local time); time outside the periods is skipped."""
    return configured_calendar().add_working_hours(start, hours)
