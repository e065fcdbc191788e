"""``@interfaceObject``: tracking sees every appeal as ``Appeal``; the gateway sends it representations typed
``Appeal`` and gets the concrete type from the subgraph that owns the interface."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "channels"


async def test_interface_object_fields_on_concrete_appeals(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ appeals { id stage } }")

    assert_data(
        result,
        {
            "appeals": [
                {"id": "a1", "stage": "dispatched"},
                {"id": "a2", "stage": "replied"},
                {"id": "a3", "stage": "overdue"},
                {"id": "a4", "stage": "closed"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"hotline": 1, "tracking": 1}
    (request,) = scenario.subgraphs["tracking"].entity_requests()
    assert {r["__typename"] for r in request.variables["representations"]} == {"Appeal"}


async def test_concrete_type_of_an_interface_object_comes_from_the_owner(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ stalled { __typename id stage title } }")

    assert_data(
        result,
        {
            "stalled": [
                {"__typename": "Call", "id": "a3", "stage": "overdue", "title": "Stray dogs near school"},
                {"__typename": "Message", "id": "a2", "stage": "replied", "title": "Why is the bus late?"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"tracking": 1, "hotline": 1}


async def test_type_conditions_on_interface_object_results(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ stalled { id ... on Message { board } ... on Call { district } } }")

    assert_data(
        result,
        {"stalled": [{"id": "a3", "district": "D2"}, {"id": "a2", "board": "mayor"}]},
        gateway,
    )


async def test_interface_object_fields_only(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ stalled { id stage } }")

    assert_data(result, {"stalled": [{"id": "a3", "stage": "overdue"}, {"id": "a2", "stage": "replied"}]}, gateway)
    assert scenario.calls() == {"tracking": 1}
