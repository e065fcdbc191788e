"""A legacy system that fails is left alone: the circuit breaker and retries of LegacyHttp, over loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from aiohttp import web

from legacy.standin import StandinOptions, create_standin_app
from resilience import BreakerPolicy, CircuitState, RetryPolicy
from resolvers.adapters.circuits import legacy_breakers
from resolvers.adapters.errors import LegacyCircuitOpen, LegacyUnavailable
from resolvers.adapters.http import AdapterOptions, LegacyHttp, close_shared_session
from tests.support.servers import BackgroundServer, serve_aiohttp


async def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait (up to a generous 60 s) until ``check()`` holds; the breakers' states change with time and answers."""
    for _ in range(1200):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


hits: dict[str, int] = {}
failing: dict[str, int] = {}  # path -> how many more times it answers 503


async def _flaky(request: web.Request) -> web.Response:
    hits[request.path] = hits.get(request.path, 0) + 1
    if request.path == "/sleepy":
        await asyncio.sleep(2.0)
    if failing.get(request.path, 0) > 0:
        failing[request.path] -= 1
        return web.Response(status=503, text="busy")
    return web.json_response({"ok": True})


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    def make() -> web.Application:
        routes = [web.route("*", "/{name}", _flaky)]
        return create_standin_app("test", StandinOptions(), routes)  # with the stand-ins' fault injector (hold)

    s = serve_aiohttp(make)
    yield s
    s.stop()


@pytest.fixture(autouse=True)
async def _session() -> AsyncIterator[None]:
    hits.clear()
    failing.clear()
    yield
    await close_shared_session()


def _http(server: BackgroundServer, system: str, **options: object) -> LegacyHttp:
    return LegacyHttp(system, AdapterOptions(base_url=server.url, **options))  # type: ignore[arg-type]


async def test_a_hung_system_opens_its_circuit_and_is_not_called_until_a_trial_call_answers(
    server: BackgroundServer,
) -> None:
    http = _http(server, "grid", timeout_s=0.2, breaker=BreakerPolicy(failures=2, open_s=0.3))
    admin = _http(server, "admin")
    await admin.request("POST", "/_admin/faults", json={"hold": True})
    try:
        for _ in range(2):
            with pytest.raises(LegacyUnavailable, match="no answer"):
                await http.request("GET", "/events")
        assert http.breaker.state is CircuitState.OPEN
        with pytest.raises(LegacyCircuitOpen) as refused:
            await http.request("GET", "/events")
        held = (await admin.request("GET", "/_admin/stats")).json("admin")["held"]
    finally:
        await admin.request("POST", "/_admin/faults", json={"hold": False})
    assert held == 2  # the short-circuited call never reached the system
    assert refused.value.code == "LEGACY_UNAVAILABLE" and refused.value.system == "grid"

    await eventually(lambda: http.breaker.state is not CircuitState.OPEN, "open_s passed")
    with pytest.raises(LegacyCircuitOpen):  # a read's trial goes on in the background: nobody waits on it
        await http.request("GET", "/events")
    await eventually(lambda: http.breaker.state is CircuitState.CLOSED, "the trial closed the circuit")
    answer = await http.request("GET", "/events")
    assert answer.status == 200
    stats = http.breaker.stats()
    assert (stats.opened, stats.closed, stats.short_circuited) == (1, 1, 1)  # refused before the trial
    assert hits["/events"] == 4  # the two held calls (let go at last), the trial and the call after it: never
    # the short-circuited one
    assert ("grid", server.url, http.breaker) in legacy_breakers()


async def test_a_failed_trial_opens_the_circuit_again(server: BackgroundServer) -> None:
    http = _http(server, "board", breaker=BreakerPolicy(failures=1, open_s=0.2), retry=RetryPolicy(retries=0))
    failing["/threads"] = 2
    with pytest.raises(LegacyUnavailable, match="HTTP 503"):
        await http.request("GET", "/threads")
    await eventually(lambda: http.breaker.state is not CircuitState.OPEN, "open_s passed")
    with pytest.raises(LegacyCircuitOpen):
        await http.request("GET", "/threads")  # starts the trial, which fails in the background
    await eventually(lambda: http.breaker.stats().opened == 2, "the failed trial opened the circuit again")
    assert hits["/threads"] == 2


async def test_a_read_is_retried_after_a_503_and_succeeds(server: BackgroundServer) -> None:
    http = _http(server, "hotline", retry=RetryPolicy(retries=2, base_s=0.01, cap_s=0.02))
    failing["/tickets"] = 2
    answer = await http.request("GET", "/tickets")
    assert answer.status == 200 and hits["/tickets"] == 3


async def test_a_write_is_its_own_trial_and_its_caller_hears_the_answer(server: BackgroundServer) -> None:
    http = _http(server, "hotline", breaker=BreakerPolicy(failures=1, open_s=0.2), retry=RetryPolicy(retries=0))
    failing["/register"] = 1
    with pytest.raises(LegacyUnavailable, match="HTTP 503"):
        await http.request("POST", "/register", json={"a": 1})
    await eventually(lambda: http.breaker.state is not CircuitState.OPEN, "open_s passed")
    answer = await http.request("POST", "/register", json={"a": 1})  # the trial, in the caller's own time
    assert answer.status == 200 and http.breaker.state is CircuitState.CLOSED


async def test_a_write_is_never_retried(server: BackgroundServer) -> None:
    http = _http(server, "hotline", retry=RetryPolicy(retries=2, base_s=0.01, cap_s=0.02))
    failing["/write"] = 1
    with pytest.raises(LegacyUnavailable, match="HTTP 503"):
        await http.request("POST", "/write", json={"a": 1})
    assert hits["/write"] == 1


async def test_a_read_marked_idempotent_is_retried_even_as_a_post(server: BackgroundServer) -> None:
    http = _http(server, "petition", retry=RetryPolicy(retries=1, base_s=0.01, cap_s=0.02))
    failing["/soap"] = 1
    answer = await http.request("POST", "/soap", data=b"<read/>", idempotent=True)
    assert answer.status == 200 and hits["/soap"] == 2


async def test_retries_stop_once_the_circuit_opens(server: BackgroundServer) -> None:
    http = _http(
        server, "suggestion", breaker=BreakerPolicy(failures=2), retry=RetryPolicy(retries=5, base_s=0.0, cap_s=0.0)
    )
    failing["/down"] = 100
    with pytest.raises(LegacyUnavailable):
        await http.request("GET", "/down")
    assert hits["/down"] == 2 and http.breaker.state is CircuitState.OPEN


async def test_a_stalled_system_opens_the_circuit_after_slow_s_and_its_call_is_abandoned(
    server: BackgroundServer,
) -> None:
    http = _http(server, "petition", timeout_s=30, breaker=BreakerPolicy(failures=5, open_s=30, slow_s=0.1))
    admin = _http(server, "admin")
    await admin.request("POST", "/_admin/faults", json={"hold": True})
    try:
        with pytest.raises(LegacyCircuitOpen, match=r"no answer within 0.1s"):
            await http.request("GET", "/slow")  # nothing answered since it was sent: stalled, not merely slow
        with pytest.raises(LegacyCircuitOpen, match="not called"):
            await http.request("GET", "/slow")
        held = (await admin.request("GET", "/_admin/stats")).json("admin")["held"]
    finally:
        await admin.request("POST", "/_admin/faults", json={"hold": False})
    assert held == 1
    stats = http.breaker.stats()
    assert (stats.failures, stats.opened, stats.short_circuited, stats.state) == (1, 1, 1, CircuitState.OPEN)


async def test_a_slow_call_of_a_system_that_answers_others_is_counted_failed_and_still_waited_for(
    server: BackgroundServer,
) -> None:
    http = _http(server, "grid", timeout_s=30, breaker=BreakerPolicy(failures=5, open_s=30, slow_s=1.0))

    async def slow_then_another() -> tuple[int, int]:
        first = await http.request("GET", "/sleepy")
        await asyncio.sleep(0.01)  # the task that waited goes on undisturbed: nothing left to cancel it
        return first.status, (await http.request("GET", "/after")).status

    slow = asyncio.ensure_future(slow_then_another())
    await eventually(lambda: hits.get("/sleepy") == 1, "the slow call arrived")
    assert (await http.request("GET", "/fast")).status == 200  # answered after the slow one was sent: not stalled
    assert await slow == (200, 200)
    stats = http.breaker.stats()
    assert (stats.failures, stats.opened, stats.state) == (1, 0, CircuitState.CLOSED)
