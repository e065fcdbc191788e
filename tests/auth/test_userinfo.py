"""The userinfo endpoint (OIDC Core §5.3): a valid access token granted ``openid`` gets the claims of its scope; a
token without ``openid`` is short of scope; an expired one, one of a logged-out session, one for another audience,
one of an unknown user, a forged one and an ID token are not valid bearer tokens at all."""

from __future__ import annotations

import base64
import time
from typing import Any

import aiohttp

from auth.keys import KeyRing
from auth.principal import Principal
from auth.provider import Provider, mint_access_token
from tests.auth.conftest import SERVICE_SECRET, authorize_url, exchange, log_in, pkce, query_of
from tests.support.servers import BackgroundServer

Served = tuple[BackgroundServer, Provider]


async def _userinfo(
    browser: aiohttp.ClientSession, base: str, token: str | None, *, method: str = "GET"
) -> tuple[int, dict[str, Any], str]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    async with browser.request(method, f"{base}/oauth/userinfo", headers=headers) as response:
        return response.status, await response.json(), response.headers.get("WWW-Authenticate", "")


async def _tokens_for_scope(browser: aiohttp.ClientSession, base: str, scope: str) -> dict[str, Any]:
    """Another authorization in the logged-in browser (no login form), asking for ``scope``."""
    verifier, challenge = pkce()
    async with browser.get(authorize_url(base, challenge, scope=scope), allow_redirects=False) as answer:
        assert answer.status == 302
        code = query_of(answer.headers["Location"])["code"]
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    return tokens


def _mint(
    server: BackgroundServer, provider: Provider, subject: str, *, audience: str = "minyi", issued: int | None = None
) -> str:
    """An access token signed with the provider's key, granted ``openid profile``, for the portal client."""
    ring: KeyRing = server.call(provider.keys.ring())
    principal = Principal(subject=subject, scopes=frozenset({"openid", "profile"}), client_id="minyi-portal")
    return mint_access_token(ring, principal, issuer=provider.issuer, audience=audience, lifetime_s=600, now=issued)


async def test_a_valid_token_gets_the_claims_of_its_scope(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    code, verifier = await log_in(browser, base, username="handler")  # scope: openid profile appeals:read
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200

    for method in ("GET", "POST"):
        status, claims, _ = await _userinfo(browser, base, str(tokens["access_token"]), method=method)
        assert status == 200, claims
        assert claims == {
            "sub": "handler",
            "name": "赵承办",
            "roles": ["unit_handler"],
            "unit": "43010503",
            "jurisdiction": {"admin_codes": ["430105"], "grid_codes": []},
        }

    openid_only = await _tokens_for_scope(browser, base, "openid appeals:read")
    status, claims, _ = await _userinfo(browser, base, str(openid_only["access_token"]))
    assert status == 200 and claims == {"sub": "handler"}


async def test_a_token_without_openid_is_short_of_scope(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    await log_in(browser, base)
    api_only = await _tokens_for_scope(browser, base, "appeals:read")
    assert "id_token" not in api_only
    status, body, _ = await _userinfo(browser, base, str(api_only["access_token"]))
    assert status == 403 and body["error"] == "insufficient_scope"

    service = {"Authorization": "Basic " + base64.b64encode(f"minyi-service:{SERVICE_SECRET}".encode()).decode()}
    async with browser.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"}, headers=service) as r:
        assert r.status == 200
        service_token = (await r.json())["access_token"]
    status, body, _ = await _userinfo(browser, base, service_token)
    assert status == 403 and body["error"] == "insufficient_scope"


async def test_tokens_that_are_not_valid_are_refused_with_a_bearer_challenge(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    server, provider = served
    base = server.url
    assert (await _userinfo(browser, base, _mint(server, provider, "dispatcher")))[0] == 200  # the control

    code, verifier = await log_in(browser, base)
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200
    access = str(tokens["access_token"])
    assert (await _userinfo(browser, base, access))[0] == 200

    an_hour_ago = int(time.time()) - 3600
    refused = {
        "expired": _mint(server, provider, "dispatcher", issued=an_hour_ago),
        "another audience": _mint(server, provider, "dispatcher", audience="another-api"),
        "unknown user": _mint(server, provider, "nobody"),
        "forged signature": access[:-6] + "AAAAAA",
        "an ID token": str(tokens["id_token"]),
        "not a JWT": "garbage",
    }
    for what, token in refused.items():
        status, body, challenge = await _userinfo(browser, base, token)
        assert status == 401 and body["error"] == "invalid_token", what
        assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge, what

    # Logout ends the login session; its access token is revoked with it.
    async with browser.get(f"{base}/oauth/logout", allow_redirects=False) as out:
        assert out.status == 200
    status, body, _ = await _userinfo(browser, base, access)
    assert status == 401 and body["error"] == "invalid_token"

    status, body, _ = await _userinfo(browser, base, None)
    assert status == 401 and "error" in body
