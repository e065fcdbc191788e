"""``@provides``: a subgraph that provides a field of another subgraph's entity is not followed by a fetch for it."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "appeals"


async def test_provided_field_needs_no_entity_fetch(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ topRatings { score author { name } } }")

    assert_data(
        result,
        {"topRatings": [{"score": 5, "author": {"name": "Wang Fang"}}, {"score": 4, "author": {"name": "Li Wei"}}]},
        gateway,
    )
    assert scenario.calls() == {"feedback": 1}


async def test_field_beyond_the_provided_ones_is_fetched(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run("{ topRatings { author { name phone } } }")

    assert_data(
        result,
        {
            "topRatings": [
                {"author": {"name": "Wang Fang", "phone": "139****0002"}},
                {"author": {"name": "Li Wei", "phone": "138****0001"}},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"feedback": 1, "citizens": 1}


async def test_provides_holds_below_an_entity_fetch(gateway: Gateway, scenario: Scenario) -> None:
    result = await gateway.run('{ case(id: "c2") { ratings { score author { name } } } }')

    assert_data(
        result,
        {
            "case": {
                "ratings": [{"score": 2, "author": {"name": "Zhang Min"}}, {"score": 4, "author": {"name": "Li Wei"}}]
            }
        },
        gateway,
    )
    assert scenario.calls() == {"cases": 1, "feedback": 1}
