"""The whole city on loopback for a test: the five legacy stand-ins, the five system subgraphs and the
cross-system appeals subgraph (accepting only the gateway's internal tokens, sharing the person directory in the
test Redis) and a gateway over the checked-in supergraph, each a real server in a background
thread (:mod:`tests.support.servers`).

Requests with ``Authorization: Bearer supervisor`` are made for the test supervisor (督办员 over the city, who may
read a person's history across the systems, DOMAIN.md §8); the stand-ins record
the ``traceparent`` of every call they receive in :attr:`City.legacy_traceparents`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiohttp import web

from auth.principal import ANONYMOUS, Principal
from gateway.settings import GatewayOptions
from legacy.standin import StandinOptions
from schema.supergraph import load_supergraph
from subgraphs.appeals.app import create_app as create_appeals
from subgraphs.settings import SubgraphSettings
from tests.conftest import REDIS_URL
from tests.support.principals import SUPERVISOR
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

__all__ = ["CITIZEN_VIEW", "CITIZEN_VIEW_SYSTEMS", "SYSTEMS", "City", "open_city"]

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
SYSTEMS = ("hotline", "petition", "board", "grid", "suggestion")
CITIZEN_VIEW_SYSTEMS = ("hotline", "petition", "board", "grid")  # the subgraphs CITIZEN_VIEW asks
CITIZEN_VIEW = """
query CitizenView($phone: String!) {
  citizen(phone: $phone) {
    personKey
    hotlineTickets { id }
    petitions { id }
    boardMessages { id }
    gridEvents { id }
  }
}
"""


class SupervisorTokens:
    """Bearer ``supervisor`` is the test supervisor; anything else is anonymous."""

    async def verify(self, token: str) -> Principal:
        return SUPERVISOR if token == "supervisor" else ANONYMOUS


@dataclass
class City:
    gateway_url: str
    subgraph_urls: dict[str, str]
    legacy_traceparents: dict[str, list[str]] = field(default_factory=dict)


def _recording(system: str, make: Callable[[], web.Application], seen: list[str]) -> Callable[[], web.Application]:
    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        traceparent = request.headers.get("traceparent")
        if traceparent is not None:
            seen.append(traceparent)
        response: web.StreamResponse = await handler(request)
        return response

    def app() -> web.Application:
        made = make()
        made.middlewares.insert(0, record)
        return made

    return app


@contextmanager
def open_city(**gateway_arguments: Any) -> Iterator[City]:
    """Start the city; ``gateway_arguments`` go to :func:`gateway.app.create_app` (metrics, tracer, options…)."""
    from gateway.app import create_app

    servers: list[BackgroundServer] = []
    gateway_port = free_port()
    gateway_base = f"http://127.0.0.1:{gateway_port}"
    city = City(f"{gateway_base}/graphql", {})
    legacy_urls: dict[str, str] = {}
    try:
        for system in SYSTEMS:
            standin_module = importlib.import_module(f"legacy.{system}.app")
            seen = city.legacy_traceparents.setdefault(system, [])
            standin = serve_aiohttp(
                _recording(system, lambda m=standin_module: m.create_app(StandinOptions(seed=1)), seen)
            )
            servers.append(standin)
            subgraph_module = importlib.import_module(f"subgraphs.{system}.app")
            settings = SubgraphSettings(
                legacy_url=standin.url, redis_url=REDIS_URL, internal_jwks_url=f"{gateway_base}/internal/jwks"
            )
            subgraph = serve_asgi(lambda m=subgraph_module, s=settings: m.create_app(s))
            servers.append(subgraph)
            city.subgraph_urls[system] = f"{subgraph.url}/graphql"
            legacy_urls[system] = standin.url
        appeals_settings = SubgraphSettings(
            legacy_urls=legacy_urls, redis_url=REDIS_URL, internal_jwks_url=f"{gateway_base}/internal/jwks"
        )
        appeals = serve_asgi(lambda: create_appeals(appeals_settings))
        servers.append(appeals)
        city.subgraph_urls["appeals"] = f"{appeals.url}/graphql"
        options = gateway_arguments.pop("options", GatewayOptions())
        options = replace(options, subgraph_urls=tuple(sorted(city.subgraph_urls.items())))
        supergraph = load_supergraph(SUPERGRAPH.read_text())
        servers.append(
            serve_asgi(
                lambda: create_app(supergraph, options, verifier=SupervisorTokens(), **gateway_arguments),
                gateway_port,
            )
        )
        yield city
    finally:
        for server in reversed(servers):
            server.stop()
