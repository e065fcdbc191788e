"""Interfaces and unions distributed over subgraphs, ``@provides`` on interface- and union-typed fields, and
``@requires`` with fragments on an abstract type."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "channels"


async def test_entity_interface_with_fragments_from_its_owner(gateway: Gateway, scenario: Scenario) -> None:
    query = "{ appeals { __typename id title ... on Call { district } ... on Message { board } } }"
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "appeals": [
                {"__typename": "Call", "id": "a1", "title": "Pothole on Xinhua Street", "district": "D1"},
                {"__typename": "Message", "id": "a2", "title": "Why is the bus late?", "board": "mayor"},
                {"__typename": "Call", "id": "a3", "title": "Stray dogs near school", "district": "D2"},
                {"__typename": "Message", "id": "a4", "title": "Park lights at night", "board": "district"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"hotline": 1}


async def test_distributed_interface_with_provides_stays_in_one_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    query = '{ nearby(district: "D1") { __typename district ... on Call { title } ... on GridEvent { kind } } }'
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "nearby": [
                {"__typename": "Call", "district": "D1", "title": "Pothole on Xinhua Street"},
                {"__typename": "GridEvent", "district": "D1", "kind": "litter"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"grid": 1}


async def test_field_outside_the_provided_ones_is_fetched_for_the_right_type(
    gateway: Gateway, scenario: Scenario
) -> None:
    query = '{ nearby(district: "D2") { ... on Call { id related { __typename } } ... on GridEvent { id } } }'
    result = await gateway.run(query)

    assert_data(
        result,
        {"nearby": [{"id": "a3", "related": {"__typename": "Call"}}, {"id": "g2"}]},
        gateway,
    )
    assert scenario.calls() == {"grid": 1, "hotline": 1}
    (request,) = scenario.subgraphs["hotline"].entity_requests()
    assert request.variables["representations"] == [{"__typename": "Call", "id": "a3"}]


async def test_distributed_union_with_provides(gateway: Gateway, scenario: Scenario) -> None:
    query = """{ gridSearch(text: "any") {
        __typename ... on Call { id title } ... on GridEvent { kind } ... on Message { id board } } }"""
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "gridSearch": [
                {"__typename": "Call", "id": "a3", "title": "Stray dogs near school"},
                {"__typename": "GridEvent", "kind": "parking"},
                {"__typename": "Message", "id": "a4", "board": "district"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"grid": 1, "hotline": 1}
    (request,) = scenario.subgraphs["hotline"].entity_requests()
    assert request.variables["representations"] == [{"__typename": "Message", "id": "a4"}]


async def test_union_member_of_one_subgraph_only(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ search(text: "t") { __typename ... on GridEvent { kind } ... on Call { id } } }')

    assert_data(
        result,
        {
            "search": [
                {"__typename": "Call", "id": "a1"},
                {"__typename": "Message"},
                {"__typename": "Call", "id": "a3"},
                {"__typename": "Message"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"hotline": 1}


async def test_requires_with_fragments_on_a_union(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ appeals { ... on Call { id escalation } } }")

    assert_data(
        result,
        {
            "appeals": [
                {"id": "a1", "escalation": "board:mayor"},
                {},
                {"id": "a3", "escalation": "call:Pothole on Xinhua Street"},
                {},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"hotline": 1, "grid": 1}
    (request,) = scenario.subgraphs["grid"].entity_requests()
    a1 = next(r for r in request.variables["representations"] if r["id"] == "a1")
    assert a1["related"] == {"__typename": "Message", "board": "mayor"}
