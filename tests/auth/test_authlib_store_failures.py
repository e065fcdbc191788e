"""authlib's hooks run in a worker thread and reach the store on the event loop: when that store is a Redis that
never answers, the token, revocation and introspection endpoints answer 503 naming the store, like the login page."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import aiohttp
import pytest
from redis.asyncio import Redis

from auth.provider import Provider, create_provider_app
from auth.redis_client import open_redis
from auth.settings import AuthSettings
from auth.users import UserStore, demo_users
from tests.auth.conftest import PASSWORD, REDIRECT
from tests.support.servers import BackgroundServer, SilentServer, serve_asgi, serve_silent

GUARD = aiohttp.ClientTimeout(total=60)  # only so that a regression fails instead of hanging the run
SECRET = "s" * 32
SERVICE = {"Authorization": "Basic " + base64.b64encode(f"minyi-service:{SECRET}".encode()).decode()}


@pytest.fixture
def on_hung_redis() -> Iterator[tuple[BackgroundServer, SilentServer]]:
    hung = serve_silent()
    holder: list[Redis] = []

    def make() -> object:
        client = open_redis(hung.url(), timeout_s=0.2)
        holder.append(client)
        settings = AuthSettings(
            issuer="http://127.0.0.1:9", portal_redirect_uris=[REDIRECT], service_client_secret=SECRET
        )
        return create_provider_app(Provider(settings.options(), kv=client, users=UserStore(None, demo_users(PASSWORD))))

    server = serve_asgi(make)
    try:
        yield server, hung
    finally:
        server.call(holder[0].aclose())
        server.stop()
        hung.stop()


@pytest.mark.parametrize(
    ("path", "data", "headers"),
    [
        ("/oauth/token", {"grant_type": "refresh_token", "refresh_token": "r", "client_id": "minyi-portal"}, {}),
        ("/oauth/token", {"grant_type": "client_credentials"}, SERVICE),
        ("/oauth/revoke", {"token": "r", "client_id": "minyi-portal"}, {}),
        ("/oauth/introspect", {"token": "r"}, SERVICE),
    ],
)
async def test_a_hung_store_is_a_503_from_authlibs_endpoints(
    on_hung_redis: tuple[BackgroundServer, SilentServer], path: str, data: dict[str, str], headers: dict[str, str]
) -> None:
    server, hung = on_hung_redis
    async with (
        aiohttp.ClientSession(timeout=GUARD) as session,
        session.post(f"{server.url}{path}", data=data, headers=headers) as answer,
    ):
        status, body = answer.status, await answer.json(content_type=None)
    assert status == 503, body
    assert body == {
        "error": "temporarily_unavailable",
        "error_description": "the login service is unavailable: its store did not answer in time",
    }
    assert hung.connections >= 1
