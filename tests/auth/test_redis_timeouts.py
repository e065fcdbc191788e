"""A Redis that accepts connections and never answers: logins and token checks fail with a clear error, in the
time the client allows, instead of hanging. The hung server counts its connections: one try, no retry loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from redis.asyncio import Redis
from redis.exceptions import TimeoutError as RedisTimeout

from auth.errors import Unauthenticated
from auth.principal import Principal, Role
from auth.provider import Provider, create_provider_app
from auth.redis_client import open_redis
from auth.settings import AuthSettings
from auth.store import MemoryStore
from auth.users import UserStore, demo_users
from tests.auth.conftest import PASSWORD, REDIRECT, authorize_url, pkce
from tests.support.servers import SilentServer, serve_asgi, serve_silent

GUARD = aiohttp.ClientTimeout(total=60)  # only so that a regression fails instead of hanging the run


@pytest.fixture
def hung() -> Iterator[SilentServer]:
    server = serve_silent()
    yield server
    server.stop()


@pytest.fixture
async def hung_client(hung: SilentServer) -> AsyncIterator[Redis]:
    client = open_redis(hung.url(), timeout_s=0.2)
    yield client
    await client.aclose()


def options(issuer: str = "http://127.0.0.1:9") -> AuthSettings:
    return AuthSettings(issuer=issuer, portal_redirect_uris=[REDIRECT], service_client_secret="s" * 32)


async def test_a_command_to_a_hung_redis_raises_a_timeout_after_one_try(hung: SilentServer, hung_client: Redis) -> None:
    with pytest.raises(RedisTimeout):
        await hung_client.get("anything")
    assert hung.connections == 1


async def test_a_login_page_on_a_hung_redis_answers_503_naming_the_store(hung: SilentServer) -> None:
    holder: list[Redis] = []

    def make() -> object:
        client = open_redis(hung.url(), timeout_s=0.2)
        holder.append(client)
        return create_provider_app(
            Provider(options().options(), kv=client, users=UserStore(None, demo_users(PASSWORD)))
        )

    server = serve_asgi(make)
    try:
        _, challenge = pkce()
        async with (
            aiohttp.ClientSession(timeout=GUARD) as browser,
            browser.get(authorize_url(server.url, challenge)) as page,
        ):
            status, body = page.status, await page.json(content_type=None)
    finally:
        server.call(holder[0].aclose())
        server.stop()
    assert status == 503
    assert body == {
        "error": "temporarily_unavailable",
        "error_description": "the login service is unavailable: its store did not answer in time",
    }
    assert hung.connections == 1


async def test_a_token_check_on_a_hung_redis_refuses_the_token(hung_client: Redis) -> None:
    minted_by = Provider(options().options(), kv=MemoryStore())
    token = await minted_by.mint_access_token(Principal(subject="dispatcher", roles=frozenset({Role.DISPATCHER})))
    checking = Provider(options().options(), kv=hung_client)
    with pytest.raises(Unauthenticated):
        await checking.verifier().verify(token)


def test_the_timeout_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINYI_AUTH_REDIS_TIMEOUT_S", "0.5")
    assert AuthSettings.model_validate({}).redis_timeout_s == 0.5
    with pytest.raises(ValueError, match="positive"):
        open_redis("redis://127.0.0.1:1/0", timeout_s=0)


async def test_the_gateways_provider_uses_the_time_limited_client(
    hung: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minyi.cli import _embedded_provider

    monkeypatch.setenv("MINYI_REDIS_URL", hung.url())
    monkeypatch.setenv("MINYI_AUTH_REDIS_TIMEOUT_S", "0.2")
    provider, closers = _embedded_provider("127.0.0.1", 4000)
    try:
        with pytest.raises(RedisTimeout):
            await provider.kv.get("anything")
    finally:
        for close in closers:
            await close()
    assert hung.connections == 1
