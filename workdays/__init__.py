"""Working days by the official holiday schedule (放假安排): the one calendar every deadline and warning uses.

A small library with no dependency on the rest of the project (the legacy stand-ins use it as well as the
product): :mod:`workdays.schedule` reads a year's notice, :mod:`workdays.calendar` counts working days and hours,
:mod:`workdays.files` finds the schedule files, :mod:`workdays.gaps` names the years in use it lacks.
"""

from workdays.calendar import PERIODS, Source, WorkCalendar
from workdays.files import DIRS_ENV, SHIPPED, configured_calendar, configured_dirs, load_calendar, load_schedules
from workdays.gaps import ScheduleGap, schedule_gaps, years_in_use
from workdays.schedule import ScheduleError, YearSchedule, parse_schedule

__all__ = [
    "DIRS_ENV",
    "PERIODS",
    "SHIPPED",
    "ScheduleError",
    "ScheduleGap",
    "Source",
    "WorkCalendar",
    "YearSchedule",
    "configured_calendar",
    "configured_dirs",
    "load_calendar",
    "load_schedules",
    "parse_schedule",
    "schedule_gaps",
    "years_in_use",
]
