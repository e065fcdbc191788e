"""The legacy stand-ins count their deadlines on the same calendar as the product: the schedule folders that
``MINYI_HOLIDAY_DIRS`` names reach the hotline's working days, the grid's working hours and the suggestion system's
handling limit (a 2027 schedule added by an operator moves deadlines across the 2026/2027 cliff)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import aiohttp
import pytest

from legacy.grid.workhours import add_working_hours
from legacy.hotline.workdays import add_workdays as hotline_add_workdays
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion
from legacy.suggestion.protocol import API_KEYS
from legacy.suggestion.workflow import add_workdays as suggestion_add_workdays
from tests.support.servers import serve_aiohttp
from tests.workdays.test_calendar import SCHEDULE_2027
from workdays import DIRS_ENV

NEW_YEARS_EVE = datetime(2026, 12, 31, 10, 0)


@pytest.fixture
def schedule_2027(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "2027.txt").write_text(SCHEDULE_2027, encoding="utf-8")
    monkeypatch.setenv(DIRS_ENV, str(tmp_path))
    yield tmp_path


def test_without_a_schedule_the_stand_ins_count_new_year_s_day_as_a_working_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DIRS_ENV, raising=False)
    assert hotline_add_workdays(NEW_YEARS_EVE, 1) == datetime(2027, 1, 1, 10, 0)
    assert suggestion_add_workdays(NEW_YEARS_EVE, 1) == date(2027, 1, 1)
    assert add_working_hours(datetime(2026, 12, 31, 17, 0), 1) == datetime(2027, 1, 1, 9, 30)


def test_a_schedule_in_the_configured_folder_reaches_every_stand_in_s_deadlines(schedule_2027: Path) -> None:
    assert hotline_add_workdays(NEW_YEARS_EVE, 1) == datetime(2027, 1, 4, 10, 0)  # 元旦 1–3 January off
    assert suggestion_add_workdays(NEW_YEARS_EVE, 1) == date(2027, 1, 4)
    assert add_working_hours(datetime(2026, 12, 31, 17, 0), 1) == datetime(2027, 1, 4, 9, 30)
    # a make-up Saturday (调休) is a working day: 2027-02-20 is worked, the week of 春节 is not
    assert hotline_add_workdays(datetime(2027, 2, 19, 9, 0), 1) == datetime(2027, 2, 20, 9, 0)
    assert hotline_add_workdays(datetime(2027, 2, 5, 9, 0), 1) == datetime(2027, 2, 15, 9, 0)


async def test_the_suggestion_stand_in_sets_its_handling_limit_on_the_configured_calendar(
    schedule_2027: Path, tmp_path: Path
) -> None:
    server = serve_aiohttp(
        lambda: create_suggestion(StandinOptions(db=tmp_path / "s.sqlite"), clock=lambda: NEW_YEARS_EVE)
    )
    app_id, key = next(iter(API_KEYS.items()))
    headers = {"X-App-Id": app_id, "X-Api-Key": key}
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            new = {"jybt": "跨年建议", "jynr": "内容", "jyrxm": "钱七", "lxdh": "13600001111", "jylb": "城乡建设"}
            async with http.post(f"{server.url}/api/v2/suggestions", json=new) as resp:
                number = (await resp.json())["data"]["jybh"]
            assign = {"cbdw": "开福区生态环境分局", "cbdwdm": "43010503"}
            async with http.post(f"{server.url}/api/v2/suggestions/{number}/assign", json=assign) as resp:
                assigned = (await resp.json())["data"]
    finally:
        server.stop()
    # 10 working days after 31 December: 元旦 (1–3 January) is skipped, so the limit is 15 January, not 14
    assert assigned["blqx"] == "2027-01-15"
