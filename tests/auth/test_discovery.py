"""Discovery of an external issuer: the document is checked by authlib's OpenID provider metadata, so an issuer
whose keys or endpoints would travel over plain HTTP off loopback is refused before any of its keys is trusted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth.discovery import discover, well_known_url
from auth.jwks import JwksUnavailable
from tests.support.servers import BackgroundServer, serve_asgi


class Documents:
    """Serves whatever discovery document a test sets, under the server's own URL as issuer."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}

    def app(self) -> Starlette:
        async def discovery(request: Request) -> JSONResponse:
            return JSONResponse(self.document)

        return Starlette(routes=[Route("/.well-known/openid-configuration", discovery)])


@pytest.fixture
def served() -> Iterator[tuple[Documents, BackgroundServer]]:
    documents = Documents()
    server = serve_asgi(documents.app)
    try:
        yield documents, server
    finally:
        server.stop()


def _document(base: str, **changes: str) -> dict[str, Any]:
    return {
        "issuer": base,
        "jwks_uri": f"{base}/jwks",
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        **changes,
    }


def test_the_well_known_url_of_an_issuer_with_or_without_a_slash() -> None:
    assert well_known_url("https://idp.example/realm/") == "https://idp.example/realm/.well-known/openid-configuration"
    assert well_known_url("https://idp.example") == "https://idp.example/.well-known/openid-configuration"


async def test_a_loopback_issuer_is_discovered(served: tuple[Documents, BackgroundServer]) -> None:
    documents, server = served
    documents.document = _document(server.url)
    async with aiohttp.ClientSession() as session:
        metadata = await discover(server.url + "/", session)
    assert metadata.issuer == server.url and metadata.jwks_uri == f"{server.url}/jwks"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("jwks_uri", "http://keys.example/jwks", "jwks_uri"),
        ("token_endpoint", "http://idp.example/token", "token_endpoint"),
        ("authorization_endpoint", "ftp://idp.example/authorize", "authorization_endpoint"),
    ],
)
async def test_plain_http_off_loopback_is_refused(
    served: tuple[Documents, BackgroundServer], field: str, value: str, named: str
) -> None:
    documents, server = served
    documents.document = _document(server.url, **{field: value})
    async with aiohttp.ClientSession() as session:
        with pytest.raises(JwksUnavailable) as refused:
            await discover(server.url, session)
    assert "is not valid" in str(refused.value) and named in str(refused.value)
