"""An entity fetch sends each distinct representation once, whatever the number of list positions that need it."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


def _sent(scenario: Scenario, subgraph: str) -> list[dict[str, object]]:
    (request,) = scenario.subgraphs[subgraph].entity_requests()
    return list(request.variables["representations"])


async def test_reporters_shared_by_several_cases_are_fetched_once(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ cases { id reporter { name } } }")

    assert_data(
        result,
        {
            "cases": [
                {"id": "c1", "reporter": {"name": "Li Wei"}},
                {"id": "c2", "reporter": {"name": "Wang Fang"}},
                {"id": "c3", "reporter": {"name": "Li Wei"}},
                {"id": "c4", "reporter": None},
                {"id": "c5", "reporter": {"name": "Zhang Min"}},
            ]
        },
        gateway,
    )
    assert "errors" not in result
    assert scenario.calls() == {"cases": 1, "citizens": 1}
    sent = _sent(scenario, "citizens")
    assert sorted(sent, key=lambda r: str(r["key"])) == [
        {"__typename": "Citizen", "key": "p1"},
        {"__typename": "Citizen", "key": "p2"},
        {"__typename": "Citizen", "key": "p3"},
    ]


async def test_nested_list_positions_share_one_entities_call(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ cases { cosigners { name } } }")

    assert_data(
        result,
        {
            "cases": [
                {"cosigners": [{"name": "Wang Fang"}, {"name": "Zhang Min"}]},
                {"cosigners": [{"name": "Li Wei"}, {"name": "Zhang Min"}]},
                {"cosigners": []},
                {"cosigners": []},
                {"cosigners": [{"name": "Wang Fang"}]},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "citizens": 1}
    assert sorted(str(r["key"]) for r in _sent(scenario, "citizens")) == ["p1", "p2", "p3"]


async def test_composite_nested_keys_are_deduplicated_as_whole_values(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ cases { unit { name } } }")

    assert_data(
        result,
        {
            "cases": [
                {"unit": {"name": "Hehua street office"}},
                {"unit": {"name": "Urban management bureau, Hehua"}},
                {"unit": {"name": "Hehua street office"}},
                {"unit": None},
                {"unit": {"name": "Lakeside street office"}},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "units": 1}
    sent = _sent(scenario, "units")
    assert len(sent) == 3
    assert {"__typename": "Unit", "code": "U1", "district": {"code": "D2"}} in sent
