"""Four slow subgraphs in one process, for ``bench/parallel.py``: each waits ``--delay-ms`` before it answers.

Subgraph ``x`` (one of a, b, c, d) listens on ``--port`` + its index and executes real GraphQL (graphql-core) over::

    type Query { branchX: BranchX  _entities(representations: [_Any!]!): [_Entity]! }   # subgraph a also: items
    type BranchX { id: ID! label: String }
    type Item @key(fields: "id") { id: ID!  fieldX: String }                              # subgraph a: only id

so ``{ branchA {…} branchB {…} branchC {…} branchD {…} }`` reaches all four from the root, and
``{ items { fieldB fieldC fieldD } }`` is one fetch from ``a`` followed by three entity fetches. The delay is an
``asyncio.sleep`` before execution: concurrent requests overlap, so a subgraph is never the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import orjson
import uvicorn
from graphql import build_schema, execute_sync, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

NAMES = ("a", "b", "c", "d")
ITEMS = ("i1", "i2", "i3")


def _sdl(name: str) -> str:
    upper = name.upper()
    items = "items: [Item]" if name == "a" else ""
    field = "" if name == "a" else f"field{upper}: String"
    return f"""
scalar _Any
union _Entity = Item
type Query {{ branch{upper}: Branch{upper} {items} _entities(representations: [_Any!]!): [_Entity]! }}
type Branch{upper} {{ id: ID! label: String }}
type Item {{ id: ID! {field} }}
"""


def create_app(name: str, delay_s: float) -> Starlette:
    upper = name.upper()
    schema = build_schema(_sdl(name))

    def entities(info: Any, representations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"__typename": "Item", "id": r["id"], f"field{upper}": f"{name}-{r['id']}"} for r in representations]

    root = {
        f"branch{upper}": {"id": name, "label": f"branch {name}"},
        "items": [{"__typename": "Item", "id": i} for i in ITEMS],
        "_entities": entities,
    }

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        await asyncio.sleep(delay_s)
        result = execute_sync(schema, parse(body["query"]), root, variable_values=body.get("variables"))
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return Response(orjson.dumps(payload), media_type="application/json")

    async def health(request: Request) -> Response:
        return Response(b'{"status": "ok"}', media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)])


async def serve(port: int, delay_s: float) -> None:
    servers = [
        uvicorn.Server(uvicorn.Config(create_app(name, delay_s), host="127.0.0.1", port=port + i, log_level="warning"))
        for i, name in enumerate(NAMES)
    ]
    await asyncio.gather(*(server.serve() for server in servers))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=4911, help="port of subgraph a; b, c, d take the next three")
    parser.add_argument("--delay-ms", type=float, default=100)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.delay_ms / 1000))
