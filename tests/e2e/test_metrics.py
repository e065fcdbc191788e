"""``/metrics`` scraped over HTTP after real requests: the series an operator watches are there, with the counts
the requests made."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.harness import Scenario
from tests.support.servers import BackgroundServer, serve_asgi

SCENARIO = "appeals"


@pytest.fixture(scope="module")
def base_url(scenario_servers: Scenario) -> Iterator[str]:
    from gateway.app import create_app
    from schema.supergraph import load_supergraph

    supergraph = load_supergraph(scenario_servers.supergraph_sdl())
    server: BackgroundServer = serve_asgi(lambda: create_app(supergraph))
    yield server.url
    server.stop()


async def _post(http: aiohttp.ClientSession, url: str, query: str, name: str | None = None) -> dict[str, Any]:
    async with http.post(f"{url}/graphql", json={"query": query, "operationName": name}) as response:
        return await response.json(content_type=None)  # type: ignore[no-any-return]


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_hold_requests_latencies_subgraph_errors_and_cache_hits(
    base_url: str, scenario: Scenario
) -> None:
    cases = "query Cases { cases { id unit { name } } }"
    async with aiohttp.ClientSession() as http:
        assert "errors" not in await _post(http, base_url, cases, "Cases")
        assert "errors" not in await _post(http, base_url, cases, "Cases")  # document and plan from the caches
        scenario.subgraphs["units"].fail = "status500"
        assert (await _post(http, base_url, cases, "Cases"))["errors"]  # partial: units' fields are null
        await _post(http, base_url, "{ cases { id ", None)  # a parse error
        async with http.get(f"{base_url}/metrics") as response:
            assert response.status == 200
            assert response.headers["content-type"].startswith("text/plain")
            text = await response.text()

    samples = _samples(text)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, frozenset(labels.items())), 0.0)

    assert value("minyi_gateway_requests_total", operation="Cases", outcome="success") == 2
    assert value("minyi_gateway_requests_total", operation="Cases", outcome="partial") == 1
    assert value("minyi_gateway_requests_total", operation="-", outcome="request_error") == 1
    assert value("minyi_gateway_request_duration_seconds_count", operation="Cases") == 3
    assert value("minyi_gateway_plan_duration_seconds_count") == 1  # planned once, then from the cache
    assert value("minyi_gateway_subgraph_fetch_duration_seconds_count", subgraph="cases") == 3
    assert value("minyi_gateway_subgraph_fetch_duration_seconds_count", subgraph="units") == 3
    assert value("minyi_gateway_subgraph_errors_total", subgraph="units", code="SUBGRAPH_UNAVAILABLE") == 1
    assert value("minyi_gateway_cache_requests_total", cache="document", result="hit") == 2
    assert value("minyi_gateway_cache_requests_total", cache="document", result="miss") == 2
    assert value("minyi_gateway_cache_requests_total", cache="plan", result="hit") == 2
    assert value("minyi_gateway_cache_requests_total", cache="plan", result="miss") == 1
    assert value("minyi_gateway_in_flight_requests") == 0
