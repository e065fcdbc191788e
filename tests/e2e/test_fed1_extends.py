"""A Federation 1 supergraph: entities extended with ``extend type`` and ``@extends``, ``@external``, ``@requires``."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "fed1"


async def test_fields_of_extending_subgraphs(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ me { id name badge shifts { day hours } } }")

    assert_data(
        result,
        {
            "me": {
                "id": "o1",
                "name": "Chen Jing",
                "badge": "B-1001",
                "shifts": [{"day": "Mon", "hours": 8}, {"day": "Tue", "hours": 6}],
            }
        },
        gateway,
    )
    assert scenario.calls() == {"accounts": 1, "badges": 1, "shifts": 1}


async def test_root_field_of_an_extending_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ onDuty { id name shifts { day } } }")

    assert_data(
        result,
        {
            "onDuty": [
                {"id": "o2", "name": "Zhou Lan", "shifts": [{"day": "Sat"}]},
                {"id": "o1", "name": "Chen Jing", "shifts": [{"day": "Mon"}, {"day": "Tue"}]},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"shifts": 1, "accounts": 1}


async def test_fed1_requires_on_an_external_field(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ onDuty { greeting } }")

    assert_data(
        result, {"onDuty": [{"greeting": "Good morning, Zhou Lan"}, {"greeting": "Good morning, Chen Jing"}]}, gateway
    )
    assert [r.subgraph for r in scenario.journal.entries] == ["shifts", "accounts", "badges"]
