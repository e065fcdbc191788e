"""The four subgraphs of the public gateway benchmarks — accounts, products, inventory, reviews — in one process.

The same schema as graphql-hive/graphql-gateways-benchmark (itself Apollo's classic demo): users with reviews of
products, stock and a shipping estimate that ``@requires`` price and weight, and an author ``@provides`` username.
Each subgraph is a Strawberry federation schema on its own port (``--port`` and the next three, in the order of
:data:`NAMES`), with ``/graphql`` and ``/health``.

Every distinct request body is executed once and its answer kept (the data never changes), so after a warm-up a
subgraph answers from memory: what a benchmark through these subgraphs measures is the gateway in front of them.
``GET /_stats`` answers the requests served per subgraph since the last ``POST /_stats/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import orjson
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

NAMES = ("accounts", "products", "inventory", "reviews")
USERS = 12
PRODUCTS = 9
REVIEWS_PER_USER = 3

# the data: users u1..u12, products 1..9, reviews r1..r36 (three per user, products in turn)
_USERS = {f"u{n}": {"name": f"User {n}", "username": f"user{n}", "birthday": 1_980_000_000 + n} for n in range(1, 13)}
_PRODUCTS = {str(n): {"name": f"Product {n}", "price": 10 * n + 9, "weight": 100 + 7 * n} for n in range(1, 10)}
_REVIEWS = {
    f"r{(u - 1) * REVIEWS_PER_USER + k}": {
        "body": f"Review {k} of user {u}",
        "author": f"u{u}",
        "product": str((u + k) % PRODUCTS + 1),
    }
    for u in range(1, USERS + 1)
    for k in range(1, REVIEWS_PER_USER + 1)
}


# accounts -------------------------------------------------------------------------------------------------------
@strawberry.federation.type(name="User", keys=["id"])
class AccountsUser:
    id: strawberry.ID
    name: str | None
    username: str | None
    birthday: int | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> AccountsUser:
        return _account(str(id))


def _account(uid: str) -> AccountsUser:
    return AccountsUser(id=strawberry.ID(uid), **_USERS[uid])


@strawberry.type(name="Query")
class AccountsQuery:
    @strawberry.field
    def me(self) -> AccountsUser | None:
        return _account("u1")

    @strawberry.field
    def users(self) -> list[AccountsUser] | None:
        return [_account(uid) for uid in _USERS]

    @strawberry.field
    def user(self, id: strawberry.ID) -> AccountsUser | None:
        return _account(str(id)) if str(id) in _USERS else None


# products -------------------------------------------------------------------------------------------------------
@strawberry.federation.type(name="Product", keys=["upc"])
class ProductsProduct:
    upc: str
    name: str | None
    price: int | None
    weight: int | None

    @classmethod
    def resolve_reference(cls, upc: str) -> ProductsProduct:
        return _product(upc)


def _product(upc: str) -> ProductsProduct:
    return ProductsProduct(upc=upc, **_PRODUCTS[upc])


@strawberry.type(name="Query")
class ProductsQuery:
    @strawberry.field
    def top_products(self, first: int | None = 5) -> list[ProductsProduct] | None:
        return [_product(upc) for upc in list(_PRODUCTS)[: first or 5]]


# inventory ------------------------------------------------------------------------------------------------------
@strawberry.federation.type(name="Product", keys=["upc"])
class InventoryProduct:
    upc: str
    weight: int | None = strawberry.federation.field(external=True)
    price: int | None = strawberry.federation.field(external=True)

    @strawberry.field
    def in_stock(self) -> bool | None:
        return int(self.upc) % 3 != 0

    @strawberry.federation.field(requires=["price weight"])
    def shipping_estimate(self) -> int | None:
        if self.price is None or self.weight is None:
            return None
        return 0 if self.price > 1000 else self.weight // 2

    @classmethod
    def resolve_reference(cls, upc: str, price: int | None = None, weight: int | None = None) -> InventoryProduct:
        return InventoryProduct(upc=upc, price=price, weight=weight)


@strawberry.type(name="Query")
class InventoryQuery:
    @strawberry.field
    def inventory_ready(self) -> bool:
        return True


# reviews --------------------------------------------------------------------------------------------------------
@strawberry.federation.type(name="User", keys=["id"])
class ReviewsUser:
    id: strawberry.ID
    username: str | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def reviews(self) -> list[Review] | None:
        return [_review(rid) for rid, r in _REVIEWS.items() if r["author"] == str(self.id)]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> ReviewsUser:
        return ReviewsUser(id=id)


@strawberry.federation.type(name="Product", keys=["upc"])
class ReviewsProduct:
    upc: str

    @strawberry.field
    def reviews(self) -> list[Review] | None:
        return [_review(rid) for rid, r in _REVIEWS.items() if r["product"] == self.upc]

    @classmethod
    def resolve_reference(cls, upc: str) -> ReviewsProduct:
        return ReviewsProduct(upc=upc)


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    body: str | None
    author_id: strawberry.Private[str]
    product_upc: strawberry.Private[str]

    @strawberry.federation.field(provides=["username"])
    def author(self) -> ReviewsUser | None:
        return ReviewsUser(id=strawberry.ID(self.author_id), username=_USERS[self.author_id]["username"])  # type: ignore[arg-type]

    @strawberry.field
    def product(self) -> ReviewsProduct | None:
        return ReviewsProduct(upc=self.product_upc)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Review:
        return _review(str(id))


def _review(rid: str) -> Review:
    r = _REVIEWS[rid]
    return Review(id=strawberry.ID(rid), body=str(r["body"]), author_id=str(r["author"]), product_upc=str(r["product"]))


@strawberry.type(name="Query")
class ReviewsQuery:
    @strawberry.field
    def review(self, id: strawberry.ID) -> Review | None:
        return _review(str(id)) if str(id) in _REVIEWS else None


def _schema(query: type, types: list[type]) -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=query, types=types, federation_version="2.3")  # type: ignore[arg-type]


SCHEMAS: dict[str, strawberry.federation.Schema] = {
    "accounts": _schema(AccountsQuery, [AccountsUser]),
    "products": _schema(ProductsQuery, [ProductsProduct]),
    "inventory": _schema(InventoryQuery, [InventoryProduct]),
    "reviews": _schema(ReviewsQuery, [ReviewsUser, ReviewsProduct, Review]),
}


def sdl(name: str) -> str:
    return str(SCHEMAS[name].as_str())


def make_app(name: str, stats: dict[str, int]) -> Starlette:
    schema = SCHEMAS[name]
    answers: dict[bytes, bytes] = {}

    async def graphql(request: Request) -> Response:
        body = await request.body()
        stats[name] += 1
        answer = answers.get(body)
        if answer is None:
            params: dict[str, Any] = orjson.loads(body)
            result = await schema.execute(
                params["query"], variable_values=params.get("variables"), operation_name=params.get("operationName")
            )
            payload: dict[str, Any] = {"data": result.data}
            if result.errors:
                payload["errors"] = [e.formatted for e in result.errors]
            answer = orjson.dumps(payload)
            if len(answers) < 10_000:
                answers[body] = answer
        return Response(answer, media_type="application/json")

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "subgraph": name})

    async def read_stats(request: Request) -> Response:
        if request.method == "POST":
            for key in stats:
                stats[key] = 0
        return JSONResponse(stats)

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/health", health),
            Route("/_stats", read_stats, methods=["GET", "POST"]),
        ]
    )


async def serve(port: int) -> None:
    stats = dict.fromkeys(NAMES, 0)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                make_app(name, stats), host="127.0.0.1", port=port + i, log_level="warning", access_log=False
            )
        )
        for i, name in enumerate(NAMES)
    ]
    await asyncio.gather(*(server.serve() for server in servers))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=4950, help="accounts; products, inventory, reviews follow")
    parser.add_argument("--print-sdl", metavar="NAME", choices=NAMES, help="print one subgraph's SDL and exit")
    args = parser.parse_args()
    if args.print_sdl:
        print(sdl(args.print_sdl))
    else:
        asyncio.run(serve(args.port))
