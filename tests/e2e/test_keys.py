"""Entity keys: several keys on one type, composite keys, nested keys, keys that are not resolvable."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_second_key_joins_a_subgraph_that_knows_only_the_composite_key(
    gateway: Gateway, scenario: Scenario
) -> None:
    # archive knows cases by "number year"; cases resolves them by that key too
    result = await gateway.run("{ archivedCases { number year archivedAt openedAt } }")

    assert_data(
        result,
        {
            "archivedCases": [
                {"number": "H-003", "year": 2025, "archivedAt": "2026-01-10", "openedAt": "2025-12-20"},
                {"number": "H-001", "year": 2026, "archivedAt": "2026-11-15", "openedAt": "2026-11-02"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"archive": 1, "cases": 1}
    (request,) = scenario.subgraphs["cases"].entity_requests()
    assert {"__typename": "Case", "number": "H-003", "year": 2025} in request.variables["representations"]


async def test_entity_reached_by_one_key_then_leaves_by_another(gateway: Gateway, scenario: Scenario) -> None:
    # archive → cases (number year) → sla (id, with the fields sla requires)
    result = await gateway.run("{ archivedCases { title dueAt } }")

    assert_data(
        result,
        {
            "archivedCases": [
                {"title": "Blocked fire lane", "dueAt": "2026-01-04"},
                {"title": "Streetlight out on Hehua Road", "dueAt": "2026-11-09"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"archive": 1, "cases": 1, "sla": 1}
    assert [r.subgraph for r in scenario.journal.entries] == ["archive", "cases", "sla"]


async def test_nested_key_sends_the_key_object(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c5") { unit { code name district { code name } } } }')

    assert_data(
        result,
        {
            "case": {
                "unit": {
                    "code": "U1",
                    "name": "Lakeside street office",
                    "district": {"code": "D2", "name": "Lakeside district"},
                }
            }
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "units": 1}
    (request,) = scenario.subgraphs["units"].entity_requests()
    assert request.variables["representations"] == [{"__typename": "Unit", "code": "U1", "district": {"code": "D2"}}]


async def test_key_fields_at_hand_need_no_entity_fetch(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c1") { id reporter { key } unit { code district { code } } } }')

    assert_data(
        result,
        {"case": {"id": "c1", "reporter": {"key": "p1"}, "unit": {"code": "U1", "district": {"code": "D1"}}}},
        gateway,
    )
    assert scenario.calls() == {"cases": 1}


async def test_non_resolvable_key_only_points_at_the_owner(gateway: Gateway, scenario: Scenario) -> None:
    # Unit is @key(resolvable: false) in cases: units is the only way to its name, and cases is never asked for it
    result = await gateway.run("{ units { code name } }")

    assert_data(
        result,
        {
            "units": [
                {"code": "U1", "name": "Hehua street office"},
                {"code": "U2", "name": "Urban management bureau, Hehua"},
                {"code": "U1", "name": "Lakeside street office"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"units": 1}
