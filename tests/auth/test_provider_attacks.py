"""Refusals: PKCE (missing, wrong, plain), unregistered redirect_uri (no redirect), login CSRF, brute force."""

from __future__ import annotations

import asyncio

import aiohttp

from auth.provider import Provider
from tests.auth.conftest import PASSWORD, authorize_url, csrf_of, exchange, log_in, pkce, query_of
from tests.support.servers import BackgroundServer

Served = tuple[BackgroundServer, Provider]


async def test_missing_or_wrong_verifier_is_refused(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    code, _ = await log_in(browser, base)
    status, error = await exchange(browser, base, code, None)
    assert status == 400 and error["error"] == "invalid_grant"
    code, _ = await log_in_fresh(browser, base)
    status, error = await exchange(browser, base, code, pkce()[0])
    assert status == 400 and error["error"] == "invalid_grant"
    assert "access_token" not in error


async def log_in_fresh(browser: aiohttp.ClientSession, base: str) -> tuple[str, str]:
    browser.cookie_jar.clear()
    return await log_in(browser, base)


async def test_plain_or_missing_challenge_is_refused(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    for url in (
        authorize_url(base, None),
        authorize_url(base, None, code_challenge="a" * 43, code_challenge_method="plain"),
        authorize_url(base, None, code_challenge="a" * 43),  # no method means plain
    ):
        async with browser.get(url, allow_redirects=False) as answer:
            assert answer.status == 302
            params = query_of(answer.headers["Location"])
        assert params["error"] == "invalid_request" and params["state"] == "st-123" and "code" not in params


async def test_unregistered_redirect_uri_gets_an_error_page_never_a_redirect(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    _, challenge = pkce()
    for uri in (
        "https://evil.example/cb",
        "http://127.0.0.1:9/portal/callback/../x",
        "http://127.0.0.1:9/portal/callbackx",
    ):
        async with browser.get(authorize_url(base, challenge, redirect_uri=uri), allow_redirects=False) as answer:
            assert answer.status == 400 and "Location" not in answer.headers
            assert "回调地址未登记" in await answer.text()
    async with browser.get(authorize_url(base, challenge, client_id="nobody"), allow_redirects=False) as answer:
        assert answer.status == 400 and "Location" not in answer.headers
    # Logout never redirects to an unregistered address either.
    async with browser.get(
        f"{base}/oauth/logout",
        params={"client_id": "minyi-portal", "post_logout_redirect_uri": "https://evil.example/"},
        allow_redirects=False,
    ) as answer:
        assert answer.status == 400 and "Location" not in answer.headers


async def test_login_without_the_sessions_csrf_token_is_refused(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    _, challenge = pkce()
    url = authorize_url(base, challenge)
    async with browser.get(url) as page:
        token = csrf_of(await page.text())
    for form in (
        {"username": "dispatcher", "password": PASSWORD},
        {"username": "dispatcher", "password": PASSWORD, "csrf_token": "forged"},
    ):
        async with browser.post(url, data=form, allow_redirects=False) as answer:
            assert answer.status == 403 and "Location" not in answer.headers
    # The right token from another browser (no session cookie) is refused too.
    async with (
        aiohttp.ClientSession() as attacker,
        attacker.post(
            url, data={"username": "dispatcher", "password": PASSWORD, "csrf_token": token}, allow_redirects=False
        ) as answer,
    ):
        assert answer.status == 403


async def _attempt(browser: aiohttp.ClientSession, base: str, username: str, password: str) -> int:
    _, challenge = pkce()
    url = authorize_url(base, challenge)
    async with browser.get(url) as page:
        token = csrf_of(await page.text())
    form = {"username": username, "password": password, "csrf_token": token}
    async with browser.post(url, data=form, allow_redirects=False) as answer:
        body = await answer.text()
        if answer.status == 429:
            assert "RATE_LIMITED" in body and password not in body
        return answer.status


async def test_brute_force_is_limited_per_account(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    statuses = [await _attempt(browser, base, "operator", f"guess-{n}") for n in range(5)]
    assert statuses == [401] * 5
    assert await _attempt(browser, base, "operator", "guess-6") == 429
    assert await _attempt(browser, base, "operator", PASSWORD) == 429, "even the right password, inside the window"
    assert await _attempt(browser, base, "leader", PASSWORD) == 302, "other accounts are not locked"


async def test_fifty_parallel_guesses_get_at_most_five_passwords_checked(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    base = served[0].url
    _, challenge = pkce()
    url = authorize_url(base, challenge)
    async with browser.get(url) as page:
        token = csrf_of(await page.text())

    async def guess(n: int) -> int:
        form = {"username": "operator", "password": f"guess-{n}", "csrf_token": token}
        async with browser.post(url, data=form, allow_redirects=False) as answer:
            return answer.status

    statuses = await asyncio.gather(*(guess(n) for n in range(50)))
    # 401 is a password checked and wrong; 429 is refused before the password was looked at.
    assert statuses.count(401) == 5 and statuses.count(429) == 45, statuses
    assert await _attempt(browser, base, "operator", PASSWORD) == 429


async def test_brute_force_is_limited_per_ip(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    for n in range(20):
        assert await _attempt(browser, base, f"nobody{n}", "x") == 401
    assert await _attempt(browser, base, "analyst", PASSWORD) == 429
