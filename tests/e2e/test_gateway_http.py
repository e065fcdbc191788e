"""The whole path over real HTTP: a client → the gateway's Starlette app (gateway/app.py) on loopback → the
scenario's subgraphs on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from tests.e2e.harness import Scenario
from tests.support.servers import BackgroundServer, serve_asgi

SCENARIO = "appeals"


@pytest.fixture(scope="module")
def gateway_url(scenario_servers: Scenario) -> Iterator[str]:
    from gateway.app import create_app
    from schema.supergraph import load_supergraph

    supergraph = load_supergraph(scenario_servers.supergraph_sdl())
    server: BackgroundServer = serve_asgi(lambda: create_app(supergraph))
    yield f"{server.url}/graphql"
    server.stop()


async def _post(url: str, query: str, variables: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        body = {"query": query, "variables": variables or {}}
        headers = {"accept": "application/graphql-response+json"}
        async with session.post(url, json=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)


async def test_entity_dedupe_through_the_http_app(gateway_url: str, scenario: Scenario) -> None:
    status, body = await _post(gateway_url, "{ cases { reporter { name } } }")

    assert status == 200
    assert body == {
        "data": {
            "cases": [
                {"reporter": {"name": "Li Wei"}},
                {"reporter": {"name": "Wang Fang"}},
                {"reporter": {"name": "Li Wei"}},
                {"reporter": None},
                {"reporter": {"name": "Zhang Min"}},
            ]
        }
    }
    assert scenario.calls() == {"cases": 1, "citizens": 1}
    (request,) = scenario.subgraphs["citizens"].entity_requests()
    assert len(request.variables["representations"]) == 3


async def test_parallel_root_fetches_through_the_http_app(gateway_url: str, scenario: Scenario) -> None:
    scenario.probe("cases", "units", "citizens", "feedback")

    status, body = await _post(
        gateway_url, '{ cases { id } units { code } citizen(key: "p2") { name } topRatings { score } }'
    )

    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["citizen"] == {"name": "Wang Fang"}


async def test_error_path_and_partial_result_through_the_http_app(gateway_url: str, scenario: Scenario) -> None:
    scenario.subgraphs["units"].fail = "status500"

    status, body = await _post(gateway_url, '{ case(id: "c5") { title unit { name } reporter { phone } } }')

    assert status == 200
    assert body["data"] == {"case": {"title": "Low water pressure", "unit": None, "reporter": {"phone": None}}}
    by_path = {tuple(e.get("path") or ()): e for e in body["errors"]}
    assert by_path[("case", "reporter", "phone")]["message"] == "phone is masked for this citizen"
    assert any(e.get("extensions", {}).get("service") == "units" for e in body["errors"])


async def test_a_subgraph_answer_over_the_size_limit_costs_its_fields_with_an_error_naming_it(
    scenario_servers: Scenario, scenario: Scenario
) -> None:
    from gateway.app import create_app
    from gateway.settings import GatewayOptions
    from schema.supergraph import load_supergraph

    supergraph = load_supergraph(scenario_servers.supergraph_sdl())
    server = serve_asgi(lambda: create_app(supergraph, GatewayOptions(max_subgraph_response_bytes=48)))
    try:
        status, body = await _post(f"{server.url}/graphql", '{ units { code } case(id: "c1") { id } }')
    finally:
        server.stop()
    assert status == 200
    assert body["data"] == {"units": None, "case": {"id": "c1"}}
    [error] = body["errors"]
    assert error["message"] == 'subgraph "units" is unavailable: its answer is larger than the limit of 48 bytes'
    assert error["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE" and error["extensions"]["service"] == "units"


def test_the_subgraph_answer_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.settings import GatewaySettings

    monkeypatch.setenv("MINYI_GATEWAY_MAX_SUBGRAPH_RESPONSE_BYTES", "2048")
    assert GatewaySettings().options().max_subgraph_response_bytes == 2048
    assert GatewaySettings.model_fields["max_subgraph_response_bytes"].default == 16 * 1024 * 1024
