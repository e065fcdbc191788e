"""Who may read the schema outside dev mode: introspection and "Did you mean …?" suggestions go only to principals
with a configured role or scope; everyone else gets FORBIDDEN and errors without suggestions. Real loopback HTTP,
real Bearer tokens verified against a key set."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import aiohttp
import orjson
import pytest

from auth.jwks import LocalJwks
from auth.verify import TokenVerifier
from gateway.app import create_app
from gateway.settings import GatewayOptions, GatewaySettings
from tests.auth.issuer import AUDIENCE, TinyIssuer
from tests.gateway.fakes import SUPERGRAPH, CountingPlanner, FakeExecutor, NullFetcher, print_fake_plan
from tests.support.servers import BackgroundServer, serve_asgi

ISSUER = TinyIssuer("https://login.example")
INTROSPECTION = '{ __schema { queryType { name } } __type(name: "User") { name } }'


def serve(options: GatewayOptions) -> BackgroundServer:
    verifier = TokenVerifier(LocalJwks(ISSUER.jwks), issuer=ISSUER.issuer, audience=AUDIENCE)
    app = create_app(
        SUPERGRAPH,
        options,
        planner=CountingPlanner(),
        executor=FakeExecutor(),
        printer=print_fake_plan,
        fetcher=NullFetcher(),
        verifier=verifier,
    )
    return serve_asgi(lambda: app)


@pytest.fixture(scope="module")
def production() -> Iterator[BackgroundServer]:
    server = serve(GatewayOptions(introspection_scopes=frozenset({"schema:read"})))
    yield server
    server.stop()


async def post(server: BackgroundServer, query: str, token: str | None = None) -> Any:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.url}/graphql", data=io.BytesIO(orjson.dumps({"query": query})), headers=headers) as r,
    ):
        return orjson.loads(await r.read())


# Tokens are minted when a test runs, not when the module is collected: a long suite would see them expired.
CALLERS: dict[str, dict[str, Any]] = {
    "admin": {"roles": ["admin"]},
    "supervisor": {},  # roles: supervisor
    "tooling": {"roles": ["analyst"], "scope": "openid schema:read"},
}


def token_of(caller: str | None) -> str | None:
    return None if caller is None else ISSUER.token(**CALLERS[caller])


@pytest.mark.parametrize("caller", [None, "supervisor"], ids=["anonymous", "supervisor"])
@pytest.mark.parametrize(
    "query",
    [
        INTROSPECTION,
        '{ ...F } fragment F on Query { __type(name: "User") { fields { name } } }',
        "{ me { name } __schema { types { name } } }",
    ],
    ids=["root", "in a fragment", "beside data"],
)
async def test_introspection_is_forbidden_without_a_configured_role_or_scope(
    production: BackgroundServer, caller: str | None, query: str
) -> None:
    body = await post(production, query, token_of(caller))
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "__schema or __type" in error["message"]


@pytest.mark.parametrize("caller", ["admin", "tooling"], ids=["admin role", "configured scope"])
async def test_introspection_is_answered_to_a_configured_role_or_scope(
    production: BackgroundServer, caller: str
) -> None:
    body = await post(production, INTROSPECTION, token_of(caller))
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}, "__type": {"name": "User"}}}


async def test_typename_is_not_introspection(production: BackgroundServer) -> None:
    assert await post(production, "{ __typename me { __typename name } }") == {
        "data": {"__typename": "Query", "me": {"__typename": "User", "name": "Ada"}}
    }


async def test_validation_errors_suggest_field_names_only_to_who_may_read_the_schema(
    production: BackgroundServer,
) -> None:
    [anonymous] = (await post(production, "{ helo }"))["errors"]
    [supervisor] = (await post(production, "{ helo }", token_of("supervisor")))["errors"]
    [admin] = (await post(production, "{ helo }", token_of("admin")))["errors"]
    assert anonymous["message"] == supervisor["message"] == "Cannot query field 'helo' on type 'Query'."
    assert admin["message"] == "Cannot query field 'helo' on type 'Query'. Did you mean 'hello'?"
    assert anonymous["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_dev_mode_answers_introspection_to_everyone() -> None:
    server = serve(GatewayOptions(dev=True))
    try:
        body = await post(server, INTROSPECTION)
        [error] = (await post(server, "{ helo }"))["errors"]
    finally:
        server.stop()
    assert body["data"]["__schema"] == {"queryType": {"name": "Query"}}
    assert error["message"].endswith("Did you mean 'hello'?")


def test_the_roles_and_scopes_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert GatewaySettings().options().introspection_roles == frozenset({"admin"})
    monkeypatch.setenv("MINYI_GATEWAY_INTROSPECTION_ROLES", "admin analyst")
    monkeypatch.setenv("MINYI_GATEWAY_INTROSPECTION_SCOPES", "schema:read")
    options = GatewaySettings().options()
    assert options.introspection_roles == frozenset({"admin", "analyst"})
    assert options.introspection_scopes == frozenset({"schema:read"})
