"""Enums and input objects merged by composition: output-only enums are the union of the subgraphs' values,
input-only enums and input objects the intersection; the gateway accepts exactly what the supergraph has."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "reform"


async def test_input_object_field_known_to_every_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ tickets(filter: {year: 2026}, channel: PHONE) { id status } }")

    assert_data(result, {"tickets": [{"id": "t1", "status": "OPEN"}]}, gateway)
    assert scenario.calls() == {"legacy": 1}


async def test_input_object_field_of_one_subgraph_is_rejected(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ tickets(filter: {year: 2026, legacyCode: "X"}) { id } }')

    assert result.get("data") is None
    assert "legacyCode" in result["errors"][0]["message"]
    assert scenario.calls() == {}


async def test_input_enum_value_of_one_subgraph_is_rejected(gateway: Gateway, scenario: Scenario) -> None:
    for value in ("LETTER", "APP"):
        result = await gateway.run(f"{{ tickets(channel: {value}) {{ id }} }}")
        assert result.get("data") is None, value
    assert scenario.calls() == {}


async def test_input_enum_as_a_variable(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run(
        "query ($c: Channel, $f: TicketFilter) { modernTickets(channel: $c, filter: $f) { id } }",
        {"c": "WEB", "f": {"year": 2025}},
    )

    assert_data(result, {"modernTickets": [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}]}, gateway)
    (request,) = scenario.subgraphs["modern"].requests
    assert "WEB" in request.variables.values() or "WEB" in request.query


async def test_output_enum_value_of_one_subgraph_is_returned(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ modernTickets { status } }")

    assert_data(result, {"modernTickets": [{"status": "OPEN"}, {"status": "CLOSED"}, {"status": "ARCHIVED"}]}, gateway)
