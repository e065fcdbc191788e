"""Plan snapshots: golden text files under ``tests/planner/snapshots``.

A missing snapshot fails the test: a snapshot is only written when ``MINYI_UPDATE_GOLDEN=1`` asks for it, by hand,
and the new file is reviewed and committed. CI never sets the variable (``tests/planner/test_snapshots.py`` checks
that neither ``.ci/run`` nor ``scripts/test.sh`` does).

Every plan made here is also checked fetch by fetch: each subgraph operation must be valid against that subgraph's
schema (:mod:`tests.support.subgraph_operations`).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from graphql import parse, validate

from gateway.planner import build_query_plan, print_plan
from schema.supergraph import Supergraph, load_supergraph
from tests.support.subgraph_operations import assert_valid_subgraph_operations

HERE = Path(__file__).parent


@cache
def supergraph(name: str) -> Supergraph:
    return load_supergraph((HERE / "supergraphs" / f"{name}.graphql").read_text())


def plan_text(graph: str, query: str, operation_name: str | None = None) -> str:
    model = supergraph(graph)
    document = parse(query)
    errors = validate(model.api_schema, document)
    assert not errors, errors
    plan = build_query_plan(model, document, operation_name)
    assert_valid_subgraph_operations(model, plan)
    return print_plan(plan)


def updating() -> bool:
    """Whether this run was asked to write snapshots (``MINYI_UPDATE_GOLDEN=1``)."""
    return os.environ.get("MINYI_UPDATE_GOLDEN") == "1"


def assert_plan_matches(
    name: str, graph: str, query: str, operation_name: str | None = None, *, folder: Path = HERE / "snapshots"
) -> str:
    text = plan_text(graph, query, operation_name)
    golden = folder / f"{name}.txt"
    if updating():
        golden.write_text(text + "\n")
    elif not golden.exists():
        pytest.fail(f"no plan snapshot {golden}: run with MINYI_UPDATE_GOLDEN=1 to write it, then review it")
    assert text + "\n" == golden.read_text(), f"plan for {name} differs from {golden}"
    return text
