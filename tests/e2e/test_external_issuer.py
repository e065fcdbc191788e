"""``--oidc-issuer URL``: the gateway trusts an external OIDC issuer (the province's unified login) by discovery +
JWKS, with its embedded provider off — end to end, with a second instance of our own gateway as that issuer.

Real loopback HTTP, no Redis (the providers keep sessions and keys in :class:`~auth.store.MemoryStore`): the hotline
stand-in; the hotline subgraph (internal tokens only, verified with the first gateway's ``/internal/jwks``); the
*issuer*, a second gateway with the embedded provider on; and the *gateway* under test, built the way
``minyi gateway --oidc-issuer URL`` builds it: :class:`~gateway.settings.GatewaySettings` with ``oidc_issuer`` →
options → :func:`auth.discovery.external_verifier` (discovery + JWKS, fetched on first use), no provider.

A token from a login at the issuer (authorization code + PKCE, :func:`auth.password_login.log_in_through`) is
answered by the gateway; the gateway serves no ``/oauth`` routes and no discovery document; a token of a third,
unrelated provider is refused (also when it claims the trusted issuer); a token signed with the issuer's own key
but naming the gateway's would-be embedded issuer is refused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from joserfc import jws

from auth.discovery import external_verifier
from auth.password_login import log_in_through
from auth.principal import Principal
from auth.provider import Provider
from auth.settings import AuthSettings
from auth.store import MemoryStore
from auth.users import UserStore, demo_users
from gateway.app import create_app as create_gateway
from gateway.settings import GatewayOptions, GatewaySettings
from legacy.hotline.app import create_app as create_standin
from legacy.standin import StandinOptions
from legacy.world import Person, World
from schema.supergraph import load_supergraph
from subgraphs.hotline.app import create_app as create_hotline
from subgraphs.settings import SubgraphSettings
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
PASSWORD = "external-issuer-password"
USERS = UserStore(None, demo_users(PASSWORD))
CITIZEN = """
query($phone: String!) {
  __typename
  citizen(phone: $phone) { personKey hotlineTickets { id petitioner { name phone } } }
}
"""


@dataclass(frozen=True, slots=True)
class Deployment:
    issuer: str  # base URL of the second instance (embedded provider on): the trusted external issuer
    issuer_server: BackgroundServer
    issuer_kv: MemoryStore  # the issuer's key ring lives here
    gateway: str  # base URL of the gateway under test (--oidc-issuer issuer)


def _provider(issuer: str, kv: MemoryStore) -> Provider:
    settings = AuthSettings.model_validate({"issuer": issuer, "portal_redirect_uris": [f"{issuer}/portal/callback"]})
    options = settings.options()
    return Provider(options, kv=kv, users=USERS)


def _county_caller(world: World) -> Person:
    """A caller with work orders in 长沙县 (430121), the demo supervisor's jurisdiction (person history is a
    supervisor's, not a dispatcher's: DOMAIN.md §8)."""
    return next(f.person for f in world.filings_for("hotline") if f.matter.place.admin_code12.startswith("430121"))


def _principal() -> Principal:
    user = USERS.get("supervisor")
    assert user is not None
    return user.principal(scopes=["appeals:read"], client_id="minyi-portal")


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    supergraph = load_supergraph(SUPERGRAPH.read_text())
    standin = serve_aiohttp(lambda: create_standin(StandinOptions(seed=1)))
    gateway_base = f"http://127.0.0.1:{free_port()}"
    subgraph = serve_asgi(
        lambda: create_hotline(
            SubgraphSettings.model_validate(
                {"legacy_url": standin.url, "redis_url": "", "internal_jwks_url": f"{gateway_base}/internal/jwks"}
            )
        )
    )
    subgraph_urls = {"hotline": f"{subgraph.url}/graphql"}

    issuer_port = free_port()
    issuer_base = f"http://127.0.0.1:{issuer_port}"
    issuer_kv = MemoryStore()
    issuer_server = serve_asgi(
        lambda: create_gateway(
            supergraph,
            GatewayOptions(subgraph_urls=tuple(subgraph_urls.items())),
            provider=_provider(issuer_base, issuer_kv),
        ),
        issuer_port,
    )

    def make_gateway() -> Any:
        # what `minyi gateway --oidc-issuer URL` does: settings → options → the discovery verifier, no provider
        overrides: dict[str, Any] = {"oidc_issuer": issuer_base, "subgraph_urls": subgraph_urls}
        options = GatewaySettings(**overrides).options()
        assert options.oidc_issuer == issuer_base
        return create_gateway(
            supergraph,
            options,
            verifier=external_verifier(options.oidc_issuer, options.oidc_audience),
            provider=None,
        )

    gateway = serve_asgi(make_gateway, int(gateway_base.rpartition(":")[2]))
    try:
        yield Deployment(issuer_base, issuer_server, issuer_kv, gateway_base)
    finally:
        gateway.stop()
        issuer_server.stop()
        subgraph.stop()
        standin.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _citizen(
    http: aiohttp.ClientSession, base: str, world: World, token: str | None
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    variables = {"phone": _county_caller(world).phone}
    async with http.post(f"{base}/graphql", json={"query": CITIZEN, "variables": variables}, headers=headers) as r:
        body: dict[str, Any] = await r.json()
        return r.status, body


async def _log_in(deployment: Deployment) -> str:
    tokens = await log_in_through(
        deployment.issuer, "supervisor", PASSWORD, redirect_uri=f"{deployment.issuer}/portal/callback"
    )
    return str(tokens["access_token"])


def _assert_refused(status: int, body: dict[str, Any], reason: str) -> None:
    assert status == 401, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], body
    assert reason in body["errors"][0]["message"], body


async def test_a_token_of_the_external_issuer_is_answered(
    deployment: Deployment, http: aiohttp.ClientSession, world: World
) -> None:
    token = await _log_in(deployment)
    assert json.loads(jws.extract_compact(token.encode()).payload)["iss"] == deployment.issuer

    status, body = await _citizen(http, deployment.gateway, world, token)
    assert status == 200 and "errors" not in body, body
    tickets = body["data"]["citizen"]["hotlineTickets"]
    assert tickets, body
    phones = {t["petitioner"]["phone"] for t in tickets if t["petitioner"] and t["petitioner"]["phone"]}
    assert phones and all("****" in p and p != _county_caller(world).phone for p in phones), phones

    # anonymous: the @authenticated field is null with UNAUTHENTICATED, as with the embedded provider
    status, body = await _citizen(http, deployment.gateway, world, None)
    assert status == 200
    assert body["data"] == {"__typename": "Query", "citizen": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["citizen"], "UNAUTHENTICATED")]


async def test_the_gateway_serves_no_provider(deployment: Deployment, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{deployment.issuer}/.well-known/openid-configuration") as r:
        assert r.status == 200
        assert (await r.json())["issuer"] == deployment.issuer
    base = deployment.gateway
    for method, path in [
        ("GET", "/.well-known/openid-configuration"),
        ("GET", "/oauth/authorize?response_type=code&client_id=minyi-portal"),
        ("POST", "/oauth/token"),
        ("GET", "/oauth/jwks"),
        ("GET", "/oauth/logout"),
    ]:
        async with http.request(method, f"{base}{path}", allow_redirects=False) as r:
            assert r.status == 404, (method, path, r.status)
    async with http.get(f"{base}/health") as r:
        assert r.status == 200


async def test_a_token_of_an_unrelated_provider_is_refused(
    deployment: Deployment, http: aiohttp.ClientSession, world: World
) -> None:
    third_kv = MemoryStore()  # its own key ring
    honest = _provider("http://127.0.0.1:1/unrelated", third_kv)
    impostor = _provider(deployment.issuer, third_kv)  # claims the trusted issuer, signs with its own keys
    for provider in (honest, impostor):
        token = await provider.mint_access_token(_principal())
        status, body = await _citizen(http, deployment.gateway, world, token)
        _assert_refused(status, body, "unknown key")


async def test_a_token_naming_the_gateways_own_issuer_is_refused(
    deployment: Deployment, http: aiohttp.ClientSession, world: World
) -> None:
    # the trusted issuer's key ring (made by a login), but `iss` = the gateway's would-be embedded issuer
    await _log_in(deployment)
    async with http.get(f"{deployment.issuer}/.well-known/openid-configuration") as r:
        jwks_uri = (await r.json())["jwks_uri"]
    async with http.get(jwks_uri) as r:
        trusted_kids = {key["kid"] for key in (await r.json())["keys"]}
    own = _provider(deployment.gateway, deployment.issuer_kv)
    token: str = deployment.issuer_server.call(own.mint_access_token(_principal()))  # on the issuer's loop
    compact = jws.extract_compact(token.encode())
    assert compact.headers()["kid"] in trusted_kids  # the signature would verify: only `iss` is wrong
    assert json.loads(compact.payload)["iss"] == deployment.gateway

    status, body = await _citizen(http, deployment.gateway, world, token)
    _assert_refused(status, body, "issuer this gateway does not trust")
