"""A new login in the same browser ends the login it replaces: after login, a second login with ``prompt=login``
and a logout, nothing of either login is left open — the first session's refresh and access tokens are refused
too (a verifier on the provider's loop stands for the gateway's)."""

from __future__ import annotations

import aiohttp
import pytest

from auth.errors import AuthError
from auth.principal import Principal
from auth.provider import Provider
from tests.auth.conftest import PASSWORD, authorize_url, csrf_of, exchange, log_in, pkce, query_of, refresh
from tests.support.servers import BackgroundServer


async def _log_in_anew(browser: aiohttp.ClientSession, base: str, username: str) -> tuple[str, str]:
    """authorize with ``prompt=login``: the login form again although the browser is logged in."""
    verifier, challenge = pkce()
    url = authorize_url(base, challenge, prompt="login")
    async with browser.get(url, allow_redirects=False) as page:
        assert page.status == 200, "prompt=login shows the login form"
        html = await page.text()
    form = {"username": username, "password": PASSWORD, "csrf_token": csrf_of(html)}
    async with browser.post(url, data=form, allow_redirects=False) as answer:
        assert answer.status == 302, await answer.text()
        return query_of(answer.headers["Location"])["code"], verifier


def _verify(server: BackgroundServer, provider: Provider, token: str) -> Principal | None:
    async def check() -> Principal | None:
        try:
            return await provider.verifier().verify(token)
        except AuthError:
            return None

    result = server.call(check())
    assert result is None or isinstance(result, Principal)
    return result


async def _tokens(browser: aiohttp.ClientSession, base: str, code: str, verifier: str) -> tuple[str, str]:
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    return str(tokens["access_token"]), str(tokens["refresh_token"])


@pytest.mark.parametrize("second_user", ["dispatcher", "handler"])
async def test_a_new_login_ends_the_previous_one_and_logout_leaves_nothing_open(
    served: tuple[BackgroundServer, Provider], browser: aiohttp.ClientSession, second_user: str
) -> None:
    server, provider = served
    base = server.url
    first_access, first_refresh = await _tokens(browser, base, *(await log_in(browser, base)))
    assert _verify(server, provider, first_access) is not None

    second_access, second_refresh = await _tokens(browser, base, *(await _log_in_anew(browser, base, second_user)))
    # The first login ended when the second succeeded: its refresh token and its access token are refused.
    status, error = await refresh(browser, base, first_refresh)
    assert status == 400 and error["error"] == "invalid_grant"
    assert _verify(server, provider, first_access) is None
    principal = _verify(server, provider, second_access)
    assert principal is not None and principal.subject == second_user

    async with browser.get(f"{base}/oauth/logout", allow_redirects=False) as out:
        assert out.status == 200
    for token in (first_refresh, second_refresh):
        status, error = await refresh(browser, base, token)
        assert status == 400 and error["error"] == "invalid_grant"
    assert _verify(server, provider, first_access) is None
    assert _verify(server, provider, second_access) is None


async def test_logout_on_an_unfinished_prompt_login_page_ends_the_login_beneath(
    served: tuple[BackgroundServer, Provider], browser: aiohttp.ClientSession
) -> None:
    server, provider = served
    base = server.url
    access, refresh_token = await _tokens(browser, base, *(await log_in(browser, base)))
    _, challenge = pkce()
    async with browser.get(authorize_url(base, challenge, prompt="login"), allow_redirects=False) as page:
        assert page.status == 200  # the login form, never submitted
    async with browser.get(f"{base}/oauth/logout", allow_redirects=False) as out:
        assert out.status == 200
    status, error = await refresh(browser, base, refresh_token)
    assert status == 400 and error["error"] == "invalid_grant"
    assert _verify(server, provider, access) is None
