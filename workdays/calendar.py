"""Working days (工作日) and working hours (工作时) by the official holiday schedule.

Where a year is known, a day is a working day when it is a weekday that is not a holiday, or a weekend day the
schedule makes a working day (调休). Sources, in order: a schedule file for the year (:mod:`workdays.schedule`,
what an operator adds when the State Council publishes the notice), then the ``chinesecalendar`` package (the
default for the years its release knows). A year neither knows falls back to Monday–Friday, and the calendar says
so: :meth:`WorkCalendar.covers` is false for it and :meth:`WorkCalendar.missing_years` lists it, for the start-up
warning and ``/health``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import cache
from types import MappingProxyType
from typing import Any

from workdays.schedule import YearSchedule

__all__ = ["PERIODS", "Source", "WorkCalendar"]

# A working day's two periods for limits counted in working hours (grid, DOMAIN.md §4.2): 7 hours.
PERIODS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
_MAX_DAYS = 3660  # a limit longer than ten years is a bug, not a deadline


class Source(Enum):
    """Where the calendar's knowledge of a year comes from."""

    FILE = "file"
    PACKAGE = "chinesecalendar"
    NONE = "weekdays only"


@cache
def _package() -> Any:
    # imported on first use: its tables are large, and a process that never counts a working day (or not yet,
    # while it starts) should not pay for them
    return importlib.import_module("chinese_calendar")


def _package_workday(day: date) -> bool | None:
    """The package's answer, or ``None`` outside the years it knows (it raises ``NotImplementedError`` there)."""
    try:
        return bool(_package().is_workday(day))
    except NotImplementedError:
        return None


def _package_knows(year: int) -> bool:
    return _package_workday(date(year, 6, 1)) is not None


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days from schedule files (by year), else ``chinesecalendar``, else Monday–Friday."""

    schedules: Mapping[int, YearSchedule] = field(default_factory=lambda: MappingProxyType({}))
    # answers already worked out (deadlines ask about the same days again and again); a cache, not state
    _known: dict[date, bool] = field(default_factory=dict, compare=False, repr=False)

    def source(self, year: int) -> Source:
        if year in self.schedules:
            return Source.FILE
        return Source.PACKAGE if _package_knows(year) else Source.NONE

    def covers(self, year: int) -> bool:
        """Whether holidays and make-up days of ``year`` are known (else it is Monday–Friday)."""
        return self.source(year) is not Source.NONE

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The years among ``years`` this calendar has no schedule for, sorted."""
        return sorted({y for y in years if not self.covers(y)})

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._work_out(day)
        return known

    def _work_out(self, day: date) -> bool:
        # A schedule announces days that reach into the neighbouring year (元旦 from 31 December): look at both.
        for year in (day.year, day.year + 1, day.year - 1):
            schedule = self.schedules.get(year)
            if schedule is not None:
                if day in schedule.holidays:
                    return False
                if day in schedule.makeup_workdays:
                    return True
        if day.year in self.schedules:
            return day.weekday() < 5
        known = _package_workday(day)
        return day.weekday() < 5 if known is None else known

    def add_workdays(self, start: datetime, days: int) -> datetime:
        """The same clock time ``days`` working days after ``start`` (from a holiday, counting starts at the next
        working day)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start.date(), 0
        for _ in range(_MAX_DAYS * 2):
            if counted == days:
                return datetime.combine(day, start.time(), start.tzinfo)
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        raise ValueError(f"{days} working days do not fit in {_MAX_DAYS * 2} days")

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``start`` (time outside :data:`PERIODS` and non-working days
        is skipped)."""
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(hours=hours)
        if not remaining:
            return start
        cursor = start
        for _ in range(_MAX_DAYS):
            day = cursor.date()
            if self.is_workday(day):
                for begin, end in PERIODS:
                    period_start = datetime.combine(day, begin, start.tzinfo)
                    period_end = datetime.combine(day, end, start.tzinfo)
                    if cursor >= period_end:
                        continue
                    segment_start = max(cursor, period_start)
                    available = period_end - segment_start
                    if remaining <= available:
                        return segment_start + remaining
                    remaining -= available
            cursor = datetime.combine(day + timedelta(days=1), time(0, 0), start.tzinfo)
        raise ValueError(f"{hours} working hours do not fit in {_MAX_DAYS} days")
