"""Internal tokens: the gateway mints one per subgraph call; the project's subgraphs accept nothing else.

Real loopback HTTP throughout: the hotline stand-in, the hotline subgraph verifying tokens with the gateway's key
set fetched from ``/internal/jwks``, and the gateway minting them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey
from redis.asyncio import Redis

from auth.errors import Unauthenticated
from auth.internal import InternalTokenMinter, InternalTokenVerifier
from auth.principal import Principal, Role
from auth.store import MemoryStore
from gateway.app import create_app as create_gateway
from gateway.pipeline import GraphQLRequest
from gateway.settings import GatewayOptions
from legacy.hotline.app import create_app as create_standin
from legacy.standin import StandinOptions
from schema.supergraph import load_supergraph
from subgraphs.common.internal_auth import PRINCIPAL_SCOPE_KEY, is_sdl_query
from subgraphs.hotline.app import create_app as create_hotline
from subgraphs.settings import SubgraphSettings
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
LIST = "{ hotlineTickets(first: 2) { items { id } } }"
OPERATOR = Principal(
    "op-0042",
    frozenset({Role.OPERATOR}),
    frozenset({"openid"}),
    unit="U-12345",
    admin_codes=("320102",),
    grid_codes=("320102001001001",),
    name="王坐席",
    client_id="minyi-portal",
)


class Recorder:
    """An ASGI wrapper that remembers the principal each request of the wrapped subgraph app carried."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.scopes: list[MutableMapping[str, Any]] = []

    @property
    def seen(self) -> list[Any]:
        return [scope.get(PRINCIPAL_SCOPE_KEY) for scope in self.scopes]

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") == "/graphql":
            self.scopes.append(scope)  # the guard stores the principal in this very scope, before answering
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def minter() -> InternalTokenMinter:
    return InternalTokenMinter.generate()


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(standin: BackgroundServer, minter: InternalTokenMinter) -> Iterator[dict[str, Any]]:
    """The gateway (port chosen first, so the subgraph knows its JWKS URL) in front of the hotline subgraph."""
    gateway_port = free_port()
    settings = SubgraphSettings(
        legacy_url=standin.url,
        redis_url="",
        internal_jwks_url=f"http://127.0.0.1:{gateway_port}/internal/jwks",
    )
    recorder: dict[str, Recorder] = {}

    def make_subgraph() -> Any:
        recorder["app"] = Recorder(create_hotline(settings))
        return recorder["app"]

    subgraph = serve_asgi(make_subgraph)
    options = GatewayOptions(subgraph_urls=(("hotline", f"{subgraph.url}/graphql"),))
    apps: dict[str, Any] = {}

    def make_gateway() -> Any:
        apps["gateway"] = create_gateway(load_supergraph(SUPERGRAPH.read_text()), options, minter=minter)
        return apps["gateway"]

    gateway = serve_asgi(make_gateway, gateway_port)
    yield {"gateway": gateway, "subgraph": subgraph, "recorder": recorder["app"], "app": apps["gateway"]}
    gateway.stop()
    subgraph.stop()


async def _post(url: str, query: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/graphql", json={"query": query}, headers=headers) as resp,
    ):
        body: dict[str, Any] = await resp.json()
        return resp.status, body


def _refused(status: int, body: dict[str, Any]) -> bool:
    return status == 401 and [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


# -- minting -----------------------------------------------------------------------------------------------------


def test_minted_claims_carry_the_audience_actor_subject_and_principal(minter: InternalTokenMinter) -> None:
    token = minter.token_for(OPERATOR, "hotline")
    decoded = jwt.decode(token, ECKey.import_key(minter.jwks()["keys"][0]), algorithms=["ES256"])
    claims = decoded.claims
    assert decoded.header["alg"] == "ES256" and decoded.header["kid"] == minter.key.kid
    assert claims["iss"] == "minyi-gateway"
    assert claims["aud"] == "hotline"
    assert claims["act"] == {"sub": "minyi-gateway"}
    assert claims["sub"] == "op-0042"
    assert 0 < claims["exp"] - claims["iat"] <= 60
    assert claims["jti"]
    for name, value in OPERATOR.to_claims().items():
        assert claims[name] == value
    assert Principal.from_claims(claims) == OPERATOR


def test_a_token_is_reused_for_the_same_principal_and_subgraph_only(minter: InternalTokenMinter) -> None:
    token = minter.token_for(OPERATOR, "hotline")
    assert minter.token_for(OPERATOR, "hotline") == token
    assert minter.token_for(OPERATOR, "grid") != token
    assert minter.token_for(Principal("someone-else", frozenset({Role.OPERATOR})), "hotline") != token


def test_a_cached_token_is_replaced_after_half_its_life() -> None:
    now = [1_900_000_000.0]
    minter = InternalTokenMinter.generate(clock=lambda: now[0])
    first = minter.token_for(OPERATOR, "hotline")
    now[0] += 29
    assert minter.token_for(OPERATOR, "hotline") == first
    now[0] += 2
    assert minter.token_for(OPERATOR, "hotline") != first


def test_lifetimes_over_a_minute_are_refused() -> None:
    with pytest.raises(ValueError):
        InternalTokenMinter.generate(ttl_s=61)


async def test_replicas_share_one_key_through_redis(redis: Redis) -> None:
    first = await InternalTokenMinter.from_store(redis)
    second = await InternalTokenMinter.from_store(redis)
    assert first.jwks() == second.jwks()
    assert await redis.exists("minyi:jwks:internal") == 1
    verifier = InternalTokenVerifier("hotline", keys=first.jwks())
    assert (await verifier.verify(second.token_for(OPERATOR, "hotline"))).subject == "op-0042"


async def test_without_redis_the_key_lives_in_process() -> None:
    store = MemoryStore()
    assert (await InternalTokenMinter.from_store(store)).jwks() == (await InternalTokenMinter.from_store(store)).jwks()


# -- verifying (no HTTP) -----------------------------------------------------------------------------------------


async def test_the_verifier_refuses_expired_foreign_and_misaddressed_tokens(minter: InternalTokenMinter) -> None:
    verifier = InternalTokenVerifier("hotline", keys=minter.jwks())
    assert await verifier.verify(minter.token_for(OPERATOR, "hotline")) == OPERATOR
    with pytest.raises(Unauthenticated):
        await verifier.verify(minter.token_for(OPERATOR, "grid"))
    old = InternalTokenMinter(minter.key, clock=lambda: time.time() - 3600)
    with pytest.raises(Unauthenticated):
        await verifier.verify(old.token_for(OPERATOR, "hotline"))
    stranger = InternalTokenMinter.generate()
    with pytest.raises(Unauthenticated):
        await verifier.verify(stranger.token_for(OPERATOR, "hotline"))
    other_issuer = InternalTokenMinter(minter.key, issuer="someone-else")
    with pytest.raises(Unauthenticated):
        await verifier.verify(other_issuer.token_for(OPERATOR, "hotline"))


async def test_a_token_without_the_gateway_as_actor_is_refused(minter: InternalTokenMinter) -> None:
    now = int(time.time())
    claims = {"iss": "minyi-gateway", "aud": "hotline", "sub": "op-0042", "iat": now, "exp": now + 30}
    token = jwt.encode({"alg": "ES256", "kid": minter.key.kid}, claims, minter.key, algorithms=["ES256"])
    with pytest.raises(Unauthenticated, match="not issued by the gateway"):
        await InternalTokenVerifier("hotline", keys=minter.jwks()).verify(token)


async def test_a_token_signed_with_alg_none_or_hs256_is_refused(minter: InternalTokenMinter) -> None:
    genuine = minter.token_for(OPERATOR, "hotline")
    header, payload, _ = genuine.split(".")
    none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"  # {"alg":"none","typ":"JWT"}
    verifier = InternalTokenVerifier("hotline", keys=minter.jwks())
    for forged in (f"{none_header}.{payload}.", f"{header}.{payload}x.{genuine.rsplit('.', 1)[1]}", "not-a-jwt"):
        with pytest.raises(Unauthenticated):
            await verifier.verify(forged)


def test_only_the_pure_sdl_query_counts_as_the_sdl_query() -> None:
    assert is_sdl_query("{ _service { sdl } }")
    assert is_sdl_query("query SubgraphSdl { _service { sdl } }")
    assert not is_sdl_query("{ _service { sdl } hotlineTickets { items { id } } }")
    assert not is_sdl_query("mutation { _service { sdl } }")
    assert not is_sdl_query("{ _service { sdl } } query B { __typename }")
    assert not is_sdl_query("{ _entities(representations: []) { __typename } }")


# -- a subgraph over HTTP ----------------------------------------------------------------------------------------


async def test_a_subgraph_called_directly_without_a_token_answers_401(stack: dict[str, Any]) -> None:
    status, body = await _post(stack["subgraph"].url, LIST)
    assert _refused(status, body), body
    assert "data" not in body


async def test_the_subgraph_still_tells_its_sdl_without_a_token(stack: dict[str, Any]) -> None:
    status, body = await _post(stack["subgraph"].url, "{ _service { sdl } }")
    assert status == 200 and "type HotlineTicket" in body["data"]["_service"]["sdl"]


async def test_a_users_own_provider_token_is_refused(stack: dict[str, Any]) -> None:
    provider_key = ECKey.generate_key("P-256", auto_kid=True)
    now = int(time.time())
    user_token = jwt.encode(
        {"alg": "ES256", "kid": provider_key.kid},
        {"iss": "http://127.0.0.1:4000", "aud": "minyi", "sub": "op-0042", "iat": now, "exp": now + 600},
        provider_key,
        algorithms=["ES256"],
    )
    status, body = await _post(stack["subgraph"].url, LIST, user_token)
    assert _refused(status, body), body
    assert user_token not in str(body)


async def test_a_token_for_another_subgraph_is_refused(stack: dict[str, Any], minter: InternalTokenMinter) -> None:
    status, body = await _post(stack["subgraph"].url, LIST, minter.token_for(OPERATOR, "grid"))
    assert _refused(status, body), body


async def test_an_expired_token_is_refused(stack: dict[str, Any], minter: InternalTokenMinter) -> None:
    old = InternalTokenMinter(minter.key, clock=lambda: time.time() - 600)
    status, body = await _post(stack["subgraph"].url, LIST, old.token_for(OPERATOR, "hotline"))
    assert _refused(status, body), body


async def test_a_valid_internal_token_is_accepted(stack: dict[str, Any], minter: InternalTokenMinter) -> None:
    status, body = await _post(stack["subgraph"].url, LIST, minter.token_for(OPERATOR, "hotline"))
    assert status == 200 and "errors" not in body, body


# -- through the gateway -----------------------------------------------------------------------------------------


async def test_the_gateway_publishes_its_internal_key_set(stack: dict[str, Any], minter: InternalTokenMinter) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{stack['gateway'].url}/internal/jwks") as resp:
        assert resp.status == 200
        document = await resp.json(content_type=None)
    assert document == minter.jwks()
    assert all("d" not in key for key in document["keys"])  # public parts only


def test_through_the_gateway_the_subgraph_sees_the_principal(stack: dict[str, Any]) -> None:
    recorder: Recorder = stack["recorder"]
    recorder.scopes.clear()
    live = stack["app"].state.gateway
    outcome = stack["gateway"].call(live.run(GraphQLRequest(LIST, principal=OPERATOR)))
    assert "errors" not in outcome.body, outcome.body
    assert outcome.body["data"]["hotlineTickets"] is not None
    assert recorder.seen == [OPERATOR]
    seen = recorder.seen[0]
    assert seen.roles == OPERATOR.roles and seen.unit == "U-12345" and seen.grid_codes == OPERATOR.grid_codes
