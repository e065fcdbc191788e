"""``@inaccessible``: invisible to clients (validation fails), yet usable by the planner for ``@requires``."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "reform"


async def test_client_cannot_select_an_inaccessible_field(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ ticket(id: "t1") { internalNote } }')

    assert "data" not in result or result["data"] is None
    assert "internalNote" in result["errors"][0]["message"]
    assert scenario.calls() == {}


async def test_inaccessible_field_feeds_a_requires(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ ticket(id: "t1") { id summary } }')

    assert_data(result, {"ticket": {"id": "t1", "summary": "note: caller asked twice"}}, gateway)
    assert scenario.calls() == {"legacy": 1, "modern": 1}
    (request,) = scenario.subgraphs["modern"].entity_requests()
    assert request.variables["representations"] == [
        {"__typename": "Ticket", "id": "t1", "internalNote": "caller asked twice"}
    ]


async def test_api_schema_hides_inaccessible_elements(gateway: Gateway) -> None:
    ticket = gateway.supergraph.api_schema.get_type("Ticket")
    assert "internalNote" not in ticket.fields
    assert "summary" in ticket.fields
