"""``@override``: a field moved to another subgraph is fetched there; progressive override by ``percent(n)`` label
(100: moved, 0: not yet)."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "reform"


async def test_overridden_field_comes_from_the_new_owner(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ ticket(id: "t1") { id handler } }')

    assert_data(result, {"ticket": {"id": "t1", "handler": "Hehua street office"}}, gateway)
    assert scenario.calls() == {"legacy": 1, "modern": 1}


async def test_progressive_override_at_100_percent_is_moved(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ ticket(id: "t1") { score } }')

    assert_data(result, {"ticket": {"score": 87}}, gateway)
    assert scenario.calls() == {"legacy": 1, "modern": 1}


async def test_progressive_override_at_0_percent_stays(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ ticket(id: "t1") { rank } }')

    assert_data(result, {"ticket": {"rank": 10}}, gateway)
    assert scenario.calls() == {"legacy": 1}


async def test_overridden_fields_from_the_new_owner_root(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ modernTickets { id handler score status } }")

    assert_data(
        result,
        {
            "modernTickets": [
                {"id": "t1", "handler": "Hehua street office", "score": 87, "status": "OPEN"},
                {"id": "t2", "handler": "Hehua street office", "score": 87, "status": "CLOSED"},
                {"id": "t3", "handler": "Hehua street office", "score": 87, "status": "ARCHIVED"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"modern": 1}
