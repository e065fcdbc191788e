"""Header propagation rules: client headers to the subgraphs the rules name (renamed, defaulted), subgraph response
headers back to the client, the gateway's own headers never; over real loopback HTTP to two subgraphs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.header_rules import HeaderRulesError, load_header_rules, parse_header_rules
from gateway.settings import GatewayOptions
from schema.compose import SubgraphSource, compose
from schema.supergraph import load_supergraph
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi

RULES = """
[all]
request = [{ named = "Accept-Language" }]
response = [{ named = "Cache-Control" }]

[subgraphs.hotline]
request = [
  { named = "X-Tenant", rename = "X-Hotline-Tenant", default = "330100" },
  { matching = "^x-city-" },
]

[subgraphs.board]
response = [{ named = "X-Legacy-Latency", rename = "X-Board-Latency" }, { matching = "^x-board-" }]
"""


def _subgraph(field: str, response_headers: dict[str, str], seen: list[dict[str, str]]) -> web.Application:
    async def graphql(request: web.Request) -> web.Response:
        seen.append({k.lower(): v for k, v in request.headers.items()})
        return web.json_response({"data": {field: "ok"}}, headers=response_headers)

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    return app


@pytest.fixture(scope="module")
def subgraphs() -> Iterator[tuple[BackgroundServer, BackgroundServer, list[dict[str, str]], list[dict[str, str]]]]:
    hotline_seen: list[dict[str, str]] = []
    board_seen: list[dict[str, str]] = []
    hotline = serve_aiohttp(
        lambda: _subgraph("hotline", {"Cache-Control": "max-age=60", "Set-Cookie": "s=1"}, hotline_seen)
    )
    board = serve_aiohttp(
        lambda: _subgraph(
            "board",
            {"Cache-Control": "no-store", "X-Legacy-Latency": "12", "X-Board-Shard": "3", "X-Other": "no"},
            board_seen,
        )
    )
    yield hotline, board, hotline_seen, board_seen
    hotline.stop()
    board.stop()


def _supergraph(hotline: str, board: str) -> Any:
    result = compose(
        [
            SubgraphSource("hotline", f"{hotline}/graphql", "type Query { hotline: String }"),
            SubgraphSource("board", f"{board}/graphql", "type Query { board: String }"),
        ]
    )
    assert result.supergraph_sdl is not None, result.errors
    return load_supergraph(result.supergraph_sdl)


async def post(url: str, query: str, headers: dict[str, str]) -> tuple[Any, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url,
            data=io.BytesIO(orjson.dumps({"query": query})),
            headers={"content-type": "application/json", **headers},
        ) as resp,
    ):
        return resp.headers, orjson.loads(await resp.read())


async def test_rules_carry_client_headers_to_subgraphs_and_subgraph_headers_back(
    subgraphs: tuple[BackgroundServer, BackgroundServer, list[dict[str, str]], list[dict[str, str]]], tmp_path: Path
) -> None:
    hotline, board, hotline_seen, board_seen = subgraphs
    rules_file = tmp_path / "headers.toml"
    rules_file.write_text(RULES, encoding="utf-8")
    app = create_app(_supergraph(hotline.url, board.url), GatewayOptions(header_rules=load_header_rules(rules_file)))
    server = serve_asgi(lambda: app)
    try:
        headers, body = await post(
            f"{server.url}/graphql",
            "{ hotline board }",
            {"Accept-Language": "zh-CN", "X-City-District": "西湖区", "X-Unlisted": "secret"},
        )
        assert body == {"data": {"hotline": "ok", "board": "ok"}}
        to_hotline, to_board = hotline_seen[-1], board_seen[-1]
        assert to_hotline["accept-language"] == to_board["accept-language"] == "zh-CN"
        assert to_hotline["x-hotline-tenant"] == "330100"  # the default: the client sent no X-Tenant
        assert to_hotline["x-city-district"].encode("latin-1").decode() == "西湖区"
        assert "x-city-district" not in to_board and "x-unlisted" not in to_hotline
        assert to_hotline["authorization"].startswith("Bearer ")  # the gateway's internal token, not a client's
        # back to the client: both Cache-Control values (sorted), the board's renamed and matched headers
        assert headers["Cache-Control"] == "max-age=60, no-store"
        assert headers["X-Board-Latency"] == "12" and headers["X-Board-Shard"] == "3"
        assert "X-Other" not in headers and "Set-Cookie" not in headers

        await post(f"{server.url}/graphql", "{ hotline }", {"X-Tenant": "330106"})
        assert hotline_seen[-1]["x-hotline-tenant"] == "330106"
        assert "x-tenant" not in hotline_seen[-1]  # renamed, not copied
    finally:
        server.stop()


async def test_without_rules_nothing_is_propagated(
    subgraphs: tuple[BackgroundServer, BackgroundServer, list[dict[str, str]], list[dict[str, str]]],
) -> None:
    hotline, board, hotline_seen, _ = subgraphs
    app = create_app(_supergraph(hotline.url, board.url))
    server = serve_asgi(lambda: app)
    try:
        headers, _ = await post(f"{server.url}/graphql", "{ hotline }", {"Accept-Language": "zh-CN"})
        assert "accept-language" not in hotline_seen[-1]
        assert "Cache-Control" not in headers
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"all": {"request": [{"named": "Authorization"}]}}, "the gateway's own header"),
        ({"all": {"response": [{"named": "Set-Cookie"}]}}, "the gateway's own header"),
        ({"all": {"request": [{"matching": "^x-", "rename": "y"}]}}, "need `named`"),
        ({"all": {"request": [{"named": "a", "matching": "b"}]}}, "either `named` or `matching`"),
        ({"all": {"request": [{"matching": "("}]}}, "not a regular expression"),
        ({"all": {"request": [{"named": "bad name"}]}}, "must be a header name"),
        ({"everything": {}}, "unknown section"),
        ({"subgraphs": {"nowhere": {"request": []}}}, "no such subgraph"),
    ],
)
def test_rules_that_cannot_be_used_are_refused_with_where_and_why(config: dict[str, Any], message: str) -> None:
    with pytest.raises(HeaderRulesError, match=message):
        parse_header_rules(config, subgraphs=("hotline", "board"))


def test_a_rule_for_a_subgraph_the_supergraph_lacks_stops_the_app(
    subgraphs: tuple[BackgroundServer, BackgroundServer, list[dict[str, str]], list[dict[str, str]]],
) -> None:
    hotline, board, _, _ = subgraphs
    rules = parse_header_rules({"subgraphs": {"grid": {"request": [{"named": "x-tenant"}]}}})
    with pytest.raises(ValueError, match="does not have: grid"):
        create_app(_supergraph(hotline.url, board.url), GatewayOptions(header_rules=rules))
