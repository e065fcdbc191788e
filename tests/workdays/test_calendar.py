"""Working days across the end of the package's data: the 2026-12-31 / 2027-01-01 cliff, and make-up Saturdays."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from resolvers.calendar import calendar_for, schedule_gaps
from workdays import Source, WorkCalendar

# An arrangement for 2027 in the notice's form, as an operator would add it (the dates of this test, not the
# State Council's).
SCHEDULE_2027 = """\
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（周六）至12日（周五）放假调休，共7天。1月31日（周日）、2月20日（周六）上班。
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "2027.txt").write_text(SCHEDULE_2027, encoding="utf-8")
    return tmp_path


def test_without_a_2027_schedule_the_new_year_is_counted_as_a_weekday_and_the_gap_is_named() -> None:
    bare = WorkCalendar()
    assert bare.source(2026) is Source.PACKAGE and bare.source(2027) is Source.NONE
    assert bare.add_workdays(datetime(2026, 12, 31, 9), 1) == datetime(2027, 1, 1, 9)  # 元旦 not known
    gap = schedule_gaps(bare, date(2026, 12, 6))
    assert gap is not None and gap.years == (2027,)
    assert "2027" in gap.message and "Monday to Friday" in gap.message


def test_with_the_2027_schedule_the_new_year_holiday_is_skipped(folder: Path) -> None:
    calendar = calendar_for([folder])
    assert calendar.source(2027) is Source.FILE
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.add_workdays(datetime(2026, 12, 31, 9), 1) == datetime(2027, 1, 4, 9)
    assert calendar.workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == 2  # 31 Dec, 4 Jan
    assert schedule_gaps(calendar, date(2026, 12, 6)) is None


def test_a_make_up_saturday_is_a_working_day(folder: Path) -> None:
    calendar = calendar_for([folder])
    assert calendar.is_workday(date(2027, 2, 20)) and date(2027, 2, 20).weekday() == 5
    assert calendar.add_workdays(datetime(2027, 2, 19, 10), 1) == datetime(2027, 2, 20, 10)
    assert calendar.is_workday(date(2027, 1, 31))  # a make-up Sunday before the festival
    # the package's own years keep their make-up Saturdays (国庆 2026: Saturday 10 October is worked)
    assert calendar.add_workdays(datetime(2026, 10, 9, 10), 1) == datetime(2026, 10, 10, 10)


def test_working_hours_skip_the_holiday_and_use_the_make_up_day(folder: Path) -> None:
    calendar = calendar_for([folder])
    # Friday 5 Feb 2027, 16:30: one hour left that day; the festival runs Saturday 6th to Friday 12th, the
    # weekend follows, and the second hour is Monday 15th from 09:00.
    assert calendar.add_working_hours(datetime(2027, 2, 5, 16, 30), 2) == datetime(2027, 2, 15, 10, 0)


def test_a_broken_schedule_file_is_refused_with_its_name(tmp_path: Path) -> None:
    from workdays import ScheduleError

    (tmp_path / "2027.txt").write_text("一、元旦：1月1日（周四）放假1天。", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"2027\.txt"):
        calendar_for([tmp_path])
