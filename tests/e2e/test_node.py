"""The Node interface: ``node(id:)`` answered by one subgraph, the concrete type's fields by others."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "directory"

NODE = """query ($id: ID!) { node(id: $id) { __typename id
  ... on Officer { name office { id title } } ... on Office { title level } } }"""


async def test_node_of_one_type_is_completed_by_its_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run(NODE, {"id": "officer:1"})

    assert_data(
        result,
        {
            "node": {
                "__typename": "Officer",
                "id": "officer:1",
                "name": "Chen Jing",
                "office": {"id": "office:7", "title": "Hehua street office"},
            }
        },
        gateway,
    )
    assert scenario.calls() == {"directory": 1, "people": 1, "offices": 1}


async def test_node_of_another_type_goes_to_another_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run(NODE, {"id": "office:7"})

    assert_data(
        result,
        {"node": {"__typename": "Office", "id": "office:7", "title": "Hehua street office", "level": "STREET"}},
        gateway,
    )
    assert scenario.calls() == {"directory": 1, "offices": 1}


async def test_unknown_node_is_null(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run(NODE, {"id": "nothing:0"})

    assert_data(result, {"node": None}, gateway)
    assert "errors" not in result
    assert scenario.calls() == {"directory": 1}


async def test_node_id_only_needs_no_entity_fetch(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ node(id: "officer:1") { id __typename } }')

    assert_data(result, {"node": {"id": "officer:1", "__typename": "Officer"}}, gateway)
    assert scenario.calls() == {"directory": 1}
