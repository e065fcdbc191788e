"""Shaping merged data to the client's operation: selection, order, aliases, __typename, fragments, null propagation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import parse

from gateway.executor import ExecutionResult, SubgraphResponse, execute_plan
from gateway.planner.plan import Fetch, QueryPlan
from tests.executor.fakes import ApiSchemaOnly, FakeFetcher

SDL = """
type Query {
  me: User
  users: [User!]!
  maybeUsers: [User]
  strictUsers: [User!]
  grid: [[Int!]]
  matrix: [[Cell]!]
  search: [SearchResult!]
  node(id: ID!): Node
  nodes: [Node]
}
interface Node { id: ID! }
type User implements Node { id: ID! name: String! nickname: String role: Role friends: [User!] }
type Product implements Node { id: ID! upc: ID! title: String }
type Cell { value: Int! }
union SearchResult = User | Product
enum Role { ADMIN MEMBER }
"""

SUPERGRAPH = ApiSchemaOnly.from_sdl(SDL)


async def shape(
    query: str, data: Any, variables: Mapping[str, Any] | None = None, errors: tuple[Any, ...] = ()
) -> ExecutionResult:
    """Execute ``query`` with a one-fetch plan whose subgraph answers ``data`` (and ``errors``)."""
    fetcher = FakeFetcher({"a": lambda r: SubgraphResponse(data=data, errors=errors)})
    return await execute_plan(
        QueryPlan(Fetch("a", "{ planned }")),
        supergraph=SUPERGRAPH,
        document=parse(query),
        operation_name=None,
        variables=variables or {},
        fetcher=fetcher,
    )


async def test_helper_fields_the_planner_added_are_dropped() -> None:
    result = await shape("{ me { name } }", {"me": {"__typename": "User", "id": "u1", "name": "Ada", "nickname": "a"}})
    assert result == ExecutionResult({"me": {"name": "Ada"}}, [])


async def test_aliases_and_field_order_follow_the_query() -> None:
    result = await shape("{ me { who: name id also: id } }", {"me": {"also": "u1", "id": "u1", "who": "Ada"}})
    assert result.data == {"me": {"who": "Ada", "id": "u1", "also": "u1"}}
    assert list(result.data["me"]) == ["who", "id", "also"]


async def test_typename_is_the_static_type_for_object_fields_and_the_data_for_abstract_ones() -> None:
    result = await shape(
        "{ __typename me { __typename } node(id: 1) { t: __typename id } }",
        {"me": {}, "node": {"__typename": "Product", "id": "p1"}},
    )
    assert result.data == {"__typename": "Query", "me": {"__typename": "User"}, "node": {"t": "Product", "id": "p1"}}


async def test_fragments_on_abstract_types_match_by_the_datas_typename() -> None:
    query = """
      query {
        search {
          __typename
          ... on User { name }
          ...ProductFields
          ... on Node { id }
        }
      }
      fragment ProductFields on Product { upc title }
    """
    data = {
        "search": [
            {"__typename": "User", "id": "u1", "name": "Ada", "upc": "ignored"},
            {"__typename": "Product", "id": "p1", "upc": "123", "title": "Table", "name": "ignored"},
        ]
    }
    result = await shape(query, data)
    assert result.errors == []
    assert result.data == {
        "search": [
            {"__typename": "User", "name": "Ada", "id": "u1"},
            {"__typename": "Product", "upc": "123", "title": "Table", "id": "p1"},
        ]
    }
    assert list(result.data["search"][1]) == ["__typename", "upc", "title", "id"]


async def test_one_document_shapes_each_answer_by_its_own_concrete_types_and_nulls() -> None:
    document = parse("{ search { ... on User { id name } ... on Product { upc } } me { id name } }")

    async def run(data: Any) -> ExecutionResult:
        fetcher = FakeFetcher({"a": lambda r: SubgraphResponse(data=data)})
        return await execute_plan(
            QueryPlan(Fetch("a", "{ planned }")),
            supergraph=SUPERGRAPH,
            document=document,
            operation_name=None,
            variables={},
            fetcher=fetcher,
        )

    first = await run({"search": [{"__typename": "User", "id": "u1", "name": "Ada"}], "me": {"id": "u1", "name": "A"}})
    second = await run({"search": [{"__typename": "Product", "upc": "1"}], "me": {"id": "u1", "name": None}})
    third = await run({"search": [{"__typename": "User", "id": "u2", "name": "Bo"}], "me": None})
    assert first == ExecutionResult({"search": [{"id": "u1", "name": "Ada"}], "me": {"id": "u1", "name": "A"}}, [])
    assert second.data == {"search": [{"upc": "1"}], "me": None}
    assert second.errors == [
        {"message": "Cannot return null for non-nullable field User.name.", "path": ["me", "name"]}
    ]
    assert third == ExecutionResult({"search": [{"id": "u2", "name": "Bo"}], "me": None}, [])


async def test_fields_selected_twice_merge_their_subselections() -> None:
    result = await shape(
        "{ me { friends { id } ... on User { friends { name } } } }",
        {"me": {"friends": [{"id": "u2", "name": "Bo", "role": "ADMIN"}]}},
    )
    assert result.data == {"me": {"friends": [{"id": "u2", "name": "Bo"}]}}


async def test_skip_and_include_follow_the_variables_and_their_defaults() -> None:
    query = """
      query($full: Boolean = false, $hide: Boolean!) {
        me { id name @include(if: $full) ... on User @skip(if: $hide) { nickname } role @skip(if: true) }
      }
    """
    data = {"me": {"id": "u1", "name": "Ada", "nickname": "a", "role": "ADMIN"}}
    assert (await shape(query, data, {"hide": True})).data == {"me": {"id": "u1"}}
    assert (await shape(query, data, {"hide": False, "full": True})).data == {
        "me": {"id": "u1", "name": "Ada", "nickname": "a"}
    }


async def test_a_null_non_null_field_nulls_its_nullable_parent_with_one_error() -> None:
    result = await shape("{ me { id name } }", {"me": {"id": "u1", "name": None}})
    assert result.data == {"me": None}
    assert result.errors == [
        {"message": "Cannot return null for non-nullable field User.name.", "path": ["me", "name"]}
    ]


async def test_null_propagation_bubbles_through_non_null_positions_up_to_data() -> None:
    # users: [User!]! — a user without its non-null name nulls the item, the item the list, the list the root.
    result = await shape("{ users { name } }", {"users": [{"name": "Ada"}, {}]})
    assert result.data is None
    assert result.errors == [
        {"message": "Cannot return null for non-nullable field User.name.", "path": ["users", 1, "name"]}
    ]


async def test_nullable_list_items_absorb_the_null() -> None:
    result = await shape("{ maybeUsers { name } }", {"maybeUsers": [{"name": "Ada"}, {"name": None}, None]})
    assert result.data == {"maybeUsers": [{"name": "Ada"}, None, None]}
    assert [e["path"] for e in result.errors] == [["maybeUsers", 1, "name"]]


async def test_a_non_null_item_nulls_a_nullable_list() -> None:
    result = await shape("{ strictUsers { id } }", {"strictUsers": [{"id": "u1"}, None]})
    assert result.data == {"strictUsers": None}
    assert result.errors == [
        {"message": "Cannot return null for non-nullable field Query.strictUsers.", "path": ["strictUsers", 1]}
    ]


async def test_lists_of_lists_propagate_per_level() -> None:
    # [[Int!]]: a null Int nulls its inner list (nullable), not the outer one
    result = await shape("{ grid }", {"grid": [[1, 2], [3, None], None]})
    assert result.data == {"grid": [[1, 2], None, None]}
    assert [e["path"] for e in result.errors] == [["grid", 1, 1]]
    result = await shape("{ grid }", {"grid": [[1, 2], None]})
    assert result.data == {"grid": [[1, 2], None]}
    assert result.errors == []
    result = await shape("{ matrix { value } }", {"matrix": [[{"value": 1}, {"value": None}], [None]]})
    # [[Cell]!]: the bad cell becomes null (Cell is nullable), the inner lists are kept
    assert result.data == {"matrix": [[{"value": 1}, None], [None]]}
    assert [e["path"] for e in result.errors] == [["matrix", 0, 1, "value"]]


async def test_no_null_error_is_added_below_a_path_an_error_already_covers() -> None:
    subgraph_error = {"message": "user store down", "path": ["me"]}
    result = await shape("{ me { id name } }", {"me": {"id": "u1", "name": None}}, errors=(subgraph_error,))
    assert result.data == {"me": None}
    assert result.errors == [{"message": "user store down", "path": ["me"], "extensions": {"service": "a"}}]


async def test_enum_values_the_api_schema_does_not_have_become_null_with_an_error() -> None:
    result = await shape(
        "{ users { id role } }", {"users": [{"id": "u1", "role": "ADMIN"}, {"id": "u2", "role": "GHOST"}]}
    )
    assert result.data == {"users": [{"id": "u1", "role": "ADMIN"}, {"id": "u2", "role": None}]}
    assert result.errors == [{"message": 'Enum "Role" cannot represent value: "GHOST"', "path": ["users", 1, "role"]}]


async def test_objects_of_types_the_api_schema_hides_are_null() -> None:
    result = await shape(
        "{ nodes { id } }", {"nodes": [{"__typename": "Secret", "id": "s1"}, {"__typename": "User", "id": "u1"}]}
    )
    assert result.data == {"nodes": [None, {"id": "u1"}]}


async def test_abstract_values_without_a_typename_still_answer_the_interface_fields() -> None:
    result = await shape("{ node(id: 1) { id ... on User { name } } }", {"node": {"id": "u1", "name": "Ada"}})
    assert result.data == {"node": {"id": "u1"}}


async def test_named_operations_pick_their_own_selection() -> None:
    fetcher = FakeFetcher({"a": lambda r: {"data": {"me": {"id": "u1", "name": "Ada"}}}})
    result = await execute_plan(
        QueryPlan(Fetch("a", "{ me { id name } }")),
        supergraph=SUPERGRAPH,
        document=parse("query A { me { id } } query B { me { name } }"),
        operation_name="B",
        variables={},
        fetcher=fetcher,
    )
    assert result.data == {"me": {"name": "Ada"}}


async def test_an_abstract_typename_in_the_data_still_answers_the_interface_fields() -> None:
    # an @interfaceObject subgraph answers with the interface's name instead of a concrete type
    result = await shape("{ nodes { id ... on User { name } } }", {"nodes": [{"__typename": "Node", "id": "u1"}]})
    assert result.data == {"nodes": [{"id": "u1"}]}


async def test_objects_and_lists_below_an_object_null_the_nearest_nullable_position() -> None:
    # friends: [User!] — a friend without its non-null name nulls the list, not the user who has it
    result = await shape("{ me { id friends { name } } }", {"me": {"id": "u1", "friends": [{"name": "Ada"}, {}]}})
    assert result.data == {"me": {"id": "u1", "friends": None}}
    assert [e["path"] for e in result.errors] == [["me", "friends", 1, "name"]]
    # a non-null object field whose object bubbles nulls its own parent: users: [User!]! up to data
    result = await shape("{ users { friends { name } } }", {"users": [{"friends": [{"name": "Bo"}]}]})
    assert result.data == {"users": [{"friends": [{"name": "Bo"}]}]}
    # a value of the wrong kind where an object or a list belongs is null with an error, as before
    result = await shape("{ me { friends { name } } }", {"me": {"friends": {"name": "Ada"}}})
    assert result.data == {"me": {"friends": None}}
    assert [e["message"] for e in result.errors] == ["Expected a list from the subgraphs."]
    result = await shape("{ maybeUsers { name } }", {"maybeUsers": ["Ada", {"name": "Bo"}]})
    assert result.data == {"maybeUsers": [None, {"name": "Bo"}]}
    assert [e["message"] for e in result.errors] == ["Expected an object from the subgraphs."]
