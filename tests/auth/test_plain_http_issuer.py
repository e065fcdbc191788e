"""authlib refuses plain HTTP off loopback. A provider whose public URL is plain HTTP on a LAN address answers
``insecure_transport`` (never a crash) outside dev mode, and works in dev mode (a demo reached over the LAN)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace

import aiohttp
import pytest

from auth.provider import Provider, create_provider_app
from auth.settings import AuthSettings
from auth.store import MemoryStore
from auth.users import UserStore, demo_users
from tests.auth.conftest import PASSWORD, REDIRECT, authorize_url, pkce
from tests.support.servers import BackgroundServer, serve_asgi

SECRET = "s" * 32
SERVICE = {"Authorization": "Basic " + base64.b64encode(f"minyi-service:{SECRET}".encode()).decode()}


def _serve(dev: bool) -> BackgroundServer:
    def make() -> object:
        settings = AuthSettings(
            issuer="http://10.1.2.3:4000", portal_redirect_uris=[REDIRECT], service_client_secret=SECRET
        )
        options = replace(settings.options(), dev=dev)
        return create_provider_app(Provider(options, kv=MemoryStore(), users=UserStore(None, demo_users(PASSWORD))))

    return serve_asgi(make)


@pytest.fixture(params=[False, True], ids=["production", "dev"])
def lan(request: pytest.FixtureRequest) -> Iterator[tuple[BackgroundServer, bool]]:
    server = _serve(bool(request.param))
    try:
        yield server, bool(request.param)
    finally:
        server.stop()


async def test_plain_http_off_loopback_is_refused_clearly_outside_dev_mode(lan: tuple[BackgroundServer, bool]) -> None:
    server, dev = lan
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{server.url}/oauth/token", data={"grant_type": "client_credentials"}, headers=SERVICE
        ) as answer:
            status, body = answer.status, await answer.json()
        async with session.get(authorize_url(server.url, pkce()[1]), allow_redirects=False) as page:
            page_status, html = page.status, await page.text()
    if dev:
        assert status == 200 and body["token_type"] == "Bearer"
        assert page_status == 200 and "登录" in html
    else:
        assert status == 400 and body["error"] == "insecure_transport"
        assert page_status == 400 and "insecure_transport" in html
