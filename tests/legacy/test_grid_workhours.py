"""Grid time limits count working hours: 09:00–12:00 and 13:30–17:30 on Chinese working days."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from legacy.grid.codes import EVENT_CODES, event_code_for
from legacy.grid.workflow import WorkflowError, next_state
from legacy.grid.workhours import add_working_hours, is_working_day
from legacy.world import CATEGORIES


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        (datetime(2026, 11, 23, 9, 0), 3, datetime(2026, 11, 23, 12, 0)),  # a whole morning
        (datetime(2026, 11, 23, 11, 0), 4, datetime(2026, 11, 23, 16, 30)),  # over lunch
        (datetime(2026, 11, 23, 12, 45), 1, datetime(2026, 11, 23, 14, 30)),  # starting in the lunch break
        (datetime(2026, 11, 23, 7, 0), 2, datetime(2026, 11, 23, 11, 0)),  # before opening
        (datetime(2026, 11, 27, 17, 0), 2, datetime(2026, 11, 30, 10, 30)),  # Friday evening → Monday
        (datetime(2026, 11, 23, 9, 0), 35, datetime(2026, 11, 27, 17, 30)),  # 5 working days
        (datetime(2026, 9, 30, 16, 30), 4, datetime(2026, 10, 8, 12, 0)),  # National Day holiday
        (datetime(2026, 10, 9, 17, 0), 1, datetime(2026, 10, 10, 9, 30)),  # Saturday 10 Oct is a working day
        (datetime(2026, 12, 31, 17, 0), 2, datetime(2027, 1, 1, 10, 30)),  # 2027: no data, weekdays instead
        (datetime(2026, 11, 23, 10, 0), 0, datetime(2026, 11, 23, 10, 0)),
    ],
)
def test_working_hours_skip_nights_lunch_weekends_and_holidays(start: datetime, hours: float, end: datetime) -> None:
    assert add_working_hours(start, hours) == end


def test_the_calendar_falls_back_to_weekdays_after_its_data_ends() -> None:
    assert not is_working_day(date(2026, 10, 1)) and is_working_day(date(2026, 10, 10))
    assert is_working_day(date(2027, 2, 8)) and not is_working_day(date(2027, 2, 6))
    with pytest.raises(ValueError, match="negative"):
        add_working_hours(datetime(2026, 1, 5, 9), -1)


def test_every_world_category_lands_on_a_known_event_code() -> None:
    for category in CATEGORIES:
        assert event_code_for(category, "无关标题").code in EVENT_CODES
    assert event_code_for("环境保护", "新村社区垃圾堆积").sub_name == "暴露垃圾"
    assert event_code_for("城乡建设", "新村社区违章搭建").sub_name == "私搭乱建"
    assert EVENT_CODES["0102"].limit_hours == 4 and EVENT_CODES["0103"].limit_hours == 2


def test_public_reports_need_confirmation_and_closed_events_stay_closed() -> None:
    assert next_state("上报", "confirm", public_report=True) == "核实"
    assert next_state("上报", "register", public_report=False) == "立案"
    with pytest.raises(WorkflowError, match="先核实"):
        next_state("上报", "register", public_report=True)
    with pytest.raises(WorkflowError, match="无需核实"):
        next_state("上报", "confirm", public_report=False)
    assert next_state("反馈", "verify", public_report=True, passed=False) == "处置中"
    with pytest.raises(WorkflowError):
        next_state("结案", "cancel", public_report=True)
    with pytest.raises(ValueError, match="unknown action"):
        next_state("上报", "approve", public_report=True)
