"""Plan snapshots: golden text files under ``tests/planner/snapshots``; ``MINYI_UPDATE_GOLDEN=1`` rewrites them."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from graphql import parse, validate

from gateway.planner import build_query_plan, print_plan
from schema.supergraph import Supergraph, load_supergraph

HERE = Path(__file__).parent


@cache
def supergraph(name: str) -> Supergraph:
    return load_supergraph((HERE / "supergraphs" / f"{name}.graphql").read_text())


def plan_text(graph: str, query: str, operation_name: str | None = None) -> str:
    model = supergraph(graph)
    document = parse(query)
    errors = validate(model.api_schema, document)
    assert not errors, errors
    return print_plan(build_query_plan(model, document, operation_name))


def assert_plan_matches(name: str, graph: str, query: str, operation_name: str | None = None) -> str:
    text = plan_text(graph, query, operation_name)
    golden = HERE / "snapshots" / f"{name}.txt"
    if os.environ.get("MINYI_UPDATE_GOLDEN") == "1" or not golden.exists():
        golden.write_text(text + "\n")
    assert text + "\n" == golden.read_text(), f"plan for {name} differs from {golden}"
    return text
