"""Null propagation as the GraphQL spec says (§ 6.4.4 Handling Field Errors): a non-null field that is null makes
its parent null, up to the nearest nullable position."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data, error_paths

SCENARIO = "appeals"


async def test_non_null_entity_field_null_makes_the_nullable_parent_null(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c3") { title deadline } }')

    assert_data(result, {"case": None}, gateway)
    assert error_paths(result) == [["case", "deadline"]]
    assert scenario.calls() == {"cases": 1, "sla": 1}


async def test_null_bubbles_through_non_null_list_items_up_to_data(gateway: Gateway) -> None:
    # cases: [Case!]! — c3's deadline fails, so c3 is null, so the list is null, so data is null
    result = await gateway.run("{ cases { id deadline } }")

    assert result["data"] is None, result
    assert ["cases", 2, "deadline"] in error_paths(result)


async def test_sibling_fields_survive_when_a_nullable_field_fails(gateway: Gateway) -> None:
    result = await gateway.run('{ a: case(id: "c1") { deadline } b: case(id: "c3") { deadline } }')

    assert_data(result, {"a": {"deadline": "2026-12-02"}, "b": None}, gateway)
    assert error_paths(result) == [["b", "deadline"]]


async def test_root_field_answering_null_is_null_without_error(gateway: Gateway) -> None:
    result = await gateway.run('{ citizen(key: "nobody") { name } }')

    assert_data(result, {"citizen": None}, gateway)
    assert "errors" not in result
