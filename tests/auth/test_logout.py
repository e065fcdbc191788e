"""Logout (OIDC RP-Initiated Logout 1.0): a valid ID token hint and a registered post-logout address end the login
and redirect there with ``state``; a bad hint (forged, another issuer's, an access token, another client's) or an
address that would not be followed (unregistered, or without a hint) is an error page, no redirect, and the login
stays open."""

from __future__ import annotations

import time
from typing import Any

import aiohttp

from auth.keys import KeyRing
from auth.principal import Principal
from auth.provider import Provider, mint_id_token
from tests.auth.conftest import LOGOUT_REDIRECT, exchange, log_in, refresh
from tests.support.servers import BackgroundServer

Served = tuple[BackgroundServer, Provider]


class Login:
    """A logged-in browser's tokens; :meth:`still_open` refreshes (rotating) to tell whether the login is open."""

    def __init__(self, tokens: dict[str, Any]) -> None:
        self.id_token = str(tokens["id_token"])
        self.access_token = str(tokens["access_token"])
        self.refresh_token = str(tokens["refresh_token"])

    async def still_open(self, browser: aiohttp.ClientSession, base: str) -> bool:
        status, renewed = await refresh(browser, base, self.refresh_token)
        if status == 200:
            self.refresh_token = str(renewed["refresh_token"])
        return status == 200


async def _logged_in(browser: aiohttp.ClientSession, base: str) -> Login:
    code, verifier = await log_in(browser, base)
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    return Login(tokens)


async def _logout(
    browser: aiohttp.ClientSession, base: str, params: dict[str, str], *, method: str = "GET"
) -> aiohttp.ClientResponse:
    if method == "POST":
        async with browser.post(f"{base}/oauth/logout", data=params, allow_redirects=False) as response:
            await response.read()
            return response
    async with browser.get(f"{base}/oauth/logout", params=params, allow_redirects=False) as response:
        await response.read()
        return response


def _id_token(
    server: BackgroundServer, provider: Provider, *, issuer: str | None = None, issued: int | None = None
) -> str:
    ring: KeyRing = server.call(provider.keys.ring())
    return mint_id_token(
        ring,
        Principal(subject="dispatcher"),
        issuer=issuer or provider.issuer,
        client_id="minyi-portal",
        lifetime_s=300,
        nonce=None,
        auth_time=None,
        now=issued,
    )


async def test_a_valid_hint_and_a_registered_address_end_the_login_and_redirect_with_state(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    login = await _logged_in(browser, base)
    out = await _logout(
        browser,
        base,
        {
            "id_token_hint": login.id_token,
            "client_id": "minyi-portal",
            "post_logout_redirect_uri": LOGOUT_REDIRECT,
            "state": "bye",
        },
    )
    assert out.status == 302 and out.headers["Location"] == f"{LOGOUT_REDIRECT}?state=bye"
    assert "minyi_sid=" in out.headers.get("Set-Cookie", "")  # the session cookie is cleared
    assert not await login.still_open(browser, base)


async def test_an_expired_hint_still_names_the_client(served: Served, browser: aiohttp.ClientSession) -> None:
    server, provider = served
    base = server.url
    login = await _logged_in(browser, base)
    expired = _id_token(server, provider, issued=int(time.time()) - 3600)
    out = await _logout(browser, base, {"id_token_hint": expired, "post_logout_redirect_uri": LOGOUT_REDIRECT})
    assert out.status == 302 and out.headers["Location"] == LOGOUT_REDIRECT
    assert not await login.still_open(browser, base)


async def test_the_portals_logout_post_with_its_hint_ends_the_login_with_a_page(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    login = await _logged_in(browser, base)
    out = await _logout(browser, base, {"client_id": "minyi-portal", "id_token_hint": login.id_token}, method="POST")
    assert out.status == 200 and "Location" not in out.headers
    assert not await login.still_open(browser, base)


async def test_a_bad_hint_is_refused_and_the_login_stays_open(served: Served, browser: aiohttp.ClientSession) -> None:
    server, provider = served
    base = server.url
    login = await _logged_in(browser, base)
    bad_hints = {
        "forged signature": login.id_token[:-6] + "AAAAAA",
        "not a JWT": "garbage",
        "another issuer's": _id_token(server, provider, issuer="https://elsewhere.example"),
        "an access token (audience: the API, not a client)": login.access_token,
    }
    for what, hint in bad_hints.items():
        for params in (
            {"id_token_hint": hint},
            {"id_token_hint": hint, "post_logout_redirect_uri": LOGOUT_REDIRECT, "state": "s"},
        ):
            out = await _logout(browser, base, params)
            assert out.status == 400 and "Location" not in out.headers, what
            assert "Set-Cookie" not in out.headers, what
        assert await login.still_open(browser, base), what

    # A valid hint naming another client than client_id says.
    out = await _logout(browser, base, {"id_token_hint": login.id_token, "client_id": "minyi-service"})
    assert out.status == 400 and "Location" not in out.headers
    assert await login.still_open(browser, base)


async def test_an_address_that_would_not_be_followed_is_refused_and_the_login_stays_open(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    login = await _logged_in(browser, base)
    for params in (
        {"id_token_hint": login.id_token, "post_logout_redirect_uri": "https://evil.example/"},
        {"id_token_hint": login.id_token, "post_logout_redirect_uri": LOGOUT_REDIRECT + "x"},
        {"id_token_hint": login.id_token, "post_logout_redirect_uri": LOGOUT_REDIRECT.upper()},
        # registered, but without a hint nothing shows the request comes from the client
        {"client_id": "minyi-portal", "post_logout_redirect_uri": LOGOUT_REDIRECT},
        {"post_logout_redirect_uri": LOGOUT_REDIRECT},
    ):
        out = await _logout(browser, base, params)
        assert out.status == 400 and "Location" not in out.headers, params
        assert "已拒绝跳转" in await out.text(), params
        assert await login.still_open(browser, base), params
