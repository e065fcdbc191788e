"""The classic shop graph (accounts, products, inventory, reviews): keys, ``@requires`` computed from the
representation (``shippingEstimate`` from ``price`` and ``weight``) and ``@provides``. The data is plain, so that
what a subgraph answers depends only on what the gateway sent it: a wrong key or a wrong ``@requires`` input shows
in the answer instead of being papered over by a lookup."""

from __future__ import annotations

from typing import Any

from tests.support.federation import Resolvers

USERS: dict[str, dict[str, Any]] = {
    "1": {"id": "1", "username": "@ada", "name": "Ada Lovelace"},
    "2": {"id": "2", "username": "@alan", "name": "Alan Turing"},
}
PRODUCTS: dict[str, dict[str, Any]] = {
    "p1": {"upc": "p1", "name": "Table", "price": 899, "weight": 100, "inStock": True},
    "p2": {"upc": "p2", "name": "Couch", "price": 1299, "weight": 1000, "inStock": False},
    "p3": {"upc": "p3", "name": "Chair", "price": 54, "weight": 50, "inStock": True},
}
REVIEWS: dict[str, dict[str, Any]] = {
    "r1": {"id": "r1", "body": "Love it!", "author": "1", "product": "p1"},
    "r2": {"id": "r2", "body": "Too expensive.", "author": "1", "product": "p2"},
    "r3": {"id": "r3", "body": "Could be better.", "author": "2", "product": "p3"},
    "r4": {"id": "r4", "body": "Prefer something else.", "author": "2", "product": "p1"},
}


def shipping_estimate(price: int, weight: int) -> int:
    """Free for anything over 1000; otherwise half the weight (the subgraph and the tests share the rule)."""
    return 0 if price > 1000 else weight // 2


def _review(review_id: str) -> dict[str, Any]:
    review = REVIEWS[review_id]
    author = USERS[review["author"]]
    return {
        "id": review_id,
        "body": review["body"],
        "author": {"id": author["id"], "username": author["username"]},
        "product": {"upc": review["product"]},
    }


def _reviews_of(field: str, value: str) -> list[dict[str, Any]]:
    return [_review(review_id) for review_id, review in REVIEWS.items() if review[field] == value]


def _stock(rep: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    product = PRODUCTS.get(rep["upc"])
    if product is None:
        return None
    # price and weight come from the representation only: they are @external here
    return {"upc": rep["upc"], "inStock": product["inStock"], "price": rep.get("price"), "weight": rep.get("weight")}


def _estimate(product: dict[str, Any], _info: Any) -> int:
    return shipping_estimate(product["price"], product["weight"])


RESOLVERS: dict[str, Resolvers] = {
    "accounts": {
        "Query": {
            "me": lambda *_: USERS["1"],
            "user": lambda _r, _i, id: USERS.get(id),
            "users": lambda *_: list(USERS.values()),
        },
        "User": {"__resolve_reference": lambda rep, _i: USERS.get(rep["id"])},
    },
    "products": {
        "Query": {
            "topProducts": lambda _r, _i, first=5: list(PRODUCTS.values())[:first],
            "product": lambda _r, _i, upc: PRODUCTS.get(upc),
        },
        "Product": {"__resolve_reference": lambda rep, _i: PRODUCTS.get(rep["upc"])},
    },
    "inventory": {"Product": {"__resolve_reference": _stock, "shippingEstimate": _estimate}},
    "reviews": {
        "Review": {"__resolve_reference": lambda rep, _i: _review(rep["id"]) if rep["id"] in REVIEWS else None},
        "User": {
            "__resolve_reference": lambda rep, _i: {"id": rep["id"]} if rep["id"] in USERS else None,
            "reviews": lambda user, _i: _reviews_of("author", user["id"]),
        },
        "Product": {
            "__resolve_reference": lambda rep, _i: {"upc": rep["upc"]} if rep["upc"] in PRODUCTS else None,
            "reviews": lambda product, _i: _reviews_of("product", product["upc"]),
        },
    },
}
