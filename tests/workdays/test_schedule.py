"""Reading the State Council's 放假安排 as published, and refusing one that contradicts itself."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from workdays import ScheduleError, WorkCalendar, parse_schedule

NOTICE_2026 = (Path(__file__).parent / "2026.txt").read_text(encoding="utf-8")


def test_the_2026_notice_gives_exactly_the_days_the_package_knows() -> None:
    from_file = WorkCalendar({2026: parse_schedule(2026, NOTICE_2026)})
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert from_file.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_items_name_the_holidays_in_order() -> None:
    schedule = parse_schedule(2026, NOTICE_2026)
    assert schedule.names == ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
    assert len(schedule.holidays) == 33 and len(schedule.makeup_workdays) == 6


def test_a_new_year_holiday_may_start_in_december_and_a_single_day_may_stand_alone() -> None:
    text = (
        "一、元旦：2022年12月31日（周六）至2023年1月2日（周一）放假调休，共3天。\n"
        "二、劳动节：5月1日（周一）放假1天，不调休。\n"
    )
    schedule = parse_schedule(2023, text)
    assert schedule.holidays == {date(2022, 12, 31), date(2023, 1, 1), date(2023, 1, 2), date(2023, 5, 1)}


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("一、元旦：1月1日（周五）至3日（周日）放假，共3天。", "not a 周五"),  # 2026-01-01 is a Thursday
        ("一、元旦：1月1日至3日放假，共4天。", "共4天"),
        ("一、元旦：1月1日至3日放假调休，共3天。1月5日（周一）上班。", "weekend"),
        ("一、元旦：1月1日至3日放假，共3天。1月3日上班。", "both off and worked"),
        ("一、元旦：2月30日放假。", "no such date"),
        ("一、元旦：1月4日上班。", "without its days off"),
        ("国务院办公厅关于2026年部分节假日安排的通知", "no holiday items"),
    ],
)
def test_a_schedule_that_contradicts_itself_is_refused(text: str, complaint: str) -> None:
    with pytest.raises(ScheduleError, match=complaint):
        parse_schedule(2026, text)
