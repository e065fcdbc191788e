"""Independent fetches run concurrently. Proven without timing: the four subgraphs share a threading.Barrier, so
each request is answered only when all four are in flight at once (a serialising gateway breaks the barrier and the
subgraphs answer errors)."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_four_root_fetches_are_in_flight_at_once(gateway: Gateway, scenario: Scenario) -> None:
    scenario.probe("cases", "units", "citizens", "feedback")

    result = await gateway.run('{ cases { id } units { code } citizen(key: "p1") { name } topRatings { score } }')

    assert "errors" not in result, result
    assert_data(
        result,
        {
            "cases": [{"id": "c1"}, {"id": "c2"}, {"id": "c3"}, {"id": "c4"}, {"id": "c5"}],
            "units": [{"code": "U1"}, {"code": "U2"}, {"code": "U1"}],
            "citizen": {"name": "Li Wei"},
            "topRatings": [{"score": 5}, {"score": 4}],
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "units": 1, "citizens": 1, "feedback": 1}


async def test_four_entity_fetches_after_one_root_fetch_are_in_flight_at_once(
    gateway: Gateway, scenario: Scenario
) -> None:
    scenario.probe("citizens", "units", "sla", "archive")

    result = await gateway.run('{ case(id: "c1") { reporter { name } unit { name } dueAt archivedAt } }')

    assert "errors" not in result, result
    assert_data(
        result,
        {
            "case": {
                "reporter": {"name": "Li Wei"},
                "unit": {"name": "Hehua street office"},
                "dueAt": "2026-11-09",
                "archivedAt": "2026-11-15",
            }
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "citizens": 1, "units": 1, "sla": 1, "archive": 1}
