"""Every subgraph operation a plan sends must be valid against that subgraph's schema.

:func:`subgraph_schema` rebuilds one subgraph's schema from a supergraph's join metadata (the types and fields the
subgraph declares, with its own field types, interfaces and union members, plus ``_Any``, ``_Entity`` and
``Query._entities``), so a test can check an operation the way the subgraph would before running it.
:func:`assert_valid_subgraph_operations` checks every fetch of a plan with graphql-core's ``validate``: a field the
subgraph does not have, two ``@include`` on one field, fields that cannot merge under one response key.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from graphql import GraphQLSchema, build_schema, parse, print_ast, validate
from graphql.type import GraphQLField

from gateway.planner.plan import BatchFetch, Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence
from schema.supergraph import Supergraph

__all__ = ["assert_valid_subgraph_operations", "fetches", "subgraph_schema"]


def fetches(node: PlanNode | None) -> Iterator[Fetch | BatchFetch]:
    """Every operation of a plan: its fetches, and a batch with each of its parts (each valid on its own)."""
    if node is None:
        return
    if isinstance(node, Fetch):
        yield node
    elif isinstance(node, Flatten):
        yield node.node
    elif isinstance(node, BatchFetch):
        yield node
        for part in node.parts:
            yield part.node
    elif isinstance(node, Sequence | Parallel):
        for child in node.nodes:
            yield from fetches(child)
    elif isinstance(node, Condition):
        yield from fetches(node.if_clause)
        yield from fetches(node.else_clause)


def _arguments(supergraph: Supergraph, type_name: str, field_name: str) -> str:
    named = supergraph.schema.get_type(type_name)
    definition: GraphQLField | None = getattr(named, "fields", {}).get(field_name)
    if definition is None or not definition.args:
        return ""
    parts = []
    for name, argument in definition.args.items():
        text = f"{name}: {argument.type}"
        if argument.ast_node is not None and argument.ast_node.default_value is not None:
            text += f" = {print_ast(argument.ast_node.default_value)}"
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def subgraph_sdl(supergraph: Supergraph, graph: str) -> str:
    lines: list[str] = ["scalar _Any"]
    entities: list[str] = []
    query = supergraph.query_type
    has_query = False
    for name, meta in supergraph.types.items():
        entry = meta.graphs.get(graph)
        if entry is None or name.startswith(("join__", "link__")):
            continue
        if meta.kind in ("object", "interface"):
            kind = "type" if meta.kind == "object" or entry.is_interface_object else "interface"
            interfaces = sorted(meta.implements.get(graph, ()))
            fields = [
                f"  {field_name}{_arguments(supergraph, name, field_name)}: {field_entry.type or field.type}"
                for field_name, field in meta.fields.items()
                for field_entry in (field.graphs.get(graph),)
                if field_entry is not None
            ]
            if name == query:
                has_query = True
                fields.append("  _entities(representations: [_Any!]!): [_Entity]!")
            if kind == "type" and entry.keys:
                entities.append(name)
            implements = " implements " + " & ".join(interfaces) if interfaces else ""
            lines.append(f"{kind} {name}{implements} {{\n" + "\n".join(fields or ["  _empty: Int"]) + "\n}")
        elif meta.kind == "union":
            members = sorted(meta.union_members.get(graph, ()))
            if members:
                lines.append(f"union {name} = {' | '.join(members)}")
        elif meta.kind == "enum":
            values = [value for value, graphs in meta.enum_values.items() if not graphs or graph in graphs]
            lines.append(f"enum {name} {{ {' '.join(values) or 'EMPTY'} }}")
        elif meta.kind == "input":
            fields = [f"  {field_name}: {field.type}" for field_name, field in meta.fields.items()]
            lines.append(f"input {name} {{\n" + "\n".join(fields) + "\n}")
        elif meta.kind == "scalar":
            lines.append(f"scalar {name}")
    if not has_query:
        lines.append(f"type {query} {{\n  _entities(representations: [_Any!]!): [_Entity]!\n}}")
    lines.append(f"union _Entity = {' | '.join(entities) or '_Any'}" if entities else "scalar _Entity")
    return "\n\n".join(lines) + "\n"


@cache
def _schema(sdl: str) -> GraphQLSchema:
    return build_schema(sdl, assume_valid_sdl=True)


def subgraph_schema(supergraph: Supergraph, graph: str) -> GraphQLSchema:
    return _schema(subgraph_sdl(supergraph, graph))


def assert_valid_subgraph_operations(supergraph: Supergraph, plan: QueryPlan) -> None:
    """Every fetch of ``plan`` is a valid operation for its subgraph."""
    for fetch in fetches(plan.node):
        errors = validate(subgraph_schema(supergraph, fetch.subgraph), parse(fetch.operation))
        assert not errors, f"invalid operation for subgraph {fetch.subgraph!r}: {fetch.operation}\n{errors}"
