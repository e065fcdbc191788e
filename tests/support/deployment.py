"""The whole graph on loopback for role tests through the gateway: the five legacy stand-ins (seeded like the
demo), the five system subgraphs and the cross-system appeals subgraph, all accepting only the gateway's internal
tokens, and the gateway over the checked-in
supergraph trusting a small external OIDC issuer (:class:`tests.auth.issuer.TinyIssuer`) — so a test can sign a
token for any role, unit and jurisdiction and ask the graph as that user would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from auth.discovery import external_verifier
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from legacy.board.app import create_app as create_board_standin
from legacy.grid.app import create_app as create_grid_standin
from legacy.hotline.app import create_app as create_hotline_standin
from legacy.petition.app import create_app as create_petition_standin
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion_standin
from schema.supergraph import load_supergraph
from subgraphs.appeals.app import create_app as create_appeals
from subgraphs.board.app import create_app as create_board
from subgraphs.grid.app import create_app as create_grid
from subgraphs.hotline.app import create_app as create_hotline
from subgraphs.petition.app import create_app as create_petition
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.app import create_app as create_suggestion
from tests.auth.issuer import TinyIssuer, serve_issuer
from tests.conftest import REDIS_URL
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

__all__ = ["Graph", "running_graph"]

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

_STANDINS: dict[str, Callable[[StandinOptions], web.Application]] = {
    "hotline": create_hotline_standin,
    "petition": create_petition_standin,
    "board": create_board_standin,
    "grid": create_grid_standin,
    "suggestion": create_suggestion_standin,
}
# Generous: a loaded test machine answers slowly, and a stand-in that is down refuses at once. Tests of timeouts set
# their own small values.
LEGACY_TIMEOUT_S = 10.0

_SUBGRAPHS: dict[str, Callable[[SubgraphSettings], Any]] = {
    "hotline": create_hotline,
    "petition": create_petition,
    "board": create_board,
    "grid": create_grid,
    "suggestion": create_suggestion,
}


@dataclass(frozen=True, slots=True)
class Graph:
    url: str  # the gateway's base URL
    issuer: TinyIssuer
    standins: dict[str, str]  # system name → the legacy stand-in's base URL
    standin_servers: dict[str, BackgroundServer]

    def stop_standin(self, name: str) -> None:
        """Stop one legacy stand-in for good (its system is down from now on)."""
        self.standin_servers[name].stop()

    def token(self, roles: list[str], **claims: Any) -> str:
        """An access token of the trusted issuer for a user with ``roles`` (and ``unit``, ``jurisdiction``…)."""
        defaults: dict[str, Any] = {"unit": None, "jurisdiction": None, "sub": f"u-{'-'.join(roles)}"}
        return self.issuer.token(roles=roles, **{**defaults, **claims})

    async def ask(self, http: aiohttp.ClientSession, token: str | None, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        payload = {"query": query, "variables": variables}
        async with http.post(f"{self.url}/graphql", json=payload, headers=headers) as response:
            body: dict[str, Any] = await response.json(content_type=None)
            return body


@contextmanager
def running_graph(
    seed: int = 1, redis_url: str = REDIS_URL, appeals_clock: Callable[[], datetime] | None = None
) -> Iterator[Graph]:
    """``appeals_clock`` (naive Beijing time) is the time the appeals subgraph's warnings count from."""
    started: list[BackgroundServer] = []
    try:
        issuer, issuer_server = serve_issuer()
        started.append(issuer_server)
        gateway_port = free_port()
        gateway_base = f"http://127.0.0.1:{gateway_port}"
        urls: dict[str, str] = {}
        standins: dict[str, str] = {}
        standin_servers: dict[str, BackgroundServer] = {}
        for name, make_standin in _STANDINS.items():
            standin = serve_aiohttp(lambda make=make_standin: make(StandinOptions(seed=seed)))  # type: ignore[misc]
            started.append(standin)
            standins[name] = standin.url
            standin_servers[name] = standin
            settings = SubgraphSettings.model_validate(
                {
                    "legacy_url": standin.url,
                    "legacy_timeout_s": LEGACY_TIMEOUT_S,
                    "redis_url": redis_url,
                    "internal_jwks_url": f"{gateway_base}/internal/jwks",
                }
            )
            subgraph = serve_asgi(lambda make=_SUBGRAPHS[name], s=settings: make(s))  # type: ignore[misc]
            started.append(subgraph)
            urls[name] = f"{subgraph.url}/graphql"
        appeals_settings = SubgraphSettings.model_validate(
            {
                "legacy_urls": standins,
                "legacy_timeout_s": LEGACY_TIMEOUT_S,
                "redis_url": redis_url,
                "internal_jwks_url": f"{gateway_base}/internal/jwks",
            }
        )
        appeals = serve_asgi(lambda: create_appeals(appeals_settings, clock=appeals_clock))
        started.append(appeals)
        urls["appeals"] = f"{appeals.url}/graphql"

        def make_gateway() -> Any:
            overrides: dict[str, Any] = {"oidc_issuer": issuer.issuer, "subgraph_urls": urls}
            options = GatewaySettings(**overrides).options()
            return create_gateway(
                load_supergraph(SUPERGRAPH.read_text()),
                options,
                verifier=external_verifier(issuer.issuer, options.oidc_audience),
                provider=None,
            )

        started.append(serve_asgi(make_gateway, gateway_port))
        yield Graph(gateway_base, issuer, standins, standin_servers)
    finally:
        for server in reversed(started):
            server.stop()
