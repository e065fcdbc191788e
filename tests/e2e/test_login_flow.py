"""The unified login end to end, as a browser does it, against a running gateway with the embedded OIDC provider.

Real loopback HTTP and the real Redis (db 15): the hotline stand-in, the hotline subgraph (accepting only the
gateway's internal tokens, verified with the key set the gateway publishes at ``/internal/jwks``) and the gateway
serving the checked-in supergraph, with the provider mounted at ``/oauth`` and discovery at the root.

Authorization code + PKCE S256 → login form → credentials with the CSRF token → 302 with the code → token exchange
→ the graph answers the token's user, masked as the role implies → an anonymous request gets null +
UNAUTHENTICATED at the ``@authenticated`` field and the rest of its answer → refresh → logout → the refresh token
and the access token are refused. That a subgraph called directly without an internal token answers 401 is
tested in tests/auth/test_internal_tokens.py (and through the demo in tests/test_demo.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from redis.asyncio import Redis

from auth.provider import Provider
from auth.settings import AuthSettings
from auth.users import UserStore, demo_users
from gateway.app import create_app as create_gateway
from gateway.settings import GatewayOptions
from legacy.hotline.app import create_app as create_standin
from legacy.standin import StandinOptions
from legacy.world import World
from schema.supergraph import load_supergraph
from subgraphs.hotline.app import create_app as create_hotline
from subgraphs.settings import SubgraphSettings
from tests.conftest import REDIS_URL
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
PASSWORD = "login-flow-password"
CLIENT = "minyi-portal"
CITIZEN = """
query($phone: String!) {
  __typename
  citizen(phone: $phone) { personKey hotlineTickets { id petitioner { name phone } } }
}
"""


@pytest.fixture
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture
def gateway(standin: BackgroundServer, redis: Redis) -> Iterator[str]:
    """The gateway URL; the gateway's provider keeps sessions and keys in Redis db 15 (emptied by ``redis``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    subgraph = serve_asgi(
        lambda: create_hotline(
            SubgraphSettings(legacy_url=standin.url, redis_url="", internal_jwks_url=f"{base}/internal/jwks")
        )
    )
    clients: list[Redis] = []

    def make() -> Any:
        client = Redis.from_url(REDIS_URL)  # made on the server's own loop
        clients.append(client)
        options = AuthSettings(issuer=base, portal_redirect_uris=[f"{base}/portal/callback"]).options()
        provider = Provider(options, kv=client, users=UserStore(None, demo_users(PASSWORD)))
        return create_gateway(
            load_supergraph(SUPERGRAPH.read_text()),
            GatewayOptions(subgraph_urls=(("hotline", f"{subgraph.url}/graphql"),)),
            provider=provider,
            on_close=[client.aclose],
        )

    server = serve_asgi(make, port)
    try:
        yield base
    finally:
        server.stop()
        subgraph.stop()


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def _graphql(
    http: aiohttp.ClientSession, base: str, variables: dict[str, Any], token: str | None
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with http.post(f"{base}/graphql", json={"query": CITIZEN, "variables": variables}, headers=headers) as r:
        body: dict[str, Any] = await r.json()
        return r.status, body


async def _token(http: aiohttp.ClientSession, base: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{base}/oauth/token", data={**form, "client_id": CLIENT}) as r:
        body: dict[str, Any] = await r.json()
        return r.status, body


async def test_log_in_query_refresh_log_out_and_be_refused(
    gateway: str, browser: aiohttp.ClientSession, world: World
) -> None:
    base = gateway
    redirect = f"{base}/portal/callback"
    async with browser.get(f"{base}/.well-known/openid-configuration") as r:
        discovery = await r.json()
    assert discovery["issuer"] == base
    assert discovery["authorization_endpoint"] == f"{base}/oauth/authorize"

    # 1. authorize with PKCE S256: the login page, with its CSRF token bound to the pre-login cookie
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(8)
    query = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": redirect,
        "scope": "openid appeals:read",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    authorize = f"{discovery['authorization_endpoint']}?{urlencode(query)}"
    async with browser.get(authorize, allow_redirects=False) as page:
        assert page.status == 200
        html = await page.text()
    assert "用户名" in html and "密码" in html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert csrf is not None

    # 2. credentials with the CSRF token: a 302 to the registered redirect URI with the code (no consent step)
    form = {"username": "supervisor", "password": PASSWORD, "csrf_token": csrf.group(1)}
    async with browser.post(authorize, data=form, allow_redirects=False) as answer:
        assert answer.status == 302, await answer.text()
        location = answer.headers["Location"]
    assert location.startswith(redirect + "?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert params["state"] == state and params["iss"] == base

    # 3. the code exchange, with the PKCE verifier
    status, tokens = await _token(
        browser,
        base,
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": redirect,
            "code_verifier": verifier,
        },
    )
    assert status == 200, tokens
    assert {"access_token", "refresh_token", "id_token"} <= tokens.keys()

    # 4. the graph answers the 督办员 (长沙县): a caller's tickets there, the contact masked (DOMAIN.md §8; person
    #    history is a supervisor's)
    person = next(f.person for f in world.filings_for("hotline") if f.matter.place.admin_code12.startswith("430121"))
    variables = {"phone": person.phone}
    status, body = await _graphql(browser, base, variables, tokens["access_token"])
    assert status == 200 and "errors" not in body, body
    tickets = body["data"]["citizen"]["hotlineTickets"]
    assert tickets, body
    phones = {t["petitioner"]["phone"] for t in tickets if t["petitioner"] and t["petitioner"]["phone"]}
    assert phones and all("****" in p and p != person.phone for p in phones), phones

    # 5. anonymous: the @authenticated field is null with UNAUTHENTICATED at its path, the rest is answered
    async with aiohttp.ClientSession() as anonymous:
        status, body = await _graphql(anonymous, base, variables, None)
    assert status == 200
    assert body["data"] == {"__typename": "Query", "citizen": None}
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["citizen"], "UNAUTHENTICATED")]

    # 6. refresh: new tokens, and the new access token is answered
    status, refreshed = await _token(
        browser, base, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert status == 200, refreshed
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    assert refreshed["access_token"] != tokens["access_token"]
    status, body = await _graphql(browser, base, variables, refreshed["access_token"])
    assert status == 200 and "errors" not in body, body

    # 7. logout (the browser's session cookie): the session and its refresh-token family end
    async with browser.get(f"{base}/oauth/logout", allow_redirects=False) as out:
        assert out.status == 200

    # 8. refused afterwards: both access tokens (UNAUTHENTICATED) and the refresh token (invalid_grant)
    for access in (tokens["access_token"], refreshed["access_token"]):
        status, body = await _graphql(browser, base, variables, access)
        assert status == 401
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
        assert "session" in body["errors"][0]["message"]
    status, answer_ = await _token(
        browser, base, {"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]}
    )
    assert status == 400 and answer_["error"] == "invalid_grant"
