"""The gateway recomposes while it serves: subgraphs on real loopback HTTP, their SDL read with ``_service { sdl }``,
the config file edited between reloads. Each test runs with the fake composer (known compositions of these
subgraphs) and again with ``schema.compose`` once it exists."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from starlette.types import Receive, Scope, Send

from gateway.app import create_app
from gateway.composition import ComposeFunction
from gateway.live import LiveGateway
from gateway.reload import ReloadResult, SupergraphSource
from gateway.settings import GatewayOptions
from tests.gateway import recompose
from tests.support.federation import Subgraph
from tests.support.servers import BackgroundServer, free_port, serve_asgi

JSON = {"content-type": "application/json"}


class Switch:
    """An ASGI app that serves whichever subgraph is ``target`` now (a subgraph redeployed at the same URL)."""

    def __init__(self, target: Subgraph) -> None:
        self.target = target

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            assert message["type"] == "lifespan.shutdown"
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.target(scope, receive, send)


@dataclass
class Rig:
    config: Path
    switches: dict[str, Switch]
    servers: dict[str, BackgroundServer]
    gate: recompose.Gate
    source: SupergraphSource
    gateway: BackgroundServer | None = None
    live: LiveGateway | None = None
    started: list[BackgroundServer] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.servers[name].url}/graphql"

    def write_config(self, *names: str, extra: dict[str, str] | None = None) -> None:
        urls = {**{name: self.url(name) for name in names}, **(extra or {})}
        self.config.write_text(
            "".join(f'[subgraphs.{name}]\nurl = "{url}"\n\n' for name, url in urls.items()), encoding="utf-8"
        )

    def on_gateway(self, coro: Awaitable[Any]) -> Awaitable[Any]:
        """Run ``coro`` on the gateway's loop without blocking the test's loop."""
        assert self.gateway is not None
        return asyncio.to_thread(self.gateway.call, coro)

    async def reload(self) -> ReloadResult:
        """What SIGHUP does, awaited: the next reload's result."""
        source = self.source

        async def force() -> ReloadResult:
            waiter = source.next_reload()
            source.request_reload()
            return await waiter

        result: ReloadResult = await self.on_gateway(force())
        return result

    async def query(self, query: str) -> Any:
        assert self.gateway is not None
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.gateway.url}/graphql", data=io.BytesIO(orjson.dumps({"query": query})), headers=JSON
            ) as resp,
        ):
            return orjson.loads(await resp.read())

    async def health(self) -> Any:
        assert self.gateway is not None
        async with aiohttp.ClientSession() as session, session.get(f"{self.gateway.url}/health") as resp:
            return orjson.loads(await resp.read())


@pytest.fixture(params=recompose.COMPOSERS)
def composer(request: pytest.FixtureRequest) -> ComposeFunction:
    return recompose.composer(request.param)


@pytest.fixture
async def rig(tmp_path: Path, composer: ComposeFunction) -> Any:
    gate = recompose.Gate()
    switches = {
        "alpha": Switch(recompose.alpha(gate)),
        "beta": Switch(recompose.beta()),
        "gamma": Switch(recompose.gamma()),
    }
    servers = {name: serve_asgi(lambda s=switch: s) for name, switch in switches.items()}  # type: ignore[misc]
    config = tmp_path / "subgraphs.toml"
    source = SupergraphSource(config, compose=composer, poll_interval_s=3600, timeout_s=10)
    built = Rig(config, switches, servers, gate, source)
    built.write_config("alpha", "beta")
    try:
        initial = await source.load_initial()
        app = create_app(initial, GatewayOptions(), watch=source.watch)
        built.gateway = serve_asgi(lambda: app)
        built.live = app.state.gateway
        yield built
    finally:
        gate.release.set()
        if built.gateway is not None:
            built.gateway.stop()
        for server in servers.values():
            server.stop()


def codes(answer: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]


async def test_a_subgraph_added_to_the_config_is_served_after_a_reload_without_restart(rig: Rig) -> None:
    before = await rig.health()
    assert before["status"] == "ok"
    assert [s["name"] for s in before["subgraphs"]] == ["alpha", "beta"]
    assert codes(await rig.query("{ items { id stock } }")) == ["GRAPHQL_VALIDATION_FAILED"]

    rig.write_config("alpha", "beta", "gamma")
    result = await rig.reload()

    assert result.swapped and result.ok
    answer = await rig.query("{ warehouse items { id name price stock } }")
    assert answer == {
        "data": {
            "warehouse": "north",
            "items": [
                {"id": "1", "name": "one", "price": 10, "stock": 101},
                {"id": "2", "name": "two", "price": 20, "stock": 102},
            ],
        }
    }
    after = await rig.health()
    assert after["status"] == "ok" and after["composition_errors"] == []
    assert after["schema"] == result.schema_hash != before["schema"]
    assert [s["name"] for s in after["subgraphs"]] == ["alpha", "beta", "gamma"]


async def test_an_unchanged_composition_is_not_swapped(rig: Rig) -> None:
    assert rig.live is not None
    schema = rig.live.schema_hash
    result = await rig.reload()
    assert not result.swapped and result.ok
    assert rig.live.swaps == 0 and rig.live.schema_hash == schema


async def test_a_subgraph_whose_sdl_breaks_leaves_the_last_good_schema_served(rig: Rig) -> None:
    good = (await rig.health())["schema"]
    rig.switches["beta"].target = recompose.beta(broken=True)  # redeployed with an SDL that does not compose

    result = await rig.reload()

    assert not result.swapped
    health = await rig.health()
    assert health["status"] == "degraded" and health["schema"] == good
    assert any(
        e["code"] == "INVALID_FIELD_SHARING" and e["type"] == "Item" and e["field"] == "name"
        for e in health["composition_errors"]
    ), health["composition_errors"]
    answer = await rig.query("{ items { id price } }")
    assert answer == {"data": {"items": [{"id": "1", "price": 10}, {"id": "2", "price": 20}]}}

    rig.switches["beta"].target = recompose.beta()  # fixed: the same schema again, and healthy
    fixed = await rig.reload()
    assert not fixed.swapped
    assert (await rig.health())["status"] == "ok"


async def test_an_unreachable_subgraph_is_named_on_health_and_the_schema_is_kept(rig: Rig) -> None:
    good = (await rig.health())["schema"]
    dead = f"http://127.0.0.1:{free_port()}/graphql"
    rig.write_config("alpha", "beta", extra={"gamma": dead})

    result = await rig.reload()

    assert not result.swapped
    health = await rig.health()
    assert health["status"] == "degraded" and health["schema"] == good
    gamma = next(s for s in health["subgraphs"] if s["name"] == "gamma")
    assert gamma["url"] == dead and "cannot fetch the SDL of subgraph 'gamma'" in gamma["error"]
    assert "errors" not in await rig.query("{ items { id price } }")


async def test_a_broken_config_file_keeps_the_schema_and_says_why(rig: Rig) -> None:
    rig.config.write_text("[subgraphs.alpha]\nurl = 42\n", encoding="utf-8")
    await rig.reload()
    health = await rig.health()
    assert health["status"] == "degraded"
    assert [e["code"] for e in health["composition_errors"]] == ["INVALID_SUBGRAPHS_CONFIG"]
    assert "url must be an http(s) URL" in health["composition_errors"][0]["message"]
    assert "errors" not in await rig.query("{ items { id price } }")


async def test_a_request_in_flight_during_a_swap_finishes_on_its_schema(rig: Rig) -> None:
    assert rig.live is not None
    rig.gate.armed = True  # alpha holds the next `items` request until released
    running = asyncio.ensure_future(rig.query("{ items { id name price } }"))
    assert await asyncio.to_thread(rig.gate.entered.wait, 30)

    rig.write_config("alpha", "beta", "gamma")
    result = await rig.reload()
    assert result.swapped
    assert (await rig.query("{ items { id stock } }"))["data"]["items"][0] == {"id": "1", "stock": 101}
    assert not running.done()

    rig.gate.release.set()  # the held request goes on: its entity fetch to beta uses the old pipeline's fetcher
    assert await running == {
        "data": {"items": [{"id": "1", "name": "one", "price": 10}, {"id": "2", "name": "two", "price": 20}]}
    }
    await rig.on_gateway(rig.live.drained())  # and then the old fetcher is closed
