"""Asking a subgraph for its SDL over real loopback HTTP, and the message for each way it can fail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiohttp import web

from gateway.introspect import SubgraphFetchError, fetch_subgraph_sdl
from tests.gateway import recompose
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi


@pytest.fixture(scope="module")
def alpha() -> Iterator[BackgroundServer]:
    server = serve_asgi(recompose.alpha)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def odd() -> Iterator[BackgroundServer]:
    """/404 answers 404, /garbage a 200 that is not JSON, /plain a GraphQL server without ``_service``."""

    def make() -> web.Application:
        app = web.Application()

        async def missing(request: web.Request) -> web.Response:
            return web.Response(status=404, text="not found")

        async def garbage(request: web.Request) -> web.Response:
            return web.Response(text="<html>hello</html>", content_type="application/json")

        async def plain(request: web.Request) -> web.Response:
            return web.json_response({"errors": [{"message": "Cannot query field '_service' on type 'Query'."}]})

        app.router.add_post("/404", missing)
        app.router.add_post("/garbage", garbage)
        app.router.add_post("/plain", plain)
        return app

    server = serve_aiohttp(make)
    yield server
    server.stop()


async def test_a_subgraph_answers_its_sdl(alpha: BackgroundServer) -> None:
    assert await fetch_subgraph_sdl("alpha", f"{alpha.url}/graphql") == recompose.sdl("alpha")


async def test_an_unreachable_subgraph_is_named_with_its_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/graphql"
    with pytest.raises(SubgraphFetchError) as raised:
        await fetch_subgraph_sdl("mailbox", url)
    assert str(raised.value).startswith(f"cannot fetch the SDL of subgraph 'mailbox' from {url}: ")
    assert raised.value.subgraph == "mailbox" and raised.value.url == url


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/404", "HTTP 404"),
        ("/garbage", "the answer is not a JSON object"),
        ("/plain", "it answered a GraphQL error: Cannot query field '_service' on type 'Query'."),
    ],
)
async def test_an_answer_without_an_sdl_is_refused_with_the_reason(
    odd: BackgroundServer, path: str, reason: str
) -> None:
    with pytest.raises(SubgraphFetchError) as raised:
        await fetch_subgraph_sdl("odd", f"{odd.url}{path}")
    assert raised.value.reason == reason
