"""Token revocation (RFC 7009) and introspection (RFC 7662) over loopback, as a portal and a resource server use them."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from auth.provider import Provider
from tests.auth.conftest import SERVICE_SECRET, exchange, log_in, refresh
from tests.support.servers import BackgroundServer

Served = tuple[BackgroundServer, Provider]
SERVICE = {"Authorization": "Basic " + base64.b64encode(f"minyi-service:{SERVICE_SECRET}".encode()).decode()}


async def _tokens(browser: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    code, verifier = await log_in(browser, base)
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    return tokens


async def _post(
    browser: aiohttp.ClientSession, url: str, data: dict[str, str], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    async with browser.post(url, data=data, headers=headers or {}) as response:
        assert response.headers["Cache-Control"] == "no-store"
        return response.status, await response.json()


async def _introspect(browser: aiohttp.ClientSession, base: str, token: str, **extra: str) -> dict[str, Any]:
    status, body = await _post(browser, f"{base}/oauth/introspect", {"token": token, **extra}, SERVICE)
    assert status == 200, body
    return body


async def test_discovery_advertises_revocation_and_introspection(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    async with browser.get(f"{base}/.well-known/openid-configuration") as response:
        doc = await response.json()
    assert doc["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert doc["introspection_endpoint"] == f"{base}/oauth/introspect"
    assert "none" in doc["revocation_endpoint_auth_methods_supported"]
    assert "none" not in doc["introspection_endpoint_auth_methods_supported"]


async def test_a_revoked_refresh_token_cannot_be_used(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    first = str(tokens["refresh_token"])
    status, renewed = await refresh(browser, base, first)
    assert status == 200
    current = str(renewed["refresh_token"])

    revoke = {"token": current, "token_type_hint": "refresh_token", "client_id": "minyi-portal"}
    status, body = await _post(browser, f"{base}/oauth/revoke", revoke)
    assert status == 200 and body == {}

    status, error = await refresh(browser, base, current)
    assert status == 400 and error["error"] == "invalid_grant"
    # The whole family is revoked: no other token of this login refreshes either.
    status, error = await refresh(browser, base, first)
    assert status == 400 and error["error"] == "invalid_grant"
    # Revoking again, or revoking a token nobody issued, is answered 200 (RFC 7009 §2.2).
    assert (await _post(browser, f"{base}/oauth/revoke", revoke))[0] == 200
    unknown = {"token": "never-issued", "client_id": "minyi-portal"}
    assert (await _post(browser, f"{base}/oauth/revoke", unknown))[0] == 200


async def test_revocation_needs_the_client_the_token_was_issued_to(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    token = str(tokens["refresh_token"])

    status, error = await _post(browser, f"{base}/oauth/revoke", {"token": token})
    assert status == 401 and error["error"] == "invalid_client"
    status, error = await _post(browser, f"{base}/oauth/revoke", {"token": token, "client_id": "nobody"})
    assert status in (400, 401) and error["error"] == "invalid_client"
    # A confidential client must authenticate: its client_id alone is refused.
    status, error = await _post(browser, f"{base}/oauth/revoke", {"token": token, "client_id": "minyi-service"})
    assert status == 401 and error["error"] == "invalid_client"
    # Authenticated, but not the client the token was issued to.
    status, error = await _post(browser, f"{base}/oauth/revoke", {"token": token}, SERVICE)
    assert status == 400 and error["error"] == "invalid_grant"
    status, error = await _post(browser, f"{base}/oauth/revoke", {"client_id": "minyi-portal"})
    assert status == 400 and error["error"] == "invalid_request"

    status, _ = await refresh(browser, base, token)
    assert status == 200, "none of the refused revocations touched the token"


async def test_access_tokens_are_not_revoked_but_named_unsupported(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    data = {"token": str(tokens["access_token"]), "client_id": "minyi-portal"}
    status, error = await _post(browser, f"{base}/oauth/revoke", data)
    assert status == 400 and error["error"] == "unsupported_token_type"
    status, error = await _post(browser, f"{base}/oauth/revoke", {**data, "token_type_hint": "id_token"})
    assert status == 400 and error["error"] == "unsupported_token_type"


async def test_introspection_of_active_and_inactive_tokens(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    access, first = str(tokens["access_token"]), str(tokens["refresh_token"])

    body = await _introspect(browser, base, access)
    assert body["active"] is True and body["token_type"] == "Bearer"
    assert (
        body["sub"] == "dispatcher"
        and body["client_id"] == "minyi-portal"
        and body["scope"] == "appeals:read openid profile"
    )
    assert body["iss"] == base and body["aud"] == "minyi" and body["exp"] > body["iat"]

    # A refresh token issued to another client is not the service client's to see.
    assert await _introspect(browser, base, first) == {"active": False}

    status, renewed = await refresh(browser, base, first)
    assert status == 200
    for inactive in ("garbage", access[:-4] + "AAAA", str(tokens["id_token"])):
        assert await _introspect(browser, base, inactive) == {"active": False}, inactive

    # Logout ends the login session: its access tokens are no longer active.
    async with browser.get(f"{base}/oauth/logout", allow_redirects=False) as response:
        assert response.status == 200
    assert await _introspect(browser, base, str(renewed["access_token"])) == {"active": False}
    assert await _introspect(browser, base, access, token_type_hint="refresh_token") == {"active": False}


async def test_introspection_needs_an_authenticated_confidential_client(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    data = {"token": str(tokens["access_token"])}
    wrong = {"Authorization": "Basic " + base64.b64encode(b"minyi-service:wrong").decode()}
    for headers, extra in (({}, {}), (wrong, {}), ({}, {"client_id": "minyi-portal"}), ({}, {"client_id": "x"})):
        status, error = await _post(browser, f"{base}/oauth/introspect", {**data, **extra}, headers)
        assert status == 401 and error["error"] == "invalid_client", (headers, extra)
        assert "active" not in error
    post = {**data, "client_id": "minyi-service", "client_secret": SERVICE_SECRET}
    status, body = await _post(browser, f"{base}/oauth/introspect", post)
    assert status == 200 and body["active"] is True
