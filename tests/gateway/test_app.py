"""The gateway app with its real parts (supergraph loader, planner, executor, HTTP fetcher) over real subgraphs on
loopback: the default wiring, subgraph URL overrides, the plan in dev mode, and the plan cache in front of the
planner."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import aiohttp
import orjson
import pytest

from gateway.app import GatewayApp, create_app
from gateway.pipeline import Pipeline
from gateway.settings import GatewayOptions
from schema.supergraph import load_supergraph
from tests.e2e.harness import Scenario, dead_url, start_scenario
from tests.support.servers import serve_asgi

QUERY = "{ appeals { id title } }"


@pytest.fixture(scope="module")
def scenario() -> Iterator[Scenario]:
    started = start_scenario("channels")
    yield started
    started.stop()


async def post(url: str, query: str, headers: dict[str, str] | None = None) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url,
            data=io.BytesIO(orjson.dumps({"query": query})),
            headers={"content-type": "application/json", **(headers or {})},
        ) as resp,
    ):
        assert resp.status == 200
        return orjson.loads(await resp.read())


async def test_the_default_wiring_plans_fetches_and_caches_the_plan(scenario: Scenario) -> None:
    scenario.reset()
    app = create_app(load_supergraph(scenario.supergraph_sdl()), GatewayOptions(dev=True))
    server = serve_asgi(lambda: app)
    try:
        url = f"{server.url}/graphql"
        first = await post(url, QUERY, {"x-minyi-plan": "1"})
        assert "errors" not in first, first
        assert [a["id"] for a in first["data"]["appeals"]] == ["a1", "a2", "a3", "a4"]
        assert 'Fetch(service: "hotline")' in first["extensions"]["queryPlan"]
        assert await post(url, QUERY) == {"data": first["data"]}
        pipeline: Pipeline = app.state.pipeline
        assert len(pipeline.plans) == 1  # planned once for both requests
        assert scenario.calls() == {"hotline": 2}
    finally:
        server.stop()


async def test_a_subgraph_url_override_wins_over_the_supergraph(scenario: Scenario) -> None:
    supergraph = load_supergraph(scenario.supergraph_sdl({**scenario.urls, "hotline": dead_url()}))
    app = create_app(supergraph, GatewayOptions(subgraph_urls=(("hotline", scenario.urls["hotline"]),)))
    server = serve_asgi(lambda: app)
    try:
        answer = await post(f"{server.url}/graphql", QUERY)
        assert "errors" not in answer, answer
        assert len(answer["data"]["appeals"]) == 4
    finally:
        server.stop()


async def test_graphql_is_served_without_starlettes_router_and_every_other_path_through_it(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.routing import Router

    routed: list[str] = []
    router_call = Router.__call__

    async def counting(self: Router, scope: Any, receive: Any, send: Any) -> None:
        # the gateway's requests only: the scenario's subgraphs are served in this process too
        if scope["type"] == "http" and isinstance(scope.get("app"), GatewayApp):
            routed.append(scope["path"])
        await router_call(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counting)
    app = create_app(load_supergraph(scenario.supergraph_sdl()), GatewayOptions(graphiql=True))
    server = serve_asgi(lambda: app)
    try:
        answer = await post(f"{server.url}/graphql", QUERY)
        assert len(answer["data"]["appeals"]) == 4
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{server.url}/graphql", headers={"accept": "text/html"}) as page:
                assert page.status == 200 and "text/html" in page.headers["content-type"]  # GraphiQL, still in front
            async with session.get(f"{server.url}/health") as health:
                assert health.status == 200
            async with session.get(f"{server.url}/nowhere") as missing:
                assert missing.status == 404
        assert routed == ["/health", "/nowhere"]
    finally:
        server.stop()
