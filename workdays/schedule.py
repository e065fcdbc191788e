"""One year's holiday arrangement (节假日安排), read from the State Council's notice as it is published.

Each year the General Office of the State Council publishes 《关于X年部分节假日安排的通知》: one numbered item per
holiday, saying which days are off (放假) and which weekend days are worked instead (调休, 上班). An operator copies
the items into a text file named for the year (``2027.txt``), unchanged::

    一、元旦：1月1日（周五）至3日（周日）放假，共3天。
    二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。

:func:`parse_schedule` reads that form: in each item, the sentence with 放假 gives a day or a range of days off
(``A至B``; a month or year left out is the one before it), the sentence with 上班 lists the make-up working days.
A date may carry a year (``2022年12月31日``, as a 元旦 that starts in December does); the notes in brackets are
checked where they name a weekday (``（周五）``), and the stated total (``共7天``, ``放假1天``) must equal the
days counted. Lines starting with ``#`` and lines that are not numbered items (the notice's title and preamble)
are ignored. Any mismatch is a :class:`ScheduleError` naming the line: a wrong schedule is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["ScheduleError", "YearSchedule", "parse_schedule"]

_WEEKDAYS = "一二三四五六日"
_ITEM = re.compile(r"^\s*[一二三四五六七八九十]+、\s*(?P<name>[^：:]+)[：:](?P<body>.+)$")
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:[（(](?P<note>[^）)]*)[）)])?")
_TOTAL = re.compile(r"(?:共|放假)(\d+)天")


class ScheduleError(ValueError):
    """A schedule file that does not read as the notice's form, or contradicts itself."""


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """The days off and the make-up working days one year's notice announces (both may reach into a
    neighbouring year: a 元旦 from 31 December)."""

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    names: tuple[str, ...] = ()  # the holidays in the notice's order


def _dates(sentence: str, year: int, line: str) -> list[date]:
    found: list[date] = []
    current_year, month = year, 0
    for match in _DATE.finditer(sentence):
        if match.group("y"):
            current_year = int(match.group("y"))
        if match.group("m"):
            month = int(match.group("m"))
        if not month:
            raise ScheduleError(f"a date without its month in {line!r}")
        try:
            day = date(current_year, month, int(match.group("d")))
        except ValueError as exc:
            raise ScheduleError(f"no such date in {line!r}: {match.group(0)}") from exc
        note = match.group("note") or ""
        stated = re.search(r"周([一二三四五六日天])", note)
        if stated and _WEEKDAYS[day.weekday()] != stated.group(1).replace("天", "日"):
            raise ScheduleError(f"{day.isoformat()} is not a 周{stated.group(1)} in {line!r}")
        found.append(day)
    return found


def _days_off(sentence: str, year: int, line: str) -> list[date]:
    head = sentence.split("放假")[0]
    ends = _dates(head, year, line)
    if "至" in head:
        if len(ends) != 2:
            raise ScheduleError(f"a range needs two dates in {line!r}")
        first, last = ends
        if last < first:
            raise ScheduleError(f"a range that ends before it starts in {line!r}")
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    elif len(ends) == 1:
        days = ends
    else:
        raise ScheduleError(f"放假 needs one date or a range in {line!r}")
    total = _TOTAL.search(sentence)
    if total and int(total.group(1)) != len(days):
        raise ScheduleError(f"共{total.group(1)}天 but {len(days)} days counted in {line!r}")
    return days


def parse_schedule(year: int, text: str) -> YearSchedule:
    """The schedule of ``year`` from the notice's items (see the module docstring)."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        item = _ITEM.match(line)
        if line.startswith("#") or item is None:
            continue
        names.append(item.group("name").strip())
        off_seen = False
        for sentence in filter(None, (s.strip() for s in re.split(r"[。；;]", item.group("body")))):
            if "放假" in sentence:
                off = _days_off(sentence, year, line)
                off_seen = True
                holidays.update(off)
            elif "上班" in sentence:
                workdays.update(_dates(sentence, year, line))
        if not off_seen:
            raise ScheduleError(f"an item without its days off (放假) in {line!r}")
    if not names:
        raise ScheduleError(f"no holiday items (一、元旦：…) in the schedule of {year}")
    both = holidays & workdays
    if both:
        raise ScheduleError(f"days both off and worked in {year}: {sorted(d.isoformat() for d in both)}")
    weekday_workdays = sorted(d.isoformat() for d in workdays if d.weekday() < 5)
    if weekday_workdays:
        raise ScheduleError(f"make-up working days must be weekend days; not so {weekday_workdays}")
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), tuple(names))
