"""A BatchFetch: entity fetches to one subgraph sent as one request, each part answered as its own fetch would be."""

from __future__ import annotations

import copy
from typing import Any

from gateway.executor import ExecutionResult, SubgraphRequest, SubgraphResponse
from gateway.planner.plan import BatchFetch, Fetch, Flatten, Parallel, Sequence
from tests.executor.test_execution import KEY_UPC, run

QUERY = "{ users { id reviews { id product { upc name } } } topProducts { upc name } }"
ROOT = Fetch("reviews", "{ users { id reviews { id product { __typename upc } } } topProducts { __typename upc } }")
BODY = "{ ... on Product { name } }"
PRODUCTS = Flatten(
    ("users", "@", "reviews", "@", "product"),
    Fetch(
        "products",
        f"query($representations: [_Any!]!) {{ _entities(representations: $representations) {BODY} }}",
        requires=KEY_UPC,
        id=1,
    ),
)
TOP = Flatten(
    ("topProducts", "@"),
    Fetch(
        "products",
        f"query($representations: [_Any!]!) {{ _entities(representations: $representations) {BODY} }}",
        requires=KEY_UPC,
        id=2,
    ),
)
BATCH = BatchFetch(
    "products",
    "query($r0: [_Any!]!, $r1: [_Any!]!) { "
    f"_0: _entities(representations: $r0) {BODY} _1: _entities(representations: $r1) {BODY} }}",
    parts=(PRODUCTS, TOP),
    representations=("r0", "r1"),
    fields=(0, 1),
    id=1,
)
BATCHED = Sequence((ROOT, BATCH))
APART = Sequence((ROOT, Parallel((PRODUCTS, TOP))))

NAMES = {"p1": "Table", "p2": "Chair", "p3": "Lamp"}


def root_data(users: bool = True, top: bool = True) -> dict[str, Any]:
    product = {"__typename": "Product"}
    return {
        "users": [
            {"id": "u1", "reviews": [{"id": "r1", "product": {**product, "upc": "p1"}}]},
            {
                "id": "u2",
                "reviews": [
                    {"id": "r2", "product": {**product, "upc": "p2"}},
                    {"id": "r3", "product": {**product, "upc": "p1"}},
                ],
            },
        ]
        if users
        else [],
        "topProducts": [{**product, "upc": "p3"}, {**product, "upc": "p1"}] if top else [],
    }


def reviews(users: bool = True, top: bool = True) -> Any:
    return lambda request: {"data": copy.deepcopy(root_data(users, top))}


def products(request: SubgraphRequest) -> dict[str, Any]:
    """Answers a batch (``_0``, ``_1`` from ``$r0``, ``$r1``) and a single entity fetch alike."""
    if "representations" in request.variables:
        return {"data": {"_entities": [{"name": NAMES[r["upc"]]} for r in request.variables["representations"]]}}
    return {
        "data": {
            f"_{index}": [{"name": NAMES[r["upc"]]} for r in request.variables[name]]
            for index, name in enumerate(("r0", "r1"))
        }
    }


EXPECTED = {
    "users": [
        {"id": "u1", "reviews": [{"id": "r1", "product": {"upc": "p1", "name": "Table"}}]},
        {
            "id": "u2",
            "reviews": [
                {"id": "r2", "product": {"upc": "p2", "name": "Chair"}},
                {"id": "r3", "product": {"upc": "p1", "name": "Table"}},
            ],
        },
    ],
    "topProducts": [{"upc": "p3", "name": "Lamp"}, {"upc": "p1", "name": "Table"}],
}


async def test_a_batch_answers_as_its_parts_did_apart_with_one_request() -> None:
    batched, batched_fetcher = await run(QUERY, BATCHED, {"reviews": reviews(), "products": products})
    apart, apart_fetcher = await run(QUERY, APART, {"reviews": reviews(), "products": products})
    assert batched == apart == ExecutionResult(EXPECTED, [])
    assert len(apart_fetcher.sent_to("products")) == 2
    (request,) = batched_fetcher.sent_to("products")
    assert request.query == BATCH.operation
    # each part's representations, deduplicated within the part (p1 twice under users)
    assert request.variables == {
        "r0": [{"__typename": "Product", "upc": "p1"}, {"__typename": "Product", "upc": "p2"}],
        "r1": [{"__typename": "Product", "upc": "p3"}, {"__typename": "Product", "upc": "p1"}],
    }


async def test_a_batch_whose_parts_have_nothing_to_fetch_sends_no_request() -> None:
    result, fetcher = await run(QUERY, BATCHED, {"reviews": reviews(users=False, top=False), "products": products})
    assert result == ExecutionResult({"users": [], "topProducts": []}, [])
    assert fetcher.sent_to("products") == []


async def test_a_part_with_nothing_to_fetch_is_sent_an_empty_list() -> None:
    result, fetcher = await run(QUERY, BATCHED, {"reviews": reviews(users=False), "products": products})
    assert result == ExecutionResult({"users": [], "topProducts": EXPECTED["topProducts"]}, [])
    (request,) = fetcher.sent_to("products")
    assert request.variables["r0"] == []


def partly_failing(request: SubgraphRequest) -> dict[str, Any]:
    return {
        "data": {"_0": [{"name": "Table"}, None], "_1": [{"name": "Lamp"}, {"name": "Table"}]},
        "errors": [{"message": "no such product", "path": ["_0", 1, "name"]}],
    }


async def test_an_error_in_one_part_lands_at_that_parts_client_paths() -> None:
    result, _ = await run(QUERY, BATCHED, {"reviews": reviews(), "products": partly_failing})
    assert result.data is not None
    assert result.data["topProducts"] == EXPECTED["topProducts"]
    assert result.data["users"][0] == EXPECTED["users"][0]
    assert result.data["users"][1]["reviews"][0]["product"] is None  # name is non-null: the product goes
    assert [(error["message"], error["path"]) for error in result.errors] == [
        ("no such product", ["users", 1, "reviews", 0, "product", "name"])
    ]


async def test_an_error_naming_no_part_stands_at_each_parts_path() -> None:
    def answer(request: SubgraphRequest) -> dict[str, Any]:
        return {**products(request), "errors": [{"message": "slow down"}]}

    result, _ = await run(QUERY, BATCHED, {"reviews": reviews(), "products": answer})
    assert result.data == EXPECTED
    assert [(error["message"], error["path"]) for error in result.errors] == [
        ("slow down", ["users"]),
        ("slow down", ["topProducts"]),
    ]


async def test_a_part_answered_wrongly_costs_only_its_own_fields() -> None:
    def answer(request: SubgraphRequest) -> dict[str, Any]:
        return {"data": {"_0": [{"name": "Table"}], "_1": [{"name": "Lamp"}, {"name": "Table"}]}}

    result, _ = await run(QUERY, BATCHED, {"reviews": reviews(), "products": answer})
    assert result.data is not None
    assert result.data["topProducts"] == EXPECTED["topProducts"]
    assert [error["message"] for error in result.errors] == [
        'subgraph "products" returned an invalid response: 1 entities for 2 representations'
    ]
    assert all(review["product"] is None for user in result.data["users"] for review in user["reviews"])


async def test_a_failed_batch_is_one_error_and_leaves_every_parts_fields_null() -> None:
    def down(request: SubgraphRequest) -> SubgraphResponse:
        return SubgraphResponse(failure="connection refused")

    result, fetcher = await run(QUERY, BATCHED, {"reviews": reviews(), "products": down})
    assert len(fetcher.sent_to("products")) == 1
    assert len(result.errors) == 1
    assert result.errors[0]["extensions"]["service"] == "products"
    assert result.data is not None
    assert all(product is None for product in result.data["topProducts"])


PRODUCTS_AGAIN = Flatten(("topProducts", "@"), PRODUCTS.node)  # the same fetch at the other path
SHARED = BatchFetch(
    "products",
    f"query($r0: [_Any!]!) {{ _0: _entities(representations: $r0) {BODY} }}",
    parts=(PRODUCTS, PRODUCTS_AGAIN),
    representations=("r0",),
    fields=(0, 0),
    id=1,
)


def shared_products(request: SubgraphRequest) -> dict[str, Any]:
    return {"data": {"_0": [{"name": NAMES[r["upc"]]} for r in request.variables["r0"]]}}


async def test_parts_asking_the_same_share_one_field_and_each_entity_is_sent_once() -> None:
    result, fetcher = await run(QUERY, Sequence((ROOT, SHARED)), {"reviews": reviews(), "products": shared_products})
    assert result == ExecutionResult(EXPECTED, [])
    (request,) = fetcher.sent_to("products")
    # p1 is under users twice and in topProducts once: one representation for all three
    assert request.variables == {
        "r0": [
            {"__typename": "Product", "upc": "p1"},
            {"__typename": "Product", "upc": "p2"},
            {"__typename": "Product", "upc": "p3"},
        ]
    }


async def test_an_error_on_a_shared_entity_lands_at_every_path_that_asked_for_it() -> None:
    def answer(request: SubgraphRequest) -> dict[str, Any]:
        return {
            "data": {"_0": [None, {"name": "Chair"}, {"name": "Lamp"}]},
            "errors": [{"message": "no such product", "path": ["_0", 0, "name"]}],
        }

    result, _ = await run(QUERY, Sequence((ROOT, SHARED)), {"reviews": reviews(), "products": answer})
    assert sorted(tuple(error["path"]) for error in result.errors) == [
        ("topProducts", 1, "name"),
        ("users", 0, "reviews", 0, "product", "name"),
        ("users", 1, "reviews", 1, "product", "name"),
    ]
