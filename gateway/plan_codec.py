"""Query plans as JSON bytes, for the plan cache's shared tier (:mod:`gateway.plan_store`).

:func:`encode_plan` writes a :class:`~gateway.planner.plan.QueryPlan` as tagged JSON objects (``"k"`` names the node
kind); :func:`decode_plan` reads it back into equal frozen dataclasses. The format carries a version
(:data:`PLAN_FORMAT`): a replica that meets a plan written in another format, or anything malformed, gets
:class:`PlanCodecError` and plans afresh — a shared cache must never hand a replica a plan it misreads. A field
added to a plan node must be added here and :data:`PLAN_FORMAT` raised (a test compares the fields).
"""

from __future__ import annotations

from typing import Any

import orjson

from gateway.planner.plan import (
    BatchFetch,
    Condition,
    Fetch,
    Flatten,
    KeyRename,
    Parallel,
    PlanNode,
    QueryPlan,
    RequiresField,
    RequiresFragment,
    RequiresSelection,
    Sequence,
    TypenameRewrite,
)

__all__ = ["PLAN_FORMAT", "PlanCodecError", "decode_plan", "encode_plan"]

PLAN_FORMAT = 4  # 2: Fetch.output_types; 3: BatchFetch; 4: BatchFetch.fields


class PlanCodecError(ValueError):
    """Stored bytes that are not a plan of :data:`PLAN_FORMAT`."""


def encode_plan(plan: QueryPlan) -> bytes:
    return orjson.dumps({"format": PLAN_FORMAT, "node": None if plan.node is None else _node(plan.node)})


def decode_plan(raw: bytes | str) -> QueryPlan:
    try:
        document = orjson.loads(raw)
        if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT:
            raise PlanCodecError(f"not a query plan of format {PLAN_FORMAT}")
        node = document["node"]
        return QueryPlan(None if node is None else _read_node(node))
    except PlanCodecError:
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlanCodecError(f"malformed stored query plan: {error}") from error


def _node(node: PlanNode) -> dict[str, Any]:
    if isinstance(node, Fetch):
        return {
            "k": "fetch",
            "subgraph": node.subgraph,
            "operation": node.operation,
            "kind": node.operation_kind,
            "name": node.operation_name,
            "vars": list(node.variable_usages),
            "requires": [_selection(s) for s in node.requires],
            "in": [_rewrite(r) for r in node.input_rewrites],
            "out": [_rewrite(r) for r in node.output_rewrites],
            "renames": [[list(r.path), r.from_key, r.to_key] for r in node.output_renames],
            "types": [[key, list(types)] for key, types in node.output_types],
            "id": node.id,
        }
    if isinstance(node, Flatten):
        return {"k": "flatten", "path": list(node.path), "node": _node(node.node)}
    if isinstance(node, BatchFetch):
        return {
            "k": "batch",
            "subgraph": node.subgraph,
            "operation": node.operation,
            "parts": [_node(part) for part in node.parts],
            "representations": list(node.representations),
            "fields": list(node.fields),
            "vars": list(node.variable_usages),
            "id": node.id,
        }
    if isinstance(node, Sequence):
        return {"k": "sequence", "nodes": [_node(n) for n in node.nodes]}
    if isinstance(node, Parallel):
        return {"k": "parallel", "nodes": [_node(n) for n in node.nodes]}
    return {
        "k": "condition",
        "variable": node.variable,
        "if": None if node.if_clause is None else _node(node.if_clause),
        "else": None if node.else_clause is None else _node(node.else_clause),
    }


def _selection(selection: RequiresSelection) -> dict[str, Any]:
    if isinstance(selection, RequiresField):
        return {
            "field": selection.name,
            "alias": selection.alias,
            "selections": [_selection(s) for s in selection.selections],
        }
    return {
        "on": selection.type_condition,
        "types": list(selection.possible_types),
        "selections": [_selection(s) for s in selection.selections],
    }


def _rewrite(rewrite: TypenameRewrite) -> list[Any]:
    return [list(rewrite.path), rewrite.to_type, list(rewrite.from_types)]


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanCodecError("expected a list of strings")
    return tuple(value)


def _read_node(raw: Any) -> PlanNode:
    kind = raw["k"]
    if kind == "fetch":
        return _read_fetch(raw)
    if kind == "flatten":
        inner = _read_node(raw["node"])
        if not isinstance(inner, Fetch):
            raise PlanCodecError("a flatten node holds a fetch")
        return Flatten(_strings(raw["path"]), inner)
    if kind == "batch":
        return _read_batch(raw)
    if kind == "sequence":
        return Sequence(tuple(_read_node(n) for n in raw["nodes"]))
    if kind == "parallel":
        return Parallel(tuple(_read_node(n) for n in raw["nodes"]))
    if kind == "condition":
        return Condition(
            str(raw["variable"]),
            None if raw["if"] is None else _read_node(raw["if"]),
            None if raw["else"] is None else _read_node(raw["else"]),
        )
    raise PlanCodecError(f"unknown plan node kind {kind!r}")


def _read_batch(raw: Any) -> BatchFetch:
    parts = tuple(_read_node(part) for part in raw["parts"])
    if not all(isinstance(part, Flatten) for part in parts):
        raise PlanCodecError("a batch holds flatten nodes")
    representations = _strings(raw["representations"])
    fields = raw["fields"]
    if not isinstance(fields, list) or len(fields) != len(parts) or not all(isinstance(f, int) for f in fields):
        raise PlanCodecError("a batch names the _entities field of every part")
    if set(fields) != set(range(len(representations))):
        raise PlanCodecError("a batch's _entities fields are its representations variables")
    if not isinstance(raw["id"], int):
        raise PlanCodecError("a batch's id is an integer")
    return BatchFetch(
        subgraph=str(raw["subgraph"]),
        operation=str(raw["operation"]),
        parts=tuple(part for part in parts if isinstance(part, Flatten)),
        representations=representations,
        fields=tuple(fields),
        variable_usages=_strings(raw["vars"]),
        id=raw["id"],
    )


def _read_fetch(raw: Any) -> Fetch:
    name = raw["name"]
    if name is not None and not isinstance(name, str):
        raise PlanCodecError("a fetch's operation name is a string")
    if not isinstance(raw["id"], int):
        raise PlanCodecError("a fetch's id is an integer")
    return Fetch(
        subgraph=str(raw["subgraph"]),
        operation=str(raw["operation"]),
        operation_kind=str(raw["kind"]),
        operation_name=name,
        variable_usages=_strings(raw["vars"]),
        requires=tuple(_read_selection(s) for s in raw["requires"]),
        input_rewrites=tuple(_read_rewrite(r) for r in raw["in"]),
        output_rewrites=tuple(_read_rewrite(r) for r in raw["out"]),
        output_renames=tuple(KeyRename(_strings(p), str(f), str(t)) for p, f, t in raw["renames"]),
        output_types=tuple((str(key), _strings(types)) for key, types in raw["types"]),
        id=raw["id"],
    )


def _read_selection(raw: Any) -> RequiresSelection:
    selections = tuple(_read_selection(s) for s in raw["selections"])
    if "field" in raw:
        alias = raw["alias"]
        if alias is not None and not isinstance(alias, str):
            raise PlanCodecError("an alias is a string")
        return RequiresField(str(raw["field"]), selections, alias)
    return RequiresFragment(str(raw["on"]), selections, _strings(raw["types"]))


def _read_rewrite(raw: Any) -> TypenameRewrite:
    path, to_type, from_types = raw
    return TypenameRewrite(_strings(path), str(to_type), _strings(from_types))
