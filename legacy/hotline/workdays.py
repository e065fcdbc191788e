"""Working days (工作日) for the hotline's time limits, by the official holiday schedule (:mod:`workdays`): the
schedule files for the years they cover (the shipped folder and those ``MINYI_HOLIDAY_DIRS`` names), the
``chinesecalendar`` package for the years it knows, else Monday–Friday.
"""

from __future__ import annotations

from datetime import date, datetime

from workdays import configured_calendar

__all__ = ["add_workdays", "is_workday"]


def is_workday(day: date) -> bool:
    return configured_calendar().is_workday(day)


def add_workdays(start: datetime, days: int) -> datetime:
    """The same clock time ``days`` working days after ``start`` (a call on a holiday counts from the next one)."""
    return configured_calendar().add_workdays(start, days)
