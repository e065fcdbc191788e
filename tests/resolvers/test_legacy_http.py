"""LegacyHttp maps every transport failure onto LegacyError, over real loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from legacy.standin import StandinOptions, create_standin_app
from resolvers.adapters.errors import LegacyProtocolError, LegacyUnavailable
from resolvers.adapters.http import AdapterOptions, LegacyHttp, close_shared_session, gather_limited
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp


async def _broken(request: web.Request) -> web.Response:
    return web.Response(status=502, text="<html>Bad Gateway</html>")


async def _html(request: web.Request) -> web.Response:
    return web.Response(text="<html>not json</html>", content_type="text/html")


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"echo": request.query.get("x")})


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    def make() -> web.Application:
        routes = [web.get("/broken", _broken), web.get("/html", _html), web.get("/ok", _ok)]
        return create_standin_app("test", StandinOptions(), routes)  # for its fault injector

    s = serve_aiohttp(make)
    yield s
    s.stop()


@pytest.fixture(autouse=True)
async def _session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


async def test_a_good_answer_comes_back_with_status_and_body(server: BackgroundServer) -> None:
    http = LegacyHttp("hotline", AdapterOptions(base_url=server.url))
    answer = await http.request("GET", "/ok", params={"x": "1"})
    assert answer.status == 200 and answer.json("hotline") == {"echo": "1"}


async def test_a_slow_system_is_unavailable_within_the_timeout(server: BackgroundServer) -> None:
    http = LegacyHttp("grid", AdapterOptions(base_url=server.url, timeout_s=0.2))
    await http.request("POST", "/_admin/faults", json={"hold": True})
    try:
        with pytest.raises(LegacyUnavailable) as caught:
            await http.request("GET", "/ok")
        stats = (await http.request("GET", "/_admin/stats")).json("grid")
    finally:
        await http.request("POST", "/_admin/faults", json={"hold": False})
    assert stats["held"] == 1  # the system still holds the call: the timeout gave up on it, not an answer
    assert caught.value.system == "grid" and "0.2s" in str(caught.value)


async def test_nothing_listening_is_unavailable() -> None:
    http = LegacyHttp("board", AdapterOptions(base_url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(LegacyUnavailable, match="cannot reach"):
        await http.request("GET", "/")


async def test_a_5xx_page_is_unavailable(server: BackgroundServer) -> None:
    http = LegacyHttp("petition", AdapterOptions(base_url=server.url))
    with pytest.raises(LegacyUnavailable, match="HTTP 502"):
        await http.request("GET", "/broken")


async def test_html_where_json_was_expected_is_a_protocol_error(server: BackgroundServer) -> None:
    http = LegacyHttp("hotline", AdapterOptions(base_url=server.url))
    answer = await http.request("GET", "/html")
    with pytest.raises(LegacyProtocolError, match="not JSON"):
        answer.json("hotline")


async def test_gather_limited_bounds_concurrency_and_keeps_failures_in_place() -> None:
    in_flight = peak = 0

    async def work(n: int) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        if n == 3:
            raise ValueError("three")
        return n * 2

    results = await gather_limited(range(10), work, limit=3)
    assert peak <= 3
    assert results[2] == 4 and isinstance(results[3], ValueError)
