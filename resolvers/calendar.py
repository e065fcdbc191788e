"""The product's one working-day calendar: every deadline and warning counts working days through it.

Build it once per process with :func:`calendar_for` from the configured schedule folders (``MINYI_HOLIDAY_DIRS``;
the shipped folder always comes first) and pass it down (subgraphs keep it in their request context as
``context.calendar``). Then::

    calendar.is_workday(day)                  # 工作日? (holidays off, 调休 weekend days worked)
    calendar.add_workdays(start, n)           # same clock time n working days later
    calendar.workdays_between(start, end)     # working days after start up to end
    calendar.add_working_hours(start, hours)  # 工作时 (09:00–12:00, 13:30–17:30)

Years the calendar knows come from a schedule file (the State Council's 放假安排, one ``YYYY.txt`` per year) or,
by default, from the ``chinesecalendar`` package where its release covers the year. A year in use without either
is counted Monday–Friday — holidays and make-up days ignored — so :func:`schedule_gaps` names such years: the
processes log it at start-up and the gateway reports it in ``/health``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workdays import ScheduleGap, WorkCalendar, load_calendar, schedule_gaps, years_in_use

__all__ = ["ScheduleGap", "WorkCalendar", "calendar_for", "schedule_gaps", "years_in_use"]


def calendar_for(directories: Iterable[str | Path] = ()) -> WorkCalendar:
    """The calendar of the shipped schedules plus ``directories`` (read once per set of folders)."""
    return load_calendar(*(Path(d) for d in directories))
