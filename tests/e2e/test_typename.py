"""``__typename`` anywhere: at the root, on entities from other subgraphs, under aliases."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_root_typename_alone_calls_no_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ __typename }")

    assert_data(result, {"__typename": "Query"}, gateway)
    assert scenario.calls() == {}


async def test_typename_on_entities_and_value_types(gateway: Gateway, scenario: Scenario) -> None:
    query = '{ case(id: "c1") { __typename reporter { __typename } unit { __typename district { __typename } } } }'
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "case": {
                "__typename": "Case",
                "reporter": {"__typename": "Citizen"},
                "unit": {"__typename": "Unit", "district": {"__typename": "District"}},
            }
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1}


async def test_aliased_typenames_next_to_entity_fields(gateway: Gateway) -> None:
    query = '{ t: __typename case(id: "c1") { kind: __typename dueAt who: reporter { kind: __typename name } } }'
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "t": "Query",
            "case": {"kind": "Case", "dueAt": "2026-11-09", "who": {"kind": "Citizen", "name": "Li Wei"}},
        },
        gateway,
    )
