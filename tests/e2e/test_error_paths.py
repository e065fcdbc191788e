"""Errors a subgraph reports under ``_entities`` reach the client at the client's paths."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data, error_paths

SCENARIO = "appeals"


async def test_entities_error_path_becomes_the_client_path(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ cases { id reporter { phone } } }")

    assert_data(
        result,
        {
            "cases": [
                {"id": "c1", "reporter": {"phone": "138****0001"}},
                {"id": "c2", "reporter": {"phone": "139****0002"}},
                {"id": "c3", "reporter": {"phone": "138****0001"}},
                {"id": "c4", "reporter": None},
                {"id": "c5", "reporter": {"phone": None}},
            ]
        },
        gateway,
    )
    assert error_paths(result) == [["cases", 4, "reporter", "phone"]]
    assert result["errors"][0]["message"] == "phone is masked for this citizen"
    # the subgraph itself reported it under _entities
    (request,) = scenario.subgraphs["citizens"].entity_requests()
    assert len(request.variables["representations"]) == 3


async def test_one_entity_error_is_reported_at_every_position_of_that_entity(gateway: Gateway) -> None:
    result = await gateway.run("{ cases { cosigners { phone } } }")

    assert_data(
        result,
        {
            "cases": [
                {"cosigners": [{"phone": "139****0002"}, {"phone": None}]},
                {"cosigners": [{"phone": "138****0001"}, {"phone": None}]},
                {"cosigners": []},
                {"cosigners": []},
                {"cosigners": [{"phone": "139****0002"}]},
            ]
        },
        gateway,
    )
    assert error_paths(result) == [["cases", 0, "cosigners", 1, "phone"], ["cases", 1, "cosigners", 1, "phone"]]


async def test_error_path_under_an_alias_uses_the_alias(gateway: Gateway) -> None:
    result = await gateway.run('{ c: case(id: "c5") { who: reporter { tel: phone } } }')

    assert_data(result, {"c": {"who": {"tel": None}}}, gateway)
    assert error_paths(result) == [["c", "who", "tel"]]
