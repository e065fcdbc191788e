"""A POST to /graphql is served straight from the subgraph's Starlette app, without its middleware and router, and
answered exactly as through them; GET, other paths and other methods still go through Starlette."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Router

from resolvers.persons import MemoryDirectory
from subgraphs.common.app import SubgraphStarlette, create_subgraph_app
from subgraphs.common.context import SubgraphContext
from tests.subgraphs.test_json_post import CLERK, Answer, body, schema, scope, served


def _app() -> Any:
    directory = MemoryDirectory()
    return create_subgraph_app(
        "tiny", schema, lambda: SubgraphContext(client=None, directory=directory, person_secret=b"s")
    )


async def _through_starlette(app: Any, request_scope: dict[str, Any], *chunks: bytes) -> Answer:
    return await served(partial(Starlette.__call__, app), request_scope, *chunks)


@pytest.fixture
def router_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    route = Router.__call__

    async def counted(self: Router, request_scope: Any, receive: Any, send: Any) -> None:
        calls.append(f"{request_scope.get('method')} {request_scope['path']}")
        await route(self, request_scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counted)
    return calls


REQUESTS = {
    "query": body(query="query($t: String!) { echo(text: $t) }", variables={"t": "你好"}),
    "principal": body(query="{ who }"),
    "failure": body(query="{ down crash }"),
    "invalid": body(query="{ nothing }"),
    "bad json": b"{not json",
    "mutation": body(query="mutation { touch }"),
}


@pytest.mark.parametrize("case", sorted(REQUESTS))
async def test_a_post_is_answered_as_through_starlette(case: str, router_calls: list[str]) -> None:
    app = _app()
    assert isinstance(app, SubgraphStarlette)
    request = REQUESTS[case]
    headers = [("idempotency-key", "k-1")]
    direct = await served(app, scope(headers=headers, principal=CLERK), request)
    assert router_calls == []
    routed = await _through_starlette(app, scope(headers=headers, principal=CLERK), request)
    assert router_calls == ["POST /graphql"]
    assert (direct.status, direct.headers, direct.body) == (routed.status, routed.headers, routed.body)


async def test_get_other_paths_and_other_methods_go_through_starlette(router_calls: list[str]) -> None:
    app = _app()
    get = scope(method="GET", content_type=None)
    get["query_string"] = b"query=%7B%20echo(text%3A%20%22a%22)%20%7D"
    answer = await served(app, get)
    assert answer.status == 200
    assert answer.json() == {"data": {"echo": "a"}}
    health = scope(method="GET", content_type=None)
    health["path"] = health["raw_path"] = "/health"
    assert (await served(app, health)).status == 200
    put = scope(method="PUT")
    assert (await served(app, put, b"{}")).status == 405
    assert router_calls == ["GET /graphql", "GET /health", "PUT /graphql"]
