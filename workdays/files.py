"""Schedule files on disk: one ``YYYY.txt`` per year, in the notice's form (:mod:`workdays.schedule`).

The package ships its own folder (:data:`SHIPPED`); a deployment may name more folders (a later one wins for the
same year), so an operator can add next year's schedule the day the notice is published without a release.
:func:`configured_calendar` is the calendar of the folders ``MINYI_HOLIDAY_DIRS`` names (separated by
``os.pathsep``), for processes that take no other settings (the legacy stand-ins).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from workdays.calendar import WorkCalendar
from workdays.schedule import ScheduleError, YearSchedule, parse_schedule

__all__ = ["DIRS_ENV", "SHIPPED", "configured_calendar", "configured_dirs", "load_calendar", "load_schedules"]

DIRS_ENV = "MINYI_HOLIDAY_DIRS"

SHIPPED = Path(__file__).resolve().parent / "schedules"
_NAME = re.compile(r"^(\d{4})\.txt$")


def load_schedules(*directories: Path) -> dict[int, YearSchedule]:
    """Every ``YYYY.txt`` in the shipped folder and then in ``directories``; :class:`ScheduleError` (naming the
    file) for one that does not parse, ``FileNotFoundError`` for a folder that does not exist."""
    found: dict[int, YearSchedule] = {}
    for directory in (SHIPPED, *directories):
        if not directory.is_dir():
            raise FileNotFoundError(f"no holiday schedule folder {directory}")
        for path in sorted(directory.iterdir()):
            named = _NAME.match(path.name)
            if named is None:
                continue
            year = int(named.group(1))
            try:
                found[year] = parse_schedule(year, path.read_text(encoding="utf-8"))
            except ScheduleError as exc:
                raise ScheduleError(f"{path}: {exc}") from exc
    return found


@lru_cache(maxsize=8)
def load_calendar(*directories: Path) -> WorkCalendar:
    """The calendar of the shipped schedules plus ``directories`` (read once per set of folders)."""
    return WorkCalendar(load_schedules(*directories))


def configured_dirs() -> tuple[Path, ...]:
    """The schedule folders ``MINYI_HOLIDAY_DIRS`` names, in order (none when it is unset)."""
    return tuple(Path(d) for d in os.environ.get(DIRS_ENV, "").split(os.pathsep) if d.strip())


def configured_calendar() -> WorkCalendar:
    """The calendar of the shipped schedules plus the folders ``MINYI_HOLIDAY_DIRS`` names."""
    return load_calendar(*configured_dirs())
