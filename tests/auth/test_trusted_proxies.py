"""The per-IP login limit behind reverse proxies: X-Forwarded-For names the client only when the socket peer is a
trusted proxy (MINYI_AUTH_TRUSTED_PROXIES); from anyone else it is ignored, so spoofing it buys no fresh budget."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import aiohttp
import pytest
from redis.asyncio import Redis

from auth.provider import Provider, create_provider_app
from auth.proxies import TrustedProxies
from auth.settings import AuthSettings
from tests.auth.conftest import authorize_url, csrf_of, make_provider, pkce
from tests.conftest import REDIS_URL
from tests.support.servers import BackgroundServer, free_port, serve_asgi


def test_client_ip_is_the_right_most_untrusted_forwarded_address() -> None:
    none = TrustedProxies()
    assert none.client_ip("10.0.0.2", ["6.6.6.6"]) == "10.0.0.2"  # no trusted proxies: the peer, always
    proxies = TrustedProxies(["10.0.0.0/8", "::1"])
    assert proxies.client_ip("192.0.2.9", ["6.6.6.6"]) == "192.0.2.9"  # untrusted peer: header ignored
    assert proxies.client_ip("10.0.0.2", ["203.0.113.5"]) == "203.0.113.5"
    assert proxies.client_ip("10.0.0.2", ["6.6.6.6, 203.0.113.5, 10.1.1.1"]) == "203.0.113.5"
    assert proxies.client_ip("::1", ["6.6.6.6", "203.0.113.5"]) == "203.0.113.5"  # several headers, in order
    assert proxies.client_ip("10.0.0.2", []) == "10.0.0.2"  # a trusted peer without the header
    assert proxies.client_ip("10.0.0.2", ["10.0.0.7, 10.0.0.8"]) == "10.0.0.7"  # all hops trusted: the left-most
    assert proxies.client_ip("10.0.0.2", ["203.0.113.5, garbage"]) == "10.0.0.2"  # malformed: stop at the proxy
    assert proxies.client_ip(None, ["6.6.6.6"]) == "unknown"
    with pytest.raises(ValueError):
        TrustedProxies(["not-an-ip"])


def test_the_setting_reads_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINYI_AUTH_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    assert AuthSettings().options().trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    monkeypatch.delenv("MINYI_AUTH_TRUSTED_PROXIES")
    assert AuthSettings().options().trusted_proxies == ()


def _serve(trusted: tuple[str, ...]) -> Iterator[BackgroundServer]:
    port = free_port()
    clients: list[Redis] = []

    def make() -> object:
        client = Redis.from_url(REDIS_URL)
        clients.append(client)
        base = make_provider(port, client)
        options = replace(base.options, login_max_per_ip=2, login_max_per_account=50, trusted_proxies=trusted)
        return create_provider_app(Provider(options, kv=client, users=base.users))

    server = serve_asgi(make, port)
    try:
        yield server
    finally:
        server.call(clients[0].aclose())
        server.stop()


@pytest.fixture
def untrusted(redis: Redis) -> Iterator[BackgroundServer]:
    yield from _serve(())


@pytest.fixture
def behind_proxy(redis: Redis) -> Iterator[BackgroundServer]:
    yield from _serve(("127.0.0.1",))  # the test client's loopback address stands for the proxy


async def _attempt(base: str, username: str, forwarded_for: str) -> int:
    """One wrong-password login with this X-Forwarded-For; the HTTP status (401 wrong, 429 rate limited)."""
    _, challenge = pkce()
    url = authorize_url(base, challenge)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(url, allow_redirects=False) as page:
            csrf = csrf_of(await page.text())
        form = {"username": username, "password": "wrong", "csrf_token": csrf}
        async with browser.post(url, data=form, headers={"X-Forwarded-For": forwarded_for}) as answer:
            return answer.status


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(untrusted: BackgroundServer) -> None:
    base = untrusted.url
    assert await _attempt(base, "a1", "198.51.100.1") == 401
    assert await _attempt(base, "a2", "198.51.100.2") == 401
    # Every attempt counted against the socket peer: a fresh spoofed address does not help.
    assert await _attempt(base, "a3", "198.51.100.3") == 429


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(behind_proxy: BackgroundServer) -> None:
    base = behind_proxy.url
    assert await _attempt(base, "b1", "203.0.113.5") == 401
    assert await _attempt(base, "b2", "203.0.113.5") == 401
    assert await _attempt(base, "b3", "203.0.113.5") == 429  # this client is limited…
    assert await _attempt(base, "b4", "203.0.113.6") == 401  # …another behind the same proxy is not
    # A client prepending a forged address is still counted as itself (the right-most untrusted hop).
    assert await _attempt(base, "b5", "203.0.113.6, 203.0.113.5") == 429
