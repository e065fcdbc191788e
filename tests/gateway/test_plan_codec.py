"""Plans survive the trip through the shared tier's JSON unchanged, and anything else is refused, not misread."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse

from gateway.plan_codec import PlanCodecError, decode_plan, encode_plan
from gateway.planner import build_query_plan
from gateway.planner.plan import (
    BatchFetch,
    Condition,
    Fetch,
    Flatten,
    KeyRename,
    Parallel,
    QueryPlan,
    RequiresField,
    RequiresFragment,
    Sequence,
    TypenameRewrite,
)
from schema.supergraph import load_supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

EVERY_NODE = QueryPlan(
    Sequence(
        (
            Fetch("hotline", "{ a { __typename id } }", id=1, variable_usages=("v",), operation_name="Op"),
            Parallel(
                (
                    Flatten(
                        ("a", "@"),
                        Fetch(
                            "grid",
                            "query($representations:[_Any!]!){_entities(representations:$representations){x}}",
                            requires=(
                                RequiresField("__typename"),
                                RequiresField("id", alias="k0"),
                                RequiresFragment("Ticket", (RequiresField("no", (RequiresField("x"),)),), ("T1", "T2")),
                            ),
                            input_rewrites=(TypenameRewrite(("@",), "Appeal"),),
                            output_rewrites=(TypenameRewrite((), "Ticket", ("Appeal",)),),
                            output_renames=(KeyRename(("a", "@"), "_a0", "a"),),
                            output_types=(("title", ("Call",)), ("stage", ("Call", "Visit"))),
                            id=2,
                        ),
                    ),
                    Condition("flag", Fetch("board", "{ b }", operation_kind="mutation", id=3), None),
                    BatchFetch(
                        "grid",
                        "query($r0: [_Any!]!, $r1: [_Any!]!, $v: Int) { _0: _entities(representations: $r0) { x } "
                        "_1: _entities(representations: $r1) { y } }",
                        parts=(
                            Flatten(("a",), Fetch("grid", "{_entities}", requires=(RequiresField("id"),), id=4)),
                            Flatten(("b", "@"), Fetch("grid", "{_entities}", requires=(RequiresField("no"),), id=5)),
                        ),
                        representations=("r0", "r1"),
                        fields=(0, 1),
                        variable_usages=("v",),
                        id=4,
                    ),
                )
            ),
        )
    )
)


def test_every_kind_of_node_round_trips() -> None:
    assert decode_plan(encode_plan(EVERY_NODE)) == EVERY_NODE
    assert decode_plan(encode_plan(QueryPlan(None))) == QueryPlan(None)


@pytest.mark.parametrize(
    "query",
    [
        "{ appeals(first: 3) { nodes { id title status } } }",
        "query Person($phone: String!) { citizen(phone: $phone) { appeals(first: 2) { nodes { id warning { colour } } } } }",
        '{ node(id: "hotline:1") { id ... on Appeal { timeline { name } } } }',
    ],
)
def test_the_products_plans_round_trip(query: str) -> None:
    supergraph = load_supergraph(SUPERGRAPH.read_text(encoding="utf-8"))
    document = parse(query)
    try:
        plan = build_query_plan(supergraph, document, None)
    except Exception as error:  # a query that no longer fits the schema is a broken test, said plainly
        pytest.fail(f"the sample query does not plan: {error}")
    assert decode_plan(encode_plan(plan)) == plan


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b'{"format": 1, "node": null}',
        b'{"format": 2, "node": null}',  # written by a gateway that never batched: planned afresh
        b'{"format": 3, "node": null}',  # batches without shared fields
        b'{"format": 4, "node": {"k": "teleport"}}',
        b'{"format": 4}',
        b'{"format": 4, "node": {"k": "batch", "subgraph": "a", "operation": "{}", "parts": [], '
        b'"representations": ["r0"], "fields": [], "vars": [], "id": 0}}',
    ],
)
def test_anything_but_a_plan_of_this_format_is_refused(raw: bytes) -> None:
    with pytest.raises(PlanCodecError):
        decode_plan(raw)


def test_the_codec_knows_every_field_of_every_plan_node() -> None:
    # a field added to a plan node that the codec does not carry would be lost by every replica reading the plan
    from dataclasses import fields

    known = {
        Fetch: {
            "subgraph", "operation", "operation_kind", "operation_name", "variable_usages", "requires",
            "input_rewrites", "output_rewrites", "output_renames", "output_types", "id",
        },
        Flatten: {"path", "node"},
        BatchFetch: {"subgraph", "operation", "parts", "representations", "fields", "variable_usages", "id"},
        Sequence: {"nodes"},
        Parallel: {"nodes"},
        Condition: {"variable", "if_clause", "else_clause"},
        RequiresField: {"name", "selections", "alias"},
        RequiresFragment: {"type_condition", "selections", "possible_types"},
        TypenameRewrite: {"path", "to_type", "from_types"},
        KeyRename: {"path", "from_key", "to_key"},
        QueryPlan: {"node"},
    }  # fmt: skip
    for node, names in known.items():
        assert {f.name for f in fields(node)} == names, f"{node.__name__}: carry the new field in gateway.plan_codec"
