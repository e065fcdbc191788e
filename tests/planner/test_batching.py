"""Entity fetches to one subgraph that run at the same time share one request (a BatchFetch); nothing else does.

``subgraph_requests`` counts what a plan sends when every fetch has something to fetch: a batch is one request.
"""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse

from gateway.planner import build_query_plan, subgraph_requests
from gateway.planner.plan import BatchFetch, Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from tests.planner.snapshots import assert_plan_matches, supergraph

ROOT = Path(__file__).resolve().parents[2]


def plan(graph: str, query: str) -> QueryPlan:
    return build_query_plan(supergraph(graph), parse(query), None)


def batches(node: PlanNode | None) -> list[BatchFetch]:
    if isinstance(node, BatchFetch):
        return [node]
    if isinstance(node, Sequence | Parallel):
        return [batch for child in node.nodes for batch in batches(child)]
    if isinstance(node, Condition):
        return batches(node.if_clause) + batches(node.else_clause)
    return []


def deep_query() -> str:
    source = (ROOT / "bench" / "gateways.py").read_text(encoding="utf-8")
    found = re.search(r'DEEP_QUERY = """(.*?)"""', source, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_the_benchmarks_deep_query_sends_one_request_per_subgraph_and_stage() -> None:
    text = assert_plan_matches("batched_deep", "store", deep_query())
    assert subgraph_requests(plan("store", deep_query())) == 7  # 13 with a request per Flatten path
    assert text.count("BatchFetch(") == 4


def test_entity_fetches_to_one_subgraph_in_parallel_share_a_request() -> None:
    query = "{ me { reviews { body } } users { reviews { id } } }"
    text = assert_plan_matches("batched_entities", "shop", query)
    assert 'BatchFetch(service: "reviews", fields: [0, 1])' in text
    (batch,) = batches(plan("shop", query).node)
    assert [part.path for part in batch.parts] == [("me",), ("users", "@")]
    assert batch.fields == (0, 1)  # they ask different things: one _entities field each
    assert batch.representations == ("representations0", "representations1")
    assert "_0: _entities(representations: $representations0)" in batch.operation
    assert "_1: _entities(representations: $representations1)" in batch.operation


def test_entity_fetches_asking_the_same_at_several_paths_share_one_entities_field() -> None:
    query = "{ me { reviews { body } } users { reviews { body } } }"
    (batch,) = batches(plan("shop", query).node)
    assert [part.path for part in batch.parts] == [("me",), ("users", "@")]
    assert batch.fields == (0, 0)
    assert batch.operation.count("_entities(") == 1


def test_the_deep_querys_products_and_inventory_fetches_each_share_one_field() -> None:
    shared = {batch.subgraph: batch.fields for batch in batches(plan("store", deep_query()).node)}
    assert shared == {"reviews": (0, 1), "products": (0, 0, 0), "accounts": (0, 0), "inventory": (0, 0, 0)}


def test_a_representations_variable_never_takes_a_client_variables_name() -> None:
    query = (
        "query($representations1: Boolean!) { me { reviews { body } } users { reviews { id } } "
        "products @include(if: $representations1) { name } }"
    )
    (batch,) = batches(plan("shop", query).node)
    assert batch.representations == ("_representations0", "_representations1")
    assert "$representations1" not in batch.operation


def test_fetches_to_different_subgraphs_stay_apart() -> None:
    assert not batches(plan("shop", "{ products { name inStock reviews { body } } }").node)


def test_a_fetch_under_a_condition_stays_apart() -> None:
    query = "query($x: Boolean!) { me { reviews @include(if: $x) { body } } users { reviews { body } } }"
    assert not batches(plan("shop", query).node)
    assert subgraph_requests(plan("shop", query)) == 3


def test_mutation_root_fields_are_never_batched() -> None:
    query = 'mutation { logout addReview(productId: "1", body: "x") { id author { email } } again: logout }'
    planned = plan("shop", query).node
    assert not batches(planned)
    assert isinstance(planned, Sequence)
    assert [type(node) for node in planned.nodes] == [Fetch, Fetch, Flatten, Fetch]


def test_fetches_in_different_stages_stay_apart() -> None:
    # the author's email needs the review, the review needs the product: one request per stage
    planned = plan("shop", '{ product(id: "1") { shippingEstimate reviews { author { email } } } }').node
    assert not batches(planned)


def test_fetches_in_separate_branches_stay_apart() -> None:
    # each reviews fetch waits only for its own root fetch, so they do not run at the same time
    planned = plan("shop", "{ me { reviews { body } } products { reviews { body } } }")
    assert not batches(planned.node)
    assert subgraph_requests(planned) == 4


def test_a_condition_counts_the_requests_of_both_branches() -> None:
    fetch = Fetch(subgraph="a", operation="{ a }")
    assert subgraph_requests(QueryPlan(Condition("x", fetch, Parallel((fetch, fetch))))) == 3
    assert subgraph_requests(QueryPlan(None)) == 0
