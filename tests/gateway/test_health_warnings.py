"""``/health`` warns about a year in use (this one and the next) with no holiday schedule, and stops warning once
an operator adds the year's file to a configured folder."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest

from gateway.app import create_app
from gateway.settings import GatewayOptions
from tests.gateway.fakes import SUPERGRAPH, CountingPlanner, FakeExecutor, NullFetcher, print_fake_plan
from tests.support.servers import serve_asgi

DECEMBER_2026 = date(2026, 12, 6)  # 2026 is in the package; 2027 is not


async def _health(options: GatewayOptions, today: Callable[[], date]) -> dict[str, Any]:
    app = create_app(
        SUPERGRAPH,
        options,
        planner=CountingPlanner(),
        executor=FakeExecutor(),
        printer=print_fake_plan,
        fetcher=NullFetcher(),
        today=today,
    )
    server = serve_asgi(lambda: app)
    try:
        async with aiohttp.ClientSession() as session, session.get(server.url + "/health") as resp:
            body: dict[str, Any] = orjson.loads(await resp.read())
            return body
    finally:
        server.stop()


async def test_health_warns_about_next_year_without_a_schedule(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        health = await _health(GatewayOptions(), lambda: DECEMBER_2026)
    [warning] = health["warnings"]
    assert "2027" in warning and "Monday to Friday" in warning
    assert health["status"] == "ok"  # still serving: a warning, not a failure
    assert any("2027" in r.getMessage() and "放假安排" in r.getMessage() for r in caplog.records)


async def test_health_is_quiet_once_the_years_schedule_is_added(tmp_path: Path) -> None:
    (tmp_path / "2027.txt").write_text("一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n", encoding="utf-8")
    health = await _health(GatewayOptions(holiday_dirs=(tmp_path,)), lambda: DECEMBER_2026)
    assert health["warnings"] == []
