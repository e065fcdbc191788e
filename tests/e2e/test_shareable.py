"""``@shareable`` fields come from whichever subgraph is already being called."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_shareable_field_from_the_root_subgraph_archive(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ archivedCases { number title } }")

    assert_data(
        result,
        {
            "archivedCases": [
                {"number": "H-003", "title": "Blocked fire lane"},
                {"number": "H-001", "title": "Streetlight out on Hehua Road"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"archive": 1}


async def test_shareable_field_from_the_root_subgraph_cases(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c1") { title archivedAt } }')

    assert_data(result, {"case": {"title": "Streetlight out on Hehua Road", "archivedAt": "2026-11-15"}}, gateway)
    assert scenario.calls() == {"cases": 1, "archive": 1}
    (request,) = scenario.subgraphs["archive"].entity_requests()
    assert "title" not in request.query


async def test_shareable_value_type_fields_split_over_subgraphs(gateway: Gateway, scenario: Scenario) -> None:
    # District is a shareable value type: code from cases, name only in units (reached through the Unit key)
    result = await gateway.run('{ case(id: "c2") { unit { district { code name } } } }')

    assert_data(result, {"case": {"unit": {"district": {"code": "D1", "name": "Hehua district"}}}}, gateway)
    assert scenario.calls() == {"cases": 1, "units": 1}
