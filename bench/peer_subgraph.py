"""A fast one-type subgraph for benchmarks: answers ``topProducts`` from memory with canned JSON.

It stands for a subgraph that costs almost nothing, so that what a benchmark measures is the gateway.
"""

from __future__ import annotations

import argparse

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SDL = """extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Product @key(fields: "upc") { upc: String! name: String price: Int }
type Query { topProducts: [Product] }
"""
PRODUCTS = [{"upc": f"p{i}", "name": f"Product {i}", "price": 100 + i, "__typename": "Product"} for i in range(5)]
ANSWER = orjson.dumps({"data": {"topProducts": PRODUCTS}})


async def graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())
    if "_service" in body.get("query", ""):
        return JSONResponse({"data": {"_service": {"sdl": SDL}}})
    return Response(ANSWER, media_type="application/json")


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)])

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=4901)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
