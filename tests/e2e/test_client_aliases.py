"""A client's alias never changes what the gateway fetches: helper fields (keys, ``@requires`` inputs,
``__typename``) keep response keys of their own, at any depth, in root and entity fetches, through fragments and
conditions. And conditions that meet on one field still make valid subgraph operations (the subgraphs here are
real graphql-core servers: an invalid operation would come back as an error)."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import Gateway, assert_data

SCENARIO = "shop"

ADA_REVIEWS = [{"__typename": "Review"}, {"__typename": "Review"}]


async def _data(gateway: Gateway, query: str, variables: dict[str, Any] | None = None) -> Any:
    result = await gateway.run(query, variables)
    assert "errors" not in result, (result, gateway.last_plan)
    return result


async def test_an_alias_named_like_the_entity_key_does_not_become_the_key(gateway: Gateway) -> None:
    result = await _data(gateway, "{ me { id: username reviews { __typename } } }")

    assert_data(result, {"me": {"id": "@ada", "reviews": ADA_REVIEWS}}, gateway)


async def test_an_alias_named_like_the_key_below_a_provided_field(gateway: Gateway) -> None:
    result = await _data(gateway, '{ user(id: "1") { reviews { author { username id: reviews { __typename } } } } }')

    author = {"username": "@ada", "id": ADA_REVIEWS}
    assert_data(result, {"user": {"reviews": [{"author": author}, {"author": author}]}}, gateway)


async def test_aliases_named_like_requires_inputs_do_not_feed_the_requiring_field(gateway: Gateway) -> None:
    result = await _data(gateway, "{ topProducts { price: name weight: upc shippingEstimate } }")

    assert_data(
        result,
        {
            "topProducts": [
                {"price": "Table", "weight": "p1", "shippingEstimate": 50},
                {"price": "Couch", "weight": "p2", "shippingEstimate": 0},
                {"price": "Chair", "weight": "p3", "shippingEstimate": 25},
            ]
        },
        gateway,
    )


async def test_a_key_alias_inside_an_entity_fetch_two_jumps_down(gateway: Gateway) -> None:
    result = await _data(gateway, "{ topProducts(first: 2) { reviews { author { id: name reviews { id } } } } }")

    ada = {"id": "Ada Lovelace", "reviews": [{"id": "r1"}, {"id": "r2"}]}
    alan = {"id": "Alan Turing", "reviews": [{"id": "r3"}, {"id": "r4"}]}
    expected = {"topProducts": [{"reviews": [{"author": ada}, {"author": alan}]}, {"reviews": [{"author": ada}]}]}
    assert_data(result, expected, gateway)


async def test_key_aliases_through_fragments_and_conditions(gateway: Gateway) -> None:
    query = """
    query ($yes: Boolean!) {
      me { ... on User { id: username } ...Bought @include(if: $yes) }
    }
    fragment Bought on User { reviews { product { upc: name shippingEstimate } } }
    """
    result = await _data(gateway, query, {"yes": True})

    products = [{"upc": "Table", "shippingEstimate": 50}, {"upc": "Couch", "shippingEstimate": 0}]
    assert_data(result, {"me": {"id": "@ada", "reviews": [{"product": p} for p in products]}}, gateway)


async def test_a_client_field_aliased_typename_is_the_clients_own(gateway: Gateway) -> None:
    result = await _data(gateway, "{ me { __typename: username kind: __typename reviews { __typename: body } } }")

    reviews = [{"__typename": "Love it!"}, {"__typename": "Too expensive."}]
    assert_data(result, {"me": {"__typename": "@ada", "kind": "User", "reviews": reviews}}, gateway)


CONDITIONS_MEET = """
query ($a: Boolean!, $b: Boolean = true) {
  topProducts { reviews { author { ... on User @include(if: $a) { username @include(if: $b) } } } }
}
"""


async def test_conditions_that_meet_on_one_field_make_a_valid_subgraph_operation(gateway: Gateway) -> None:
    result = await _data(gateway, CONDITIONS_MEET, {"a": True})

    ada, alan = {"author": {"username": "@ada"}}, {"author": {"username": "@alan"}}
    assert_data(result, {"topProducts": [{"reviews": [ada, alan]}, {"reviews": [ada]}, {"reviews": [alan]}]}, gateway)


async def test_conditions_that_meet_on_one_field_each_hold(gateway: Gateway) -> None:
    for variables in ({"a": True, "b": False}, {"a": False}):
        result = await _data(gateway, CONDITIONS_MEET, variables)

        empty = {"author": {}}
        expected = {"topProducts": [{"reviews": [empty, empty]}, {"reviews": [empty]}, {"reviews": [empty]}]}
        assert_data(result, expected, gateway)
