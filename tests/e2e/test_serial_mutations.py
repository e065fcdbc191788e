"""A mutation's root fields run one after another, in the order of the operation (GraphQL spec § 6.2.2), even
across subgraphs; the order is proven by the order in which the subgraphs received the requests and by the
shared write counter in the answers."""

from __future__ import annotations

from tests.e2e.harness import Gateway, Scenario, assert_data

SCENARIO = "dispatch"


def _mutations(scenario: Scenario) -> list[str]:
    return [r.subgraph for r in scenario.journal.entries if r.query.lstrip().startswith("mutation")]


async def test_root_fields_across_subgraphs_run_in_order(gateway: Gateway, scenario: Scenario) -> None:
    query = """
    mutation {
      first: fileTicket(title: "Pothole") { id seq }
      second: assign(ticketId: "t1", unit: "roads office") { id assignedTo assignSeq }
      third: fileTicket(title: "Graffiti") { id seq }
    }
    """
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "first": {"id": "t1", "seq": 1},
            "second": {"id": "t1", "assignedTo": "roads office", "assignSeq": 2},
            "third": {"id": "t2", "seq": 3},
        },
        gateway,
    )
    assert _mutations(scenario) == ["intake", "dispatch", "intake"]


async def test_each_root_field_is_complete_before_the_next_starts(gateway: Gateway, scenario: Scenario) -> None:
    # second's title needs an entity fetch to intake; it must come back before third is filed
    query = """
    mutation {
      first: fileTicket(title: "Pothole") { id }
      second: assign(ticketId: "t1", unit: "roads office") { title assignedTo }
      third: fileTicket(title: "Graffiti") { id seq assignedTo }
    }
    """
    result = await gateway.run(query)

    assert_data(
        result,
        {
            "first": {"id": "t1"},
            "second": {"title": "Pothole", "assignedTo": "roads office"},
            "third": {"id": "t2", "seq": 3, "assignedTo": None},
        },
        gateway,
    )
    order = [(r.subgraph, r.query.lstrip().split()[0].split("(")[0]) for r in scenario.journal.entries]
    assert order[:3] == [("intake", "mutation"), ("dispatch", "mutation"), ("intake", "query")]
    assert order[3] == ("intake", "mutation")


async def test_failed_non_null_mutation_field_nulls_data(gateway: Gateway, scenario: Scenario) -> None:
    query = """
    mutation {
      early: assign(ticketId: "t1", unit: "roads office") { id }
    }
    """
    result = await gateway.run(query)

    assert result["data"] is None
    assert result["errors"][0]["message"] == "no ticket t1 to assign"
    assert result["errors"][0].get("path") == ["early"]


async def test_consecutive_root_fields_of_one_subgraph_may_share_a_fetch(gateway: Gateway, scenario: Scenario) -> None:
    query = 'mutation { a: fileTicket(title: "One") { seq } b: fileTicket(title: "Two") { seq } }'
    result = await gateway.run(query)

    assert_data(result, {"a": {"seq": 1}, "b": {"seq": 2}}, gateway)
    assert scenario.calls() == {"intake": 1}


async def test_mutation_variables_are_passed_to_the_subgraph(gateway: Gateway, scenario: Scenario) -> None:
    query = "mutation ($t: String!) { fileTicket(title: $t) { title } }"
    result = await gateway.run(query, {"t": "Broken bench"})

    assert_data(result, {"fileTicket": {"title": "Broken bench"}}, gateway)
    (request,) = scenario.subgraphs["intake"].requests
    assert "Broken bench" in request.variables.values()
