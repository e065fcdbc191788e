"""Fields several subgraphs share: a union whose members differ between them, and sibling fragments whose fields of
one response key have different types in the subgraph that answers them."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "boards"

CARDS = "cards { __typename ... on Note { text } ... on Sketch { strokes } ... on Photo { pixels } }"


async def test_sibling_fragments_with_one_response_key_of_different_types_reach_the_subgraph_aliased(
    gateway: Gateway, scenario: Scenario
) -> None:
    # parties has Member.code: ID! but Guest.code: ID; unaliased, it would reject the operation
    result = await gateway.run(
        "{ parties { ... on Member { code label contacts { ... on Member { code } ... on Guest { code label } } }"
        " ... on Guest { code label } } }"
    )

    assert_data(
        result,
        {
            "parties": [
                {
                    "code": "m1",
                    "label": "Lin Yue",
                    "contacts": [{"code": "m2"}, {"code": None, "label": "walk-in visitor"}],
                },
                {"code": None, "label": "walk-in visitor"},
            ]
        },
        gateway,
    )
    assert scenario.calls() == {"parties": 1}


async def test_union_members_only_one_sharing_subgraph_knows_keep_their_typename_and_null_fields(
    gateway: Gateway, scenario: Scenario
) -> None:
    # Board.lane may come from north or south; a Sketch is north's own, so the gateway does not ask for its fields
    result = await gateway.run("{ northBoard { lane { " + CARDS + " } } }")

    assert_data(
        result,
        {
            "northBoard": {
                "lane": {
                    "cards": [{"__typename": "Note", "text": "ship it"}, {"__typename": "Sketch", "strokes": None}]
                }
            }
        },
        gateway,
    )
    assert scenario.calls() == {"north": 1}


async def test_union_under_a_field_of_one_subgraph_keeps_that_subgraphs_members(
    gateway: Gateway, scenario: Scenario
) -> None:
    result = await gateway.run("{ northBoard { southLane { " + CARDS + " } } }")

    assert_data(
        result,
        {
            "northBoard": {
                "southLane": {
                    "cards": [{"__typename": "Photo", "pixels": 12}, {"__typename": "Note", "text": "south only"}]
                }
            }
        },
        gateway,
    )
    assert scenario.calls() == {"north": 1, "south": 1}
