"""A provider served over loopback on the real Redis (db 15), and a browser-like aiohttp client."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from redis.asyncio import Redis

from auth.provider import Provider, create_provider_app
from auth.settings import AuthSettings
from auth.users import UserStore, demo_users
from tests.conftest import REDIS_URL
from tests.support.servers import BackgroundServer, free_port, serve_asgi

REDIRECT = "http://127.0.0.1:9/portal/callback"
LOGOUT_REDIRECT = "http://127.0.0.1:9/portal/"
SERVICE_SECRET = "test-service-secret-0123456789"
PASSWORD = "correct horse"
_USERS = demo_users(PASSWORD)


def make_provider(port: int, redis: Redis) -> Provider:
    options = replace(
        AuthSettings(
            issuer=f"http://127.0.0.1:{port}",
            portal_redirect_uris=[REDIRECT],
            portal_logout_redirect_uris=[LOGOUT_REDIRECT],
            service_client_secret=SERVICE_SECRET,
        ).options(),
        login_max_per_ip=20,
    )
    return Provider(options, kv=redis, users=UserStore(None, _USERS))


@pytest.fixture
def served(redis: Redis) -> Iterator[tuple[BackgroundServer, Provider]]:
    """The provider app on loopback; its Redis client lives on the server's own event loop."""
    port = free_port()
    holder: list[tuple[Provider, Redis]] = []

    def make() -> object:
        client = Redis.from_url(REDIS_URL)
        provider = make_provider(port, client)
        holder.append((provider, client))
        return create_provider_app(provider)

    server = serve_asgi(make, port)
    provider, client = holder[0]
    try:
        yield server, provider
    finally:
        server.call(client.aclose())
        server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(base: str, challenge: str | None, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": "minyi-portal",
        "redirect_uri": REDIRECT,
        "scope": "openid profile appeals:read",
        "state": "st-123",
        "nonce": "n-456",
    }
    if challenge is not None:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    params |= extra
    return f"{base}/oauth/authorize?{urlencode(params)}"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the login page carries a CSRF token"
    return found.group(1)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def log_in(
    browser: aiohttp.ClientSession, base: str, username: str = "dispatcher", password: str = PASSWORD
) -> tuple[str, str]:
    """GET authorize → login form → POST credentials; returns (code, verifier)."""
    verifier, challenge = pkce()
    url = authorize_url(base, challenge)
    async with browser.get(url, allow_redirects=False) as page:
        assert page.status == 200
        html = await page.text()
    assert "用户名" in html and "密码" in html and "登录" in html
    form = {"username": username, "password": password, "csrf_token": csrf_of(html)}
    async with browser.post(url, data=form, allow_redirects=False) as answer:
        assert answer.status == 302, await answer.text()
        location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    params = query_of(location)
    assert params["state"] == "st-123"
    return params["code"], verifier


async def exchange(
    browser: aiohttp.ClientSession, base: str, code: str, verifier: str | None
) -> tuple[int, dict[str, object]]:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": "minyi-portal"}
    if verifier is not None:
        data["code_verifier"] = verifier
    async with browser.post(f"{base}/oauth/token", data=data) as response:
        return response.status, await response.json()


async def refresh(browser: aiohttp.ClientSession, base: str, token: str) -> tuple[int, dict[str, object]]:
    data = {"grant_type": "refresh_token", "refresh_token": token, "client_id": "minyi-portal"}
    async with browser.post(f"{base}/oauth/token", data=data) as response:
        return response.status, await response.json()
