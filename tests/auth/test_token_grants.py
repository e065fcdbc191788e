"""The token endpoint's grants beyond the main flow: scope narrowing on refresh, ID tokens on refresh, a stolen
refresh token presented by another client, and the client authentication each kind of client may use."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
from joserfc import jwt
from joserfc.jwk import KeySet

from auth.provider import Provider
from tests.auth.conftest import REDIRECT, SERVICE_SECRET, authorize_url, exchange, log_in, pkce, query_of, refresh
from tests.support.servers import BackgroundServer

Served = tuple[BackgroundServer, Provider]


def _basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


async def _token(
    browser: aiohttp.ClientSession, base: str, data: dict[str, str], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    async with browser.post(f"{base}/oauth/token", data=data, headers=headers or {}) as response:
        assert response.headers["Cache-Control"] == "no-store"
        return response.status, await response.json()


async def _tokens(browser: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    code, verifier = await log_in(browser, base)
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    return tokens


async def test_a_refresh_may_narrow_the_scope_never_widen_it(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    data = {"grant_type": "refresh_token", "client_id": "minyi-portal", "refresh_token": str(tokens["refresh_token"])}
    status, error = await _token(browser, base, {**data, "scope": "openid appeals:write"})
    assert status == 400 and error["error"] == "invalid_scope"
    # The refused widening spent the token (rotation happens at lookup): a fresh login brings another.
    browser.cookie_jar.clear()
    tokens = await _tokens(browser, base)
    data["refresh_token"] = str(tokens["refresh_token"])
    status, narrowed = await _token(browser, base, {**data, "scope": "appeals:read"})
    assert status == 200 and narrowed["scope"] == "appeals:read"
    assert "id_token" not in narrowed, "no openid scope, no ID token"


async def test_a_refresh_with_openid_brings_a_fresh_id_token(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    status, renewed = await refresh(browser, base, str(tokens["refresh_token"]))
    assert status == 200 and renewed["scope"] == tokens["scope"]
    async with browser.get(f"{base}/oauth/jwks") as response:
        keys = KeySet.import_key_set(await response.json())
    first = jwt.decode(str(tokens["id_token"]), keys, algorithms=["RS256"]).claims
    again = jwt.decode(str(renewed["id_token"]), keys, algorithms=["RS256"]).claims
    assert again["sub"] == first["sub"] == "dispatcher" and again["aud"] == "minyi-portal"
    assert again["auth_time"] == first["auth_time"] and again["sid"] == first["sid"]
    assert "nonce" not in again, "the nonce belongs to the authorization request, not to a refresh"


async def test_a_client_without_the_refresh_grant_cannot_spend_a_refresh_token(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    tokens = await _tokens(browser, base)
    stolen = {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])}
    status, error = await _token(browser, base, stolen, _basic("minyi-service", SERVICE_SECRET))
    assert status == 400 and error["error"] == "unauthorized_client"
    status, renewed = await refresh(browser, base, str(tokens["refresh_token"]))
    assert status == 200 and renewed["refresh_token"], "the refused request did not spend the token"


async def test_each_client_authenticates_its_own_way(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    service = {"grant_type": "client_credentials"}
    # A confidential client naming itself without its secret is refused.
    status, error = await _token(browser, base, {**service, "client_id": "minyi-service"})
    assert status == 401 and error["error"] == "invalid_client"
    # client_secret_post works as well as client_secret_basic; the default scope is the client's.
    status, body = await _token(
        browser, base, {**service, "client_id": "minyi-service", "client_secret": SERVICE_SECRET}
    )
    assert status == 200 and body["scope"] == "appeals:read" and body["token_type"] == "Bearer"
    status, error = await _token(
        browser, base, {**service, "scope": "appeals:write"}, _basic("minyi-service", SERVICE_SECRET)
    )
    assert status == 400 and error["error"] == "invalid_scope"
    # A public client sending a secret is not who it says it is.
    code, verifier = await log_in(browser, base)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": "http://127.0.0.1:9/portal/callback",
        "client_id": "minyi-portal",
        "client_secret": "guess",
    }
    status, error = await _token(browser, base, data)
    assert status == 401 and error["error"] == "invalid_client"
    status, error = await _token(browser, base, {"grant_type": "password", "client_id": "minyi-portal"})
    assert status == 400 and error["error"] == "unsupported_grant_type"


async def test_authorization_errors_go_back_to_a_registered_uri_only(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    challenge = pkce()[1]
    for extra, error in (
        ({"scope": "openid admin:everything"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ):
        async with browser.get(authorize_url(base, challenge, **extra), allow_redirects=False) as response:
            assert response.status == 302, extra
            params = query_of(response.headers["Location"])
        assert response.headers["Location"].startswith(REDIRECT + "?")
        assert params["error"] == error and params["state"] == "st-123" and "code" not in params
    unknown = {"client_id": "nobody", "response_type": "token"}
    async with browser.get(authorize_url(base, challenge, **unknown), allow_redirects=False) as response:
        assert response.status == 400 and "Location" not in response.headers
        assert "未知的客户端" in await response.text()
