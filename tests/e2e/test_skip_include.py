"""``@skip``/``@include``: on variables the plan branches (Condition), and a skipped branch calls no subgraph."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"

WITH_UNIT = 'query ($withUnit: Boolean!) { case(id: "c1") { id unit @include(if: $withUnit) { name } } }'


async def test_included_entity_branch_is_fetched(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run(WITH_UNIT, {"withUnit": True})

    assert_data(result, {"case": {"id": "c1", "unit": {"name": "Hehua street office"}}}, gateway)
    assert scenario.calls() == {"cases": 1, "units": 1}


async def test_excluded_entity_branch_calls_no_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run(WITH_UNIT, {"withUnit": False})

    assert_data(result, {"case": {"id": "c1"}}, gateway)
    assert scenario.calls() == {"cases": 1}


@pytest.mark.parametrize(
    ("skip", "expected", "calls"),
    [
        (True, {"case": {"title": "Streetlight out on Hehua Road"}}, {"cases": 1}),
        (False, {"case": {"title": "Streetlight out on Hehua Road", "dueAt": "2026-11-09"}}, {"cases": 1, "sla": 1}),
    ],
)
async def test_skip_on_a_field_with_requires(
    gateway: Gateway, scenario: Scenario, skip: bool, expected: object, calls: dict[str, int]
) -> None:
    query = 'query ($skip: Boolean!) { case(id: "c1") { title dueAt @skip(if: $skip) } }'
    result = await gateway.run(query, {"skip": skip})

    assert_data(result, expected, gateway)
    assert scenario.calls() == calls


async def test_literal_conditions_and_fragments(gateway: Gateway, scenario: Scenario) -> None:
    query = """
    query ($yes: Boolean!) {
      case(id: "c1") {
        ... @include(if: $yes) { title }
        ... on Case @skip(if: true) { dueAt }
        reporter @include(if: false) { name }
        id @skip(if: false)
      }
    }
    """
    result = await gateway.run(query, {"yes": True})

    assert_data(result, {"case": {"title": "Streetlight out on Hehua Road", "id": "c1"}}, gateway)
    assert scenario.calls() == {"cases": 1}


async def test_skipped_root_field_of_another_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    query = 'query ($noCitizen: Boolean!) { units { code } citizen(key: "p1") @skip(if: $noCitizen) { name } }'
    result = await gateway.run(query, {"noCitizen": True})

    assert_data(result, {"units": [{"code": "U1"}, {"code": "U2"}, {"code": "U1"}]}, gateway)
    assert scenario.calls() == {"units": 1}
