"""The counter and fault injector every stand-in shares, on a tiny stand-in over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp import web

from legacy.standin import StandinOptions, create_standin_app
from tests.support.servers import BackgroundServer, serve_aiohttp


async def _ping(request: web.Request) -> web.Response:
    return web.json_response({"pong": True})


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin_app("tiny", StandinOptions(), [web.get("/ping", _ping)]))
    yield server
    server.stop()


async def _post(url: str, body: object) -> tuple[int, object]:
    async with aiohttp.ClientSession() as s, s.post(url, json=body) as r:
        return r.status, await r.json()


async def _get(url: str) -> tuple[int, object]:
    async with aiohttp.ClientSession() as s, s.get(url) as r:
        return r.status, await r.json(content_type=None) if r.content_type == "application/json" else None


async def test_requests_are_counted_by_route_and_admin_routes_are_not(standin: BackgroundServer) -> None:
    await _post(standin.url + "/_admin/reset", {})
    for _ in range(3):
        await _get(standin.url + "/ping")
    status, stats = await _get(standin.url + "/_admin/stats")
    assert status == 200
    assert stats == {"requests": 3, "by_route": {"GET /ping": 3}, "held": 0}


async def test_injected_failures_answer_503(standin: BackgroundServer) -> None:
    await _post(standin.url + "/_admin/faults", {"latency_ms": 0, "failure_rate": 1.0})
    try:
        status, _ = await _get(standin.url + "/ping")
        assert status == 503
    finally:
        await _post(standin.url + "/_admin/faults", {"latency_ms": 0, "failure_rate": 0.0})
    status, _ = await _get(standin.url + "/ping")
    assert status == 200


async def test_held_requests_wait_unanswered_until_released(standin: BackgroundServer) -> None:
    await _post(standin.url + "/_admin/faults", {"hold": True})
    try:
        waiting = asyncio.ensure_future(_get(standin.url + "/ping"))
        # The stand-in's event lives in its own thread and loop: its counter over HTTP is how a client sees it.
        while (await _get(standin.url + "/_admin/stats"))[1]["held"] == 0:  # type: ignore[index]  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        assert not waiting.done()
    finally:
        await _post(standin.url + "/_admin/faults", {"hold": False})
    assert await waiting == (200, {"pong": True})
    assert (await _get(standin.url + "/_admin/stats"))[1]["held"] == 0  # type: ignore[index]


async def test_bad_fault_settings_are_refused(standin: BackgroundServer) -> None:
    status, body = await _post(standin.url + "/_admin/faults", {"failure_rate": 2})
    assert status == 400 and "failure_rate" in str(body)
    status, body = await _post(standin.url + "/_admin/faults", {"hold": "yes"})
    assert status == 400 and "hold: bool" in str(body)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="failure_rate"):
        StandinOptions(failure_rate=1.5)
    with pytest.raises(ValueError, match="latency_ms"):
        StandinOptions(latency_ms=-1)
