"""Demand control's estimate, rule by rule of the IBM cost specification (with Apollo's default weights)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, validate

from gateway.cost import CostRefusal, cost_model, operation_cost

SDL = """
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],
  requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

type Query {
  unit(id: ID!): Unit
  units: [Unit!]!
  districts: [Unit!]! @listSize(assumedSize: 5)
  appeals(first: Int, last: Int): AppealConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["nodes", "edges"])
  latest(limit: Int = 7): [Appeal!]! @listSize(slicingArguments: ["limit"])
  search(text: String! @cost(weight: 20), filter: AppealFilter): [Appeal!]! @listSize(assumedSize: 3)
  matrix: [[Int!]!]!
  report: Report @cost(weight: 50)
  either(first: Int, last: Int): [Appeal!]! @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
}

type Mutation { close(id: ID!): Appeal }

input AppealFilter { phone: String @cost(weight: 5), status: String }

type Unit { name: String!, appeals: [Appeal!]! @listSize(assumedSize: 4), parent: Unit }
type Appeal { id: ID!, title: String, unit: Unit, status: Status }
enum Status { OPEN CLOSED }
type AppealConnection { nodes: [Appeal!]!, edges: [AppealEdge!]!, totalCount: Int }
type AppealEdge { node: Appeal! }
type Report @cost(weight: 9) { total: Int }
"""

SCHEMA = build_schema(SDL)
MODEL = cost_model(SCHEMA, default_list_size=10)


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    assert validate(SCHEMA, document) == []
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return operation_cost(MODEL, document, operation, variables or {})


def test_scalars_and_enums_cost_nothing_and_objects_one() -> None:
    assert cost('{ unit(id: "1") { name } }') == 1
    assert cost('{ unit(id: "1") { name parent { name parent { name } } } }') == 3
    assert cost("{ __typename }") == 0


def test_a_mutation_weighs_ten_more() -> None:
    assert cost('mutation { close(id: "1") { id status } }') == 11


def test_a_list_without_list_size_multiplies_by_the_default_size() -> None:
    assert cost("{ units { name } }") == 10


def test_nested_lists_multiply() -> None:
    # 10 units × (1 + 4 appeals × (1 + 1 unit))
    assert cost("{ units { appeals { id unit { name } } } }") == 10 * (1 + 4 * (1 + 1))


def test_assumed_size_replaces_the_default() -> None:
    assert cost("{ districts { name } }") == 5


def test_a_slicing_argument_sizes_the_list_literal_variable_or_default() -> None:
    assert cost("{ latest(limit: 2) { id unit { name } } }") == 2 * 2
    assert cost("query($n: Int) { latest(limit: $n) { id unit { name } } }", {"n": 30}) == 30 * 2
    assert cost("{ latest { id } }") == 7  # the argument's default value


def test_sized_fields_carry_the_slicing_argument_to_the_connections_lists() -> None:
    # the connection object (1) + 25 nodes (1 each) + 25 edges × (1 + node 1)
    assert cost("{ appeals(first: 25) { totalCount nodes { id } edges { node { id } } } }") == 1 + 25 + 25 * 2
    assert cost("{ appeals(last: 3) { nodes { unit { name } } } }") == 1 + 3 * (1 + 1)


def test_one_slicing_argument_is_required_unless_the_field_says_otherwise() -> None:
    with pytest.raises(CostRefusal, match="exactly one of `first`, `last`"):
        cost("{ appeals(first: 2, last: 3) { nodes { id } } }")
    assert cost("{ either(first: 2, last: 30) { id } }") == 30  # the larger one


def test_field_type_and_argument_weights() -> None:
    assert cost("{ report { total } }") == 50  # the field's weight wins over its type's
    assert cost('{ search(text: "路灯") { id } }') == 3 + 20
    assert cost('{ search(text: "路灯", filter: {phone: "138", status: "OPEN"}) { id } }') == 3 + 20 + 5


def test_a_list_of_lists_is_sized_once_per_level() -> None:
    assert cost("{ matrix }") == 0  # scalars: no weight, however many
    assert cost("{ units { appeals { id } } }") == 10 * (1 + 4)


def test_skipped_fields_cost_nothing_and_fragments_count() -> None:
    query = (
        "query($s: Boolean!) { units @skip(if: $s) { name } districts { ...D } } fragment D on Unit { parent { name } }"
    )
    assert cost(query, {"s": True}) == 5 * 2
    assert cost(query, {"s": False}) == 10 + 5 * 2


def test_a_composed_supergraph_carries_the_subgraphs_costs_to_the_gateway() -> None:
    from schema.compose import SubgraphSource, compose
    from schema.supergraph import load_supergraph

    subgraph = """
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
    type Query {
      appeals(first: Int = 20): [Appeal!]! @listSize(slicingArguments: ["first"]) @cost(weight: 3)
    }
    type Appeal @key(fields: "id") { id: ID! title: String @cost(weight: 2) }
    """
    composed = compose([SubgraphSource("appeals", "http://127.0.0.1:9/graphql", subgraph)])
    assert composed.errors == () and composed.supergraph_sdl is not None
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])' in composed.supergraph_sdl
    supergraph = load_supergraph(composed.supergraph_sdl)
    assert "listSize" not in {d.name for d in supergraph.api_schema.directives}  # clients never see them
    model = cost_model(supergraph.schema)
    document = parse("{ appeals(first: 4) { id title } }")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert operation_cost(model, document, operation, {}) == 4 * (3 + 2)
    defaults = parse("{ appeals { id } }")
    assert operation_cost(model, defaults, defaults.definitions[0], {}) == 20 * 3  # type: ignore[arg-type]


def test_the_products_connections_are_sized_by_first() -> None:
    from pathlib import Path

    from schema.supergraph import load_supergraph

    supergraph = load_supergraph((Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql").read_text())
    model = cost_model(supergraph.schema)

    def product(query: str) -> int:
        document = parse(query)
        operation = document.definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        return operation_cost(model, document, operation, {})

    assert product("{ appeals(first: 50) { nodes { id title } } }") == 1 + 50
    assert product("{ appeals { edges { node { id } } } }") == 1 + 20 * 2  # `first` defaults to 20
    # nested: every ticket's timeline is a list without a size of its own (the default 10)
    assert product("{ hotlineTickets(first: 100) { nodes { id timeline { name } } } }") == 1 + 100 * (1 + 10)
