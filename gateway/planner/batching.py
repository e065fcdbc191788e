"""One request per subgraph and stage: entity fetches to the same subgraph inside one Parallel become a
:class:`BatchFetch` (semantics in :mod:`gateway.planner.plan`).

A pure pass over a finished plan. The children of a Parallel do not depend on each other, so their entity fetches to
one subgraph can share a request: each keeps its own aliased ``_entities`` field and representations variable, so
nothing about what it asks or where its answer goes changes; parts that ask the same (equal fetches at other paths)
share one field, so an entity met at several paths is sent and answered once. Root fetches, mutations and fetches under a Condition or
deeper in a Sequence are left as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from gateway.planner.plan import BatchFetch, Condition, Fetch, Flatten, Parallel, PlanNode, Sequence

__all__ = ["batch_entity_fetches"]

_ENTITIES = "_entities(representations: $representations) "


def batch_entity_fetches(node: PlanNode | None, variable_definitions: Mapping[str, str]) -> PlanNode | None:
    """``node`` with the entity fetches to one subgraph in each Parallel merged into one :class:`BatchFetch`.

    ``variable_definitions`` maps the client's variable names to their printed definitions (``$first: Int = 5``),
    as the planner declared them in each fetch's operation."""
    if node is None:
        return None
    return _batched(node, variable_definitions, _prefix(variable_definitions))


def _prefix(variable_definitions: Mapping[str, str]) -> str:
    """A variable name prefix no client variable starts with (the parts' representations variables)."""
    prefix = "representations"
    while any(name.startswith(prefix) for name in variable_definitions):
        prefix = "_" + prefix
    return prefix


def _batched(node: PlanNode, definitions: Mapping[str, str], prefix: str) -> PlanNode:
    if isinstance(node, Sequence):
        return Sequence(tuple(_batched(child, definitions, prefix) for child in node.nodes))
    if isinstance(node, Condition):
        return Condition(
            node.variable,
            None if node.if_clause is None else _batched(node.if_clause, definitions, prefix),
            None if node.else_clause is None else _batched(node.else_clause, definitions, prefix),
        )
    if not isinstance(node, Parallel):
        return node
    children = [_batched(child, definitions, prefix) for child in node.nodes]
    bodies = {id(child): body for child in children if (body := _entities_body(child, definitions)) is not None}
    by_subgraph: dict[str, list[Flatten]] = {}
    for child in children:
        if id(child) in bodies:
            assert isinstance(child, Flatten)
            by_subgraph.setdefault(child.node.subgraph, []).append(child)
    result: list[PlanNode] = []
    for child in children:
        parts = by_subgraph[child.node.subgraph] if isinstance(child, Flatten) and id(child) in bodies else []
        if len(parts) < 2:
            result.append(child)
        elif child is parts[0]:  # the batch takes the place of its first part
            result.append(_batch(parts, [bodies[id(part)] for part in parts], definitions, prefix))
    return result[0] if len(result) == 1 else Parallel(tuple(result))


def _entities_body(node: PlanNode, definitions: Mapping[str, str]) -> str | None:
    """The selection set of the ``_entities`` field of an entity fetch as the planner prints it, or None when
    ``node`` is not such a fetch (then it is never batched)."""
    if not isinstance(node, Flatten):
        return None
    fetch = node.node
    if not fetch.requires or fetch.operation_kind != "query" or fetch.operation_name is not None:
        return None
    if any(name not in definitions for name in fetch.variable_usages):
        return None
    declarations = ["$representations: [_Any!]!", *(definitions[name] for name in fetch.variable_usages)]
    head = "query(" + ", ".join(declarations) + ") { " + _ENTITIES
    operation = fetch.operation
    if not operation.startswith(head) or not operation.endswith(" }"):
        return None
    return operation[len(head) : -2]


def _batch(parts: list[Flatten], bodies: list[str], definitions: Mapping[str, str], prefix: str) -> BatchFetch:
    used = {name for part in parts for name in part.node.variable_usages}
    usages = tuple(name for name in definitions if name in used)
    shared: dict[Fetch, int] = {}  # a part's fetch without its id → its _entities field
    fields: list[int] = []
    field_bodies: list[str] = []
    for part, body in zip(parts, bodies, strict=True):
        index = shared.setdefault(replace(part.node, id=0), len(shared))
        if index == len(field_bodies):
            field_bodies.append(body)
        fields.append(index)
    representations = tuple(f"{prefix}{index}" for index in range(len(field_bodies)))
    declarations = [f"${name}: [_Any!]!" for name in representations]
    declarations += [definitions[name] for name in usages]
    selections = [
        f"_{index}: _entities(representations: ${name}) {body}"
        for index, (name, body) in enumerate(zip(representations, field_bodies, strict=True))
    ]
    operation = "query(" + ", ".join(declarations) + ") { " + " ".join(selections) + " }"
    first: Fetch = parts[0].node
    return BatchFetch(
        subgraph=first.subgraph,
        operation=operation,
        parts=tuple(parts),
        representations=representations,
        fields=tuple(fields),
        variable_usages=usages,
        id=first.id,
    )
