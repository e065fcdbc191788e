"""A subgraph that keeps failing is not called for a while, and queries — never mutations — are retried, over
real loopback HTTP through the HTTP fetcher."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from aiohttp import web

from gateway.circuits import SubgraphCircuits
from gateway.executor import SubgraphRequest
from gateway.executor.http_fetcher import HttpFetcher
from gateway.metrics import GatewayMetrics
from resilience import BreakerPolicy, CircuitState, RetryPolicy
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp


async def eventually(check: Callable[[], bool], what: str) -> None:
    """Wait (up to a generous 60 s) until ``check()`` holds; the breakers' states change with time and answers."""
    for _ in range(1200):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


hits: dict[str, int] = {}
failing: dict[str, int] = {}  # subgraph -> how many more times it answers 503
QUERY = SubgraphRequest("query Q { a }", operation_name="Q")
MUTATION = SubgraphRequest("mutation M { write }", operation_name="M")
FAST_RETRY = RetryPolicy(retries=2, base_s=0.0, cap_s=0.01)


async def _subgraph(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    hits[name] = hits.get(name, 0) + 1
    if failing.get(name, 0) > 0:
        failing[name] -= 1
        return web.Response(status=503, text="unavailable")
    return web.json_response({"data": {"a": 1}})


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    def make() -> web.Application:
        app = web.Application()
        app.router.add_post("/{name}", _subgraph)
        return app

    running = serve_aiohttp(make)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _reset() -> None:
    hits.clear()
    failing.clear()


def _fetcher(server: BackgroundServer, circuits: SubgraphCircuits, retry: RetryPolicy = FAST_RETRY) -> HttpFetcher:
    urls = {name: f"{server.url}/{name}" for name in ("users", "orders", "flaky")}
    urls["down"] = f"http://127.0.0.1:{free_port()}/graphql"
    return HttpFetcher(urls, breakers=circuits, retry=retry, merge_inflight=False)


async def test_a_failing_subgraph_opens_its_circuit_and_is_answered_circuit_open_without_a_call(
    server: BackgroundServer,
) -> None:
    metrics = GatewayMetrics()
    circuits = SubgraphCircuits(BreakerPolicy(failures=3, open_s=0.2), metrics=metrics)
    failing["users"] = 3
    async with _fetcher(server, circuits, retry=RetryPolicy(retries=0)) as fetcher:
        for _ in range(3):
            assert (await fetcher.fetch("users", QUERY)).failure == "HTTP 503"
        refused = await fetcher.fetch("users", QUERY)
        assert refused.failure_code == "CIRCUIT_OPEN" and hits["users"] == 3
        assert (await fetcher.fetch("orders", QUERY)).data == {"a": 1}  # the other subgraphs are not concerned

        assert circuits.health()["users"]["state"] == "open"
        assert metrics.registry.get_sample_value("minyi_gateway_circuit_state", {"subgraph": "users"}) == 2
        await eventually(lambda: circuits("users").state is not CircuitState.OPEN, "open_s passed")
        assert (await fetcher.fetch("users", QUERY)).data == {"a": 1}  # the trial call closes it
    health = circuits.health()["users"]
    assert (health["state"], health["opened"], health["closed"], health["short_circuited"]) == ("closed", 1, 1, 1)
    sample = metrics.registry.get_sample_value
    assert sample("minyi_gateway_circuit_state", {"subgraph": "users"}) == 0
    assert sample("minyi_gateway_circuit_transitions_total", {"subgraph": "users", "state": "open"}) == 1
    assert sample("minyi_gateway_circuit_transitions_total", {"subgraph": "users", "state": "closed"}) == 1


async def test_a_query_is_retried_after_a_503_and_answers(server: BackgroundServer) -> None:
    failing["flaky"] = 2
    async with _fetcher(server, SubgraphCircuits()) as fetcher:
        response = await fetcher.fetch("flaky", QUERY)
    assert response.data == {"a": 1} and hits["flaky"] == 3


async def test_a_mutation_is_never_retried(server: BackgroundServer) -> None:
    failing["flaky"] = 1
    async with _fetcher(server, SubgraphCircuits()) as fetcher:
        response = await fetcher.fetch("flaky", MUTATION)
    assert response.failure == "HTTP 503" and hits["flaky"] == 1


async def test_a_refused_connection_is_retried_until_the_circuit_opens(server: BackgroundServer) -> None:
    circuits = SubgraphCircuits(BreakerPolicy(failures=2))
    async with _fetcher(server, circuits, retry=RetryPolicy(retries=5, base_s=0.0, cap_s=0.0)) as fetcher:
        response = await fetcher.fetch("down", QUERY)
    assert response.failure == "cannot connect"
    stats = circuits.health()["down"]
    assert (stats["calls"], stats["failures"], stats["state"]) == (2, 2, "open")  # retries stop at the open circuit
