"""Years in use that the calendar has no holiday schedule for: what start-up logs and ``/health`` report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workdays.calendar import WorkCalendar

__all__ = ["ScheduleGap", "schedule_gaps", "years_in_use"]


def years_in_use(today: date) -> tuple[int, ...]:
    """This year and the next: deadlines set now reach into the next year (a 60+30 日 petition, a limit set in
    December)."""
    return today.year, today.year + 1


@dataclass(frozen=True, slots=True)
class ScheduleGap:
    """Years in use with no holiday schedule: their working days are counted Monday–Friday."""

    years: tuple[int, ...]

    @property
    def message(self) -> str:
        listed = ", ".join(str(y) for y in self.years)
        return (
            f"no holiday schedule (放假安排) for {listed}: working days there are counted Monday to Friday, "
            f"ignoring public holidays and make-up working days; add {self.years[0]}.txt to a holiday folder"
        )


def schedule_gaps(calendar: WorkCalendar, today: date) -> ScheduleGap | None:
    """The years in use (:func:`years_in_use`) the calendar lacks, or ``None`` when it knows them all."""
    missing = calendar.missing_years(years_in_use(today))
    return ScheduleGap(tuple(missing)) if missing else None
