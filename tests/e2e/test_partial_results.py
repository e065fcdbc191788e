"""A subgraph that is down or answers garbage costs only its own fields: null plus an error naming it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from tests.e2e.harness import OPENERS, Gateway, Scenario, assert_data, dead_url

Opener = Callable[..., AbstractAsyncContextManager[Gateway]]

SCENARIO = "appeals"


@pytest.fixture(params=sorted(OPENERS))
def open_gateway(request: pytest.FixtureRequest) -> Opener:
    """The staged gateway, and the real app over HTTP."""
    return OPENERS[request.param]


CASES_WITHOUT_UNITS = {
    "cases": [
        {"id": "c1", "title": "Streetlight out on Hehua Road", "unit": None},
        {"id": "c2", "title": "Night construction noise", "unit": None},
        {"id": "c3", "title": "Blocked fire lane", "unit": None},
        {"id": "c4", "title": "Anonymous tip: illegal dumping", "unit": None},
        {"id": "c5", "title": "Low water pressure", "unit": None},
    ]
}


def _service_errors(result: dict[str, object], service: str) -> list[dict[str, object]]:
    errors = result.get("errors")
    assert isinstance(errors, list) and errors, f"expected errors, got {result}"
    named = [e for e in errors if e.get("extensions", {}).get("service") == service]
    assert named, f"no error names the service {service!r}: {errors}"
    for error in named:
        assert isinstance(error["extensions"].get("code"), str) and error["extensions"]["code"]
        assert error["message"]
    return named


async def test_entity_fields_of_a_subgraph_that_is_down_are_null(scenario: Scenario, open_gateway: Opener) -> None:
    async with open_gateway(scenario, {**scenario.urls, "units": dead_url()}) as gateway:
        result = await gateway.run("{ cases { id title unit { name } } }")

    assert_data(result, CASES_WITHOUT_UNITS, gateway)
    _service_errors(result, "units")
    assert scenario.calls() == {"cases": 1}


async def test_root_field_of_a_subgraph_that_is_down_is_null_and_the_rest_is_answered(
    scenario: Scenario, open_gateway: Opener
) -> None:
    async with open_gateway(scenario, {**scenario.urls, "units": dead_url()}) as gateway:
        result = await gateway.run('{ units { name } citizen(key: "p2") { name } }')

    assert_data(result, {"units": None, "citizen": {"name": "Wang Fang"}}, gateway)
    (error,) = _service_errors(result, "units")
    assert error.get("path") in (None, ["units"])


@pytest.mark.parametrize("fault", ["status500", "close", "garbage"])
async def test_a_failing_subgraph_costs_only_its_fields(scenario: Scenario, open_gateway: Opener, fault: str) -> None:
    async with open_gateway(scenario) as gateway:
        scenario.subgraphs["units"].fail = fault
        result = await gateway.run("{ cases { id title unit { name } } }")

    assert_data(result, CASES_WITHOUT_UNITS, gateway)
    _service_errors(result, "units")


async def test_a_failing_subgraph_on_the_way_to_another_costs_the_fields_behind_it(
    scenario: Scenario, open_gateway: Opener
) -> None:
    # feedback.lateRatings needs sla.dueAt: with sla down, both are null, cases fields still answered
    async with open_gateway(scenario, {**scenario.urls, "sla": dead_url()}) as gateway:
        result = await gateway.run('{ case(id: "c2") { title dueAt lateRatings } }')

    assert result["data"] == {"case": {"title": "Night construction noise", "dueAt": None, "lateRatings": None}}
    _service_errors(result, "sla")
    assert "sla" not in scenario.calls()
