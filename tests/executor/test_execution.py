"""Executing hand-built query plans against fake subgraphs: fetch semantics, entity batching, errors, partial data."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from typing import Any

from graphql import parse

from gateway.executor import ExecutionResult, SubgraphRequest, SubgraphResponse, execute_plan
from gateway.planner.plan import (
    Condition,
    Fetch,
    Flatten,
    KeyRename,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiresField,
    RequiresFragment,
    Sequence,
    TypenameRewrite,
)
from tests.executor.fakes import ApiSchemaOnly, FakeFetcher, Handler

SDL = """
type Query {
  users: [User!]!
  me: User
  topProducts(first: Int): [Product]
  product(upc: ID!): Product
}
type User { id: ID! name: String username: String reviews: [Review!] }
type Review { id: ID! body: String product: Product author: User }
type Product { upc: ID! name: String! price: Int shippingEstimate: Int }
"""

SUPERGRAPH = ApiSchemaOnly.from_sdl(SDL)

KEY_UPC = (RequiresField("__typename"), RequiresField("upc"))
KEY_ID = (RequiresField("__typename"), RequiresField("id"))


async def run(
    query: str,
    node: PlanNode | None,
    handlers: Mapping[str, Handler],
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
) -> tuple[ExecutionResult, FakeFetcher]:
    fetcher = FakeFetcher(handlers)
    result = await execute_plan(
        QueryPlan(node),
        supergraph=SUPERGRAPH,
        document=parse(query),
        operation_name=operation_name,
        variables=variables or {},
        fetcher=fetcher,
    )
    return result, fetcher


def product_entities(names: Mapping[str, str]) -> Handler:
    def answer(request: SubgraphRequest) -> dict[str, Any]:
        representations = request.variables["representations"]
        return {"data": {"_entities": [{"name": names[r["upc"]]} for r in representations]}}

    return answer


REVIEWS_DATA = {
    "users": [
        {"id": "u1", "reviews": [{"id": "r1", "product": {"__typename": "Product", "upc": "p1"}}]},
        {
            "id": "u2",
            "reviews": [
                {"id": "r2", "product": {"__typename": "Product", "upc": "p2"}},
                {"id": "r3", "product": {"__typename": "Product", "upc": "p1"}},
            ],
        },
    ]
}


def reviews_subgraph(request: SubgraphRequest) -> dict[str, Any]:
    return {"data": copy.deepcopy(REVIEWS_DATA)}  # the executor merges into what it gets, as from fresh JSON


REVIEWS_QUERY = "{ users { id reviews { id product { upc name } } } }"
REVIEWS_PLAN = Sequence(
    (
        Fetch("reviews", "{ users { id reviews { id product { __typename upc } } } }"),
        Flatten(
            ("users", "@", "reviews", "@", "product"),
            Fetch(
                "products",
                "query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}",
                requires=KEY_UPC,
            ),
        ),
    )
)


async def test_root_fetch_sends_only_the_variables_it_uses_and_merges_by_response_key() -> None:
    result, fetcher = await run(
        "query($n: Int, $other: String) { top: topProducts(first: $n) { upc } }",
        Fetch("products", "query($n:Int){top:topProducts(first:$n){upc}}", variable_usages=("n",)),
        {"products": lambda r: {"data": {"top": [{"upc": "p1"}]}}},
        variables={"n": 1, "other": "x"},
    )
    assert result == ExecutionResult({"top": [{"upc": "p1"}]}, [])
    assert fetcher.requests[0][1].variables == {"n": 1}


async def test_root_fetch_moves_planner_aliases_back_to_the_client_response_keys() -> None:
    result, _ = await run(
        "{ users { id reviews { id } } }",
        Fetch(
            "accounts",
            "{ users { id reviews { id__alias_1: id } } }",
            output_renames=(KeyRename(("users", "@", "reviews", "@"), "id__alias_1", "id"),),
        ),
        {"accounts": lambda r: {"data": {"users": [{"id": "u1", "reviews": [{"id__alias_1": "r1"}]}]}}},
    )
    assert result == ExecutionResult({"users": [{"id": "u1", "reviews": [{"id": "r1"}]}]}, [])


async def test_errors_under_a_planner_alias_carry_the_client_path() -> None:
    result, _ = await run(
        "{ users { id name } }",
        Fetch(
            "accounts",
            "{ users { id name__alias_1: name } }",
            output_renames=(KeyRename(("users", "@"), "name__alias_1", "name"),),
        ),
        {
            "accounts": lambda r: {
                "data": {"users": [{"id": "u1", "name__alias_1": None}]},
                "errors": [{"message": "boom", "path": ["users", 0, "name__alias_1"]}],
            }
        },
    )
    assert result.data == {"users": [{"id": "u1", "name": None}]}
    assert [error["path"] for error in result.errors] == [["users", 0, "name"]]


async def test_entity_fetch_moves_planner_aliases_back_in_every_entity() -> None:
    plan = Sequence(
        (
            Fetch("accounts", "{ me { __typename id } }"),
            Flatten(
                ("me",),
                Fetch(
                    "reviews",
                    "query($representations:[_Any!]!){_entities(representations:$representations)"
                    "{...on User{name__alias_1: name}}}",
                    requires=(RequiresFragment("User", KEY_ID),),
                    output_renames=(KeyRename((), "name__alias_1", "name"),),
                ),
            ),
        )
    )
    result, _ = await run(
        "{ me { name } }",
        plan,
        {
            "accounts": lambda r: {"data": {"me": {"__typename": "User", "id": "u1"}}},
            "reviews": lambda r: {"data": {"_entities": [{"name__alias_1": "Ada"}]}},
        },
    )
    assert result == ExecutionResult({"me": {"name": "Ada"}}, [])


async def test_entity_fetch_dedupes_representations_and_merges_into_every_position() -> None:
    result, fetcher = await run(
        REVIEWS_QUERY,
        REVIEWS_PLAN,
        {"reviews": reviews_subgraph, "products": product_entities({"p1": "Table", "p2": "Chair"})},
    )
    [entity_request] = fetcher.sent_to("products")
    assert entity_request.variables == {
        "representations": [{"__typename": "Product", "upc": "p1"}, {"__typename": "Product", "upc": "p2"}]
    }
    assert result.errors == []
    assert result.data == {
        "users": [
            {"id": "u1", "reviews": [{"id": "r1", "product": {"upc": "p1", "name": "Table"}}]},
            {
                "id": "u2",
                "reviews": [
                    {"id": "r2", "product": {"upc": "p2", "name": "Chair"}},
                    {"id": "r3", "product": {"upc": "p1", "name": "Table"}},
                ],
            },
        ]
    }


async def test_entity_error_paths_become_the_client_paths_of_every_object_that_asked() -> None:
    def products(request: SubgraphRequest) -> dict[str, Any]:
        return {
            "data": {"_entities": [{"name": None}, {"name": "Chair"}]},
            "errors": [
                {"message": "name lookup failed", "path": ["_entities", 0, "name"], "extensions": {"code": "DB"}}
            ],
        }

    result, _ = await run(
        "{ users { reviews { product { upc price } } } }",
        REVIEWS_PLAN,
        {"reviews": reviews_subgraph, "products": products},
    )
    error = {"message": "name lookup failed", "extensions": {"code": "DB", "service": "products"}}
    assert result.errors == [
        {**error, "path": ["users", 0, "reviews", 0, "product", "name"]},
        {**error, "path": ["users", 1, "reviews", 1, "product", "name"]},
    ]


async def test_a_subgraph_that_is_down_costs_only_its_own_fields() -> None:
    result, _ = await run(
        "{ users { id reviews { product { upc price } } } }",
        REVIEWS_PLAN,
        {
            "reviews": reviews_subgraph,
            "products": lambda r: SubgraphResponse(failure="cannot connect"),
        },
    )
    assert result.data is not None
    assert result.data["users"][1] == {
        "id": "u2",
        "reviews": [{"product": {"upc": "p2", "price": None}}, {"product": {"upc": "p1", "price": None}}],
    }
    assert result.errors == [
        {
            "message": 'subgraph "products" is unavailable: cannot connect',
            "extensions": {"code": "SUBGRAPH_UNAVAILABLE", "service": "products"},
        }
    ]


async def test_a_failed_subgraph_makes_its_non_null_fields_null_their_parents_without_extra_errors() -> None:
    # Product.name is non-null: with the products subgraph down each product becomes null (Review.product is
    # nullable); the one "unavailable" error explains it, no "Cannot return null" errors are added.
    result, _ = await run(
        REVIEWS_QUERY,
        REVIEWS_PLAN,
        {
            "reviews": reviews_subgraph,
            "products": lambda r: SubgraphResponse(failure="no answer within 30 s", failure_code="SUBGRAPH_TIMEOUT"),
        },
    )
    assert result.data is not None
    assert result.data["users"][0] == {"id": "u1", "reviews": [{"id": "r1", "product": None}]}
    assert [e["extensions"] for e in result.errors] == [{"code": "SUBGRAPH_TIMEOUT", "service": "products"}]


async def test_a_root_subgraph_down_nulls_its_root_fields_and_keeps_the_others() -> None:
    result, _ = await run(
        "{ me { id } topProducts { upc } }",
        Parallel(
            (
                Fetch("accounts", "{ me { id } }"),
                Fetch("products", "{ topProducts { upc } }"),
            )
        ),
        {
            "accounts": lambda r: SubgraphResponse(failure="HTTP 502"),
            "products": lambda r: {"data": {"topProducts": [{"upc": "p1"}]}},
        },
    )
    assert result.data == {"me": None, "topProducts": [{"upc": "p1"}]}
    assert len(result.errors) == 1
    assert result.errors[0]["message"] == 'subgraph "accounts" is unavailable: HTTP 502'


async def test_a_root_non_null_field_lost_with_its_subgraph_nulls_data_with_one_error() -> None:
    result, _ = await run(
        "{ users { id } }",
        Fetch("accounts", "{ users { id } }"),
        {"accounts": lambda r: SubgraphResponse(failure="cannot connect")},
    )
    assert result.data is None
    assert [e["extensions"]["code"] for e in result.errors] == ["SUBGRAPH_UNAVAILABLE"]


async def test_garbage_answers_are_failures_of_that_subgraph_only() -> None:
    wrong_length = {"data": {"_entities": [{"name": "Table"}]}}  # two representations were sent
    result, _ = await run(
        "{ users { id reviews { product { upc price } } } }",
        REVIEWS_PLAN,
        {"reviews": reviews_subgraph, "products": lambda r: wrong_length},
    )
    assert result.data is not None
    assert result.data["users"][0]["reviews"][0]["product"] == {"upc": "p1", "price": None}
    assert [e["extensions"] for e in result.errors] == [{"code": "SUBGRAPH_INVALID_RESPONSE", "service": "products"}]

    result, _ = await run(
        "{ me { id } }",
        Fetch("accounts", "{ me { id } }"),
        {"accounts": lambda r: SubgraphResponse(data=["not", "an", "object"])},
    )
    assert result.data == {"me": None}
    assert result.errors[0]["extensions"]["service"] == "accounts"


async def test_a_fetcher_that_raises_does_not_take_the_request_down() -> None:
    def broken(request: SubgraphRequest) -> dict[str, Any]:
        raise RuntimeError("secret internals")

    result, _ = await run("{ me { id } }", Fetch("accounts", "{ me { id } }"), {"accounts": broken})
    assert result.data == {"me": None}
    assert "secret" not in str(result.errors)
    assert result.errors[0]["extensions"] == {"code": "SUBGRAPH_UNAVAILABLE", "service": "accounts"}


async def test_subgraph_errors_keep_message_and_extensions_and_gain_the_service() -> None:
    result, _ = await run(
        "{ me { id name } }",
        Fetch("accounts", "{ me { id name } }"),
        {
            "accounts": lambda r: {
                "data": {"me": {"id": "u1", "name": None}},
                "errors": [
                    {
                        "message": "name is masked",
                        "path": ["me", "name"],
                        "locations": [{"line": 1, "column": 10}],
                        "extensions": {"code": "FORBIDDEN"},
                    }
                ],
            }
        },
    )
    assert result.data == {"me": {"id": "u1", "name": None}}
    assert result.errors == [
        {
            "message": "name is masked",
            "path": ["me", "name"],
            "extensions": {"code": "FORBIDDEN", "service": "accounts"},
        }
    ]


async def test_a_service_the_subgraph_names_is_kept() -> None:
    def accounts(request: SubgraphRequest) -> dict[str, Any]:
        return {
            "data": {"me": {"id": "u1", "name": None}},
            "errors": [
                {"message": "legacy down", "path": ["me", "name"], "extensions": {"code": "X", "service": "LEDGER"}},
                {"message": "no name", "path": ["me", "name"], "extensions": {"code": "Y", "service": ""}},
            ],
        }

    result, _ = await run("{ me { id name } }", Fetch("accounts", "{ me { id name } }"), {"accounts": accounts})
    assert [e["extensions"] for e in result.errors] == [
        {"code": "X", "service": "LEDGER"},  # the system behind the subgraph, as the subgraph named it
        {"code": "Y", "service": "accounts"},  # an empty name names nothing: the subgraph is named instead
    ]


async def test_entity_errors_without_a_path_attach_to_the_fetch_path() -> None:
    result, _ = await run(
        "{ users { reviews { product { upc price } } } }",
        REVIEWS_PLAN,
        {
            "reviews": reviews_subgraph,
            "products": lambda r: {"data": None, "errors": [{"message": "representations rejected"}]},
        },
    )
    assert result.errors == [
        {"message": "representations rejected", "path": ["users"], "extensions": {"service": "products"}}
    ]


async def test_sequence_runs_in_order_and_later_fetches_see_earlier_data() -> None:
    order: list[str] = []

    def reviews(request: SubgraphRequest) -> dict[str, Any]:
        order.append("reviews")
        return reviews_subgraph(request)

    answer_products = product_entities({"p1": "Table", "p2": "Chair"})

    def products(request: SubgraphRequest) -> Any:
        order.append("products")
        return answer_products(request)

    await run(REVIEWS_QUERY, REVIEWS_PLAN, {"reviews": reviews, "products": products})
    assert order == ["reviews", "products"]


async def test_parallel_branches_are_in_flight_at_the_same_time() -> None:
    # Each branch answers only once the other has started: run one after the other, they would deadlock.
    started = {"accounts": asyncio.Event(), "products": asyncio.Event()}

    def branch(name: str, other: str, data: dict[str, Any]) -> Handler:
        async def answer(request: SubgraphRequest) -> dict[str, Any]:
            started[name].set()
            await started[other].wait()
            return {"data": data}

        return answer

    plan = Parallel((Fetch("accounts", "{ me { id } }"), Fetch("products", "{ topProducts { upc } }")))
    result, _ = await asyncio.wait_for(
        run(
            "{ me { id } topProducts { upc } }",
            plan,
            {
                "accounts": branch("accounts", "products", {"me": {"id": "u1"}}),
                "products": branch("products", "accounts", {"topProducts": []}),
            },
        ),
        timeout=10,  # a deadlock guard, not a latency assertion
    )
    assert result.data == {"me": {"id": "u1"}, "topProducts": []}


async def test_condition_runs_the_branch_the_boolean_variable_selects() -> None:
    query = "query($withMe: Boolean = true) { topProducts { upc } me @include(if: $withMe) { id } }"
    plan = Parallel(
        (
            Fetch("products", "{ topProducts { upc } }"),
            Condition("withMe", Fetch("accounts", "{ me { id } }"), None),
        )
    )
    handlers: dict[str, Handler] = {
        "products": lambda r: {"data": {"topProducts": []}},
        "accounts": lambda r: {"data": {"me": {"id": "u1"}}},
    }
    result, fetcher = await run(query, plan, handlers, variables={"withMe": False})
    assert result.data == {"topProducts": []}
    assert fetcher.sent_to("accounts") == []

    result, fetcher = await run(query, plan, handlers)  # the operation's default: true
    assert result.data == {"topProducts": [], "me": {"id": "u1"}}
    assert len(fetcher.sent_to("accounts")) == 1


async def test_condition_else_clause_runs_when_the_variable_is_false() -> None:
    plan = Condition("skipIt", None, Fetch("accounts", "{ me { id } }"))
    result, _ = await run(
        "query($skipIt: Boolean!) { me @skip(if: $skipIt) { id } }",
        plan,
        {"accounts": lambda r: {"data": {"me": {"id": "u1"}}}},
        variables={"skipIt": False},
    )
    assert result.data == {"me": {"id": "u1"}}


async def test_objects_missing_a_key_are_not_sent_and_their_fields_stay_null() -> None:
    data = {"users": [{"id": "u1", "reviews": [{"id": "r1", "product": {"__typename": "Product", "upc": None}}]}]}
    result, fetcher = await run(
        "{ users { reviews { product { price } } } }",
        REVIEWS_PLAN,
        {"reviews": lambda r: {"data": data}, "products": product_entities({})},
    )
    assert fetcher.sent_to("products") == []
    assert result.data == {"users": [{"reviews": [{"product": {"price": None}}]}]}


async def test_requires_fields_and_fragments_build_the_representation() -> None:
    requires = (
        RequiresField("__typename"),
        RequiresField("upc"),
        RequiresFragment("Product", (RequiresField("price"),)),
        RequiresFragment("Book", (RequiresField("pages"),)),
    )
    plan = Sequence(
        (
            Fetch("products", "{ product(upc: 1) { __typename upc price } }"),
            Flatten(("product",), Fetch("shipping", "{_entities}", requires=requires)),
        )
    )
    result, fetcher = await run(
        "{ product(upc: 1) { shippingEstimate } }",
        plan,
        {
            "products": lambda r: {"data": {"product": {"__typename": "Product", "upc": "p1", "price": 12}}},
            "shipping": lambda r: {"data": {"_entities": [{"shippingEstimate": 6}]}},
        },
    )
    assert fetcher.sent_to("shipping")[0].variables["representations"] == [
        {"__typename": "Product", "upc": "p1", "price": 12}
    ]
    assert result.data == {"product": {"shippingEstimate": 6}}


async def test_input_and_output_rewrites_change_typenames_around_the_entity_call() -> None:
    plan = Sequence(
        (
            Fetch("products", "{ product(upc: 1) { __typename upc } }"),
            Flatten(
                ("product",),
                Fetch(
                    "inventory",
                    "{_entities}",
                    requires=KEY_UPC,
                    input_rewrites=(TypenameRewrite((), "Item", ("Product",)),),
                    output_rewrites=(TypenameRewrite((), "Product", ("Item",)),),
                ),
            ),
        )
    )
    result, fetcher = await run(
        "{ product(upc: 1) { __typename price } }",
        plan,
        {
            "products": lambda r: {"data": {"product": {"__typename": "Product", "upc": "p1"}}},
            "inventory": lambda r: {"data": {"_entities": [{"__typename": "Item", "price": 3}]}},
        },
    )
    assert fetcher.sent_to("inventory")[0].variables["representations"] == [{"__typename": "Item", "upc": "p1"}]
    assert result.data == {"product": {"__typename": "Product", "price": 3}}


async def test_nested_list_paths_reach_every_object() -> None:
    data = {"users": [{"id": "u1", "reviews": [{"author": {"__typename": "User", "id": "u9"}}]}, {"id": "u2"}]}
    plan = Sequence(
        (
            Fetch("reviews", "{ users { id reviews { author { __typename id } } } }"),
            Flatten(("users", "@", "reviews", "@", "author"), Fetch("accounts", "{_entities}", requires=KEY_ID)),
        )
    )
    result, _ = await run(
        "{ users { reviews { author { name } } } }",
        plan,
        {
            "reviews": lambda r: {"data": data},
            "accounts": lambda r: {"data": {"_entities": [{"name": "Ada"}]}},
        },
    )
    assert result.data == {"users": [{"reviews": [{"author": {"name": "Ada"}}]}, {"reviews": None}]}


async def test_a_plan_without_a_node_needs_no_fetch() -> None:
    result, fetcher = await run("{ __typename }", None, {})
    assert result == ExecutionResult({"__typename": "Query"}, [])
    assert fetcher.requests == []


INTERFACE_SDL = """
type Query { accounts: [Account] }
interface Account { id: ID! plan: String }
type Admin implements Account { id: ID! plan: String }
"""


async def test_an_interface_object_answer_does_not_replace_the_concrete_typename() -> None:
    plan = Sequence(
        (
            Fetch("a", "{ accounts { __typename id } }"),
            Flatten(
                ("accounts", "@"),
                Fetch("b", "{_entities}", requires=KEY_ID, input_rewrites=(TypenameRewrite((), "Account"),)),
            ),
        )
    )
    fetcher = FakeFetcher(
        {
            "a": lambda r: {"data": {"accounts": [{"__typename": "Admin", "id": "1"}]}},
            "b": lambda r: {"data": {"_entities": [{"__typename": "Account", "plan": "gold"}]}},
        }
    )
    result = await execute_plan(
        QueryPlan(plan),
        supergraph=ApiSchemaOnly.from_sdl(INTERFACE_SDL),
        document=parse("{ accounts { __typename plan } }"),
        operation_name=None,
        variables={},
        fetcher=fetcher,
    )
    assert fetcher.sent_to("b")[0].variables["representations"] == [{"__typename": "Account", "id": "1"}]
    assert result.data == {"accounts": [{"__typename": "Admin", "plan": "gold"}]}


async def test_objects_no_requires_fragment_applies_to_are_not_sent() -> None:
    requires = (RequiresFragment("Product", KEY_UPC),)
    plan = Sequence(
        (
            Fetch("reviews", "{ users { id reviews { id product { __typename upc } } } }"),
            Flatten(("users", "@", "reviews", "@", "product"), Fetch("products", "{_entities}", requires=requires)),
        )
    )
    data = {
        "users": [
            {
                "reviews": [
                    {"product": {"__typename": "Product", "upc": "p1"}},
                    {"product": {"__typename": "Gadget", "upc": "g1"}},
                ]
            }
        ]
    }
    result, fetcher = await run(
        "{ users { reviews { product { name } } } }",
        plan,
        {"reviews": lambda r: {"data": data}, "products": product_entities({"p1": "Table"})},
    )
    assert fetcher.sent_to("products")[0].variables["representations"] == [{"__typename": "Product", "upc": "p1"}]
    assert result.data is not None
    assert result.data["users"][0]["reviews"][0] == {"product": {"name": "Table"}}


async def test_a_requires_fragment_on_an_interface_matches_its_implementations() -> None:
    # possible_types left empty by the planner: the API schema says which object types the interface covers
    requires = (*KEY_ID, RequiresField("accounts", (RequiresFragment("Account", (RequiresField("plan"),)),)))
    sdl = INTERFACE_SDL + "type Team { id: ID! accounts: [Account] score: Int }\nextend type Query { team: Team }"
    plan = Sequence(
        (
            Fetch("a", "{ team { __typename id accounts { __typename plan } } }"),
            Flatten(("team",), Fetch("b", "{_entities}", requires=requires)),
        )
    )
    team = {"__typename": "Team", "id": "t", "accounts": [{"__typename": "Admin", "plan": "gold"}]}
    fetcher = FakeFetcher(
        {"a": lambda r: {"data": {"team": team}}, "b": lambda r: {"data": {"_entities": [{"score": 9}]}}}
    )
    result = await execute_plan(
        QueryPlan(plan),
        supergraph=ApiSchemaOnly.from_sdl(sdl),
        document=parse("{ team { score } }"),
        operation_name=None,
        variables={},
        fetcher=fetcher,
    )
    assert fetcher.sent_to("b")[0].variables["representations"] == [
        {"__typename": "Team", "id": "t", "accounts": [{"plan": "gold"}]}
    ]
    assert result.data == {"team": {"score": 9}}
