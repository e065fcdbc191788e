"""The HTTP fetcher over real loopback HTTP: what it sends, and how every kind of failure comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest
import uvicorn
from aiohttp import web

from gateway.executor import SubgraphRequest
from gateway.executor.http_fetcher import IDLE_CONNECTION_S, HttpFetcher
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

seen: list[dict[str, Any]] = []


async def graphql(request: web.Request) -> web.Response:
    body = await request.json()
    peer = request.transport.get_extra_info("peername") if request.transport else None
    seen.append({"body": body, "headers": request.headers.copy(), "peer": peer})
    return web.json_response({"data": {"echo": body.get("variables")}})


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(1)
    return web.json_response({"data": {}})


async def html(request: web.Request) -> web.Response:
    return web.Response(text="<html>maintenance</html>", content_type="text/html")


async def error_500_graphql(request: web.Request) -> web.Response:
    return web.json_response({"errors": [{"message": "resolver crashed"}]}, status=500)


async def error_502_html(request: web.Request) -> web.Response:
    return web.Response(text="<html>bad gateway</html>", status=502, content_type="text/html")


async def not_graphql(request: web.Request) -> web.Response:
    return web.json_response({"hello": "world"})


BIG = orjson.dumps({"data": {"text": "x" * 4096}})


async def big(request: web.Request) -> web.Response:
    return web.Response(body=BIG, content_type="application/json")  # announces its Content-Length


async def big_chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()  # no Content-Length: the size is only found while reading
    await response.prepare(request)
    for start in range(0, len(BIG), 512):
        await response.write(BIG[start : start + 512])
    await response.write_eof()
    return response


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/graphql", graphql)
    app.router.add_post("/slow", slow)
    app.router.add_post("/html", html)
    app.router.add_post("/error500", error_500_graphql)
    app.router.add_post("/error502", error_502_html)
    app.router.add_post("/notgraphql", not_graphql)
    app.router.add_post("/big", big)
    app.router.add_post("/bigchunked", big_chunked)
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    running = serve_aiohttp(make_app)
    yield running
    running.stop()


@pytest.fixture
async def fetcher(server: BackgroundServer) -> AsyncIterator[HttpFetcher]:
    names = ["graphql", "slow", "html", "error500", "error502", "notgraphql"]
    urls = {name: f"{server.url}/{name}" for name in names}
    urls["down"] = f"http://127.0.0.1:{free_port()}/graphql"
    seen.clear()
    async with HttpFetcher(urls, timeout_s={"slow": 0.1}, headers={"X-Request-Id": "r1"}) as fetcher:
        yield fetcher


async def test_posts_the_request_as_json_and_returns_data(fetcher: HttpFetcher) -> None:
    request = SubgraphRequest("query Q($n: Int) { echo(n: $n) }", {"n": 1}, "Q")
    response = await fetcher.fetch("graphql", request)
    assert response.failure is None
    assert response.data == {"echo": {"n": 1}}
    [received] = seen
    assert received["body"] == {"query": request.query, "variables": {"n": 1}, "operationName": "Q"}
    headers = received["headers"]
    assert headers["Accept"] == "application/graphql-response+json, application/json"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Request-Id"] == "r1"


async def test_requests_reuse_one_keep_alive_connection(fetcher: HttpFetcher) -> None:
    for _ in range(3):
        await fetcher.fetch("graphql", SubgraphRequest("{ a }"))
    assert len({str(r["peer"]) for r in seen}) == 1


async def test_connection_refused_is_an_unavailable_subgraph(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("down", SubgraphRequest("{ a }"))
    assert response.failure == "cannot connect"
    assert response.failure_code == "SUBGRAPH_UNAVAILABLE"


async def test_a_subgraph_slower_than_its_timeout_is_a_failure(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("slow", SubgraphRequest("{ a }"))
    assert response.failure == "no answer within 0.1 s"
    assert response.failure_code == "SUBGRAPH_UNAVAILABLE"


async def test_an_answer_that_is_not_json_is_a_failure(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("html", SubgraphRequest("{ a }"))
    assert response.failure == "the answer is not JSON"
    assert response.data is None


async def test_json_that_is_not_a_graphql_response_is_a_failure(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("notgraphql", SubgraphRequest("{ a }"))
    assert response.failure == "the answer is not a GraphQL response"


async def test_an_error_status_with_a_graphql_body_returns_its_errors(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("error500", SubgraphRequest("{ a }"))
    assert response.failure is None
    assert response.data is None
    assert response.errors == ({"message": "resolver crashed"},)


async def test_an_error_status_without_a_graphql_body_is_a_failure(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("error502", SubgraphRequest("{ a }"))
    assert response.failure == "HTTP 502"


async def test_an_unknown_subgraph_is_a_failure_not_an_exception(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("nowhere", SubgraphRequest("{ a }"))
    assert response.failure == "no URL is configured for it"


async def test_variables_that_cannot_be_json_are_a_failure(fetcher: HttpFetcher) -> None:
    response = await fetcher.fetch("graphql", SubgraphRequest("{ a }", {"x": object()}))
    assert response.failure is not None
    assert orjson.dumps(seen) == b"[]"


async def test_an_idle_connection_is_let_go_before_a_subgraph_server_would_close_it() -> None:
    # uvicorn, which serves the subgraphs, closes an idle keep-alive connection after timeout_keep_alive seconds; a
    # request sent on a connection the server has just closed fails with no answer, so the pool lets go first.
    served_keep_alive = uvicorn.Config(app=lambda *_: None).timeout_keep_alive
    fetcher = HttpFetcher({"echo": "http://127.0.0.1:9/graphql"})
    try:
        connector = fetcher._client().connector
        assert connector is not None
        assert connector._keepalive_timeout == IDLE_CONNECTION_S < served_keep_alive
    finally:
        await fetcher.close()


@pytest.mark.parametrize("name", ["big", "bigchunked"])
async def test_an_answer_larger_than_the_limit_is_a_failure_saying_so(server: BackgroundServer, name: str) -> None:
    async with HttpFetcher({name: f"{server.url}/{name}"}, max_response_bytes=4000) as capped:
        response = await capped.fetch(name, SubgraphRequest("{ a }"))
    assert response.data is None
    assert response.failure == "its answer is larger than the limit of 4000 bytes"
    assert response.failure_code == "SUBGRAPH_UNAVAILABLE"


@pytest.mark.parametrize("name", ["big", "bigchunked"])
async def test_an_answer_within_the_limit_is_read_whole(server: BackgroundServer, name: str) -> None:
    async with HttpFetcher({name: f"{server.url}/{name}"}, max_response_bytes=len(BIG)) as capped:
        response = await capped.fetch(name, SubgraphRequest("{ a }"))
    assert response.failure is None and response.data == {"text": "x" * 4096}
