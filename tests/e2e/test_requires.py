"""``@requires``: several fields, a required field with arguments, and chains of requires across subgraphs."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_required_fields_travel_in_the_representation(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c1") { title dueAt } }')

    assert_data(result, {"case": {"title": "Streetlight out on Hehua Road", "dueAt": "2026-11-09"}}, gateway)
    assert scenario.calls() == {"cases": 1, "sla": 1}
    (request,) = scenario.subgraphs["sla"].entity_requests()
    assert request.variables["representations"] == [
        {"__typename": "Case", "id": "c1", "openedAt": "2026-11-02", "priority": 2}
    ]


async def test_requires_with_field_arguments(gateway: Gateway, scenario: Scenario) -> None:
    # escalated needs tags(first: 2): c2's third tag "night" must not count
    result = await gateway.run("{ cases { id escalated } }")

    assert_data(
        result,
        {
            "cases": [
                {"id": "c1", "escalated": True},
                {"id": "c2", "escalated": False},
                {"id": "c3", "escalated": False},
                {"id": "c4", "escalated": False},
                {"id": "c5", "escalated": False},
            ]
        },
        gateway,
    )
    (request,) = scenario.subgraphs["sla"].entity_requests()
    c2 = next(r for r in request.variables["representations"] if r["id"] == "c2")
    assert c2["tags"] == ["noise", "construction"]


async def test_requires_with_arguments_next_to_the_same_field_without(gateway: Gateway) -> None:
    result = await gateway.run('{ case(id: "c2") { tags escalated } }')

    assert_data(result, {"case": {"tags": ["noise", "construction", "night"], "escalated": False}}, gateway)


async def test_required_inputs_are_not_in_the_response(gateway: Gateway) -> None:
    result = await gateway.run('{ case(id: "c1") { dueAt } }')

    assert_data(result, {"case": {"dueAt": "2026-11-09"}}, gateway)


async def test_requires_chain_runs_in_dependency_order(gateway: Gateway, scenario: Scenario) -> None:
    # feedback.lateRatings requires sla.dueAt, which requires cases.openedAt and cases.priority
    result = await gateway.run("{ cases { id lateRatings } }")

    assert_data(
        result,
        {
            "cases": [
                {"id": "c1", "lateRatings": 0},
                {"id": "c2", "lateRatings": 1},
                {"id": "c3", "lateRatings": 0},
                {"id": "c4", "lateRatings": 0},
                {"id": "c5", "lateRatings": 0},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "sla": 1, "feedback": 1}
    assert [r.subgraph for r in scenario.journal.entries] == ["cases", "sla", "feedback"]
    (request,) = scenario.subgraphs["feedback"].entity_requests()
    c2 = next(r for r in request.variables["representations"] if r["id"] == "c2")
    assert c2 == {"__typename": "Case", "id": "c2", "dueAt": "2026-11-08"}


async def test_requires_chain_and_plain_fields_of_the_same_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c2") { ratings { score } lateRatings dueAt } }')

    assert_data(
        result, {"case": {"ratings": [{"score": 2}, {"score": 4}], "lateRatings": 1, "dueAt": "2026-11-08"}}, gateway
    )
    assert scenario.calls().get("sla") == 1
