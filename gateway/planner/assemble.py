"""Turn fetch groups into plan nodes: each group becomes a :class:`Fetch` (under a :class:`Flatten` for entity
fetches), groups depending on each other run in a :class:`Sequence`, independent ones in :class:`Parallel`, and a
group whose every entry is under ``@skip``/``@include`` on a variable sits in a :class:`Condition`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gateway.planner.groups import FetchGroup, requires_from_selection_set
from gateway.planner.plan import Condition, Fetch, Flatten, Parallel, PlanNode
from gateway.planner.plan import Sequence as SequenceNode
from gateway.planner.selection import print_selection_set, variables_used

__all__ = ["assemble", "group_node", "in_parallel", "in_sequence"]


def in_sequence(nodes: Sequence[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, SequenceNode) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else SequenceNode(tuple(flat))


def in_parallel(nodes: Sequence[PlanNode]) -> PlanNode | None:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Parallel) else (node,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Parallel(tuple(flat))


def group_node(group: FetchGroup, operation_kind: str, variable_definitions: Mapping[str, str]) -> PlanNode:
    used = variables_used(group.selections)
    usages = tuple(name for name in variable_definitions if name in used)
    declarations = [variable_definitions[name] for name in usages]
    body = print_selection_set(group.selections)
    if group.is_entity:
        declarations.insert(0, "$representations: [_Any!]!")
        body = "{ _entities(representations: $representations) " + body + " }"
        kind = "query"
    else:
        kind = operation_kind
    header = kind + ("(" + ", ".join(declarations) + ")" if declarations else "")
    fetch = Fetch(
        subgraph=group.subgraph,
        operation=f"{header} {body}",
        operation_kind=kind,
        variable_usages=usages,
        requires=requires_from_selection_set(group.requires, group.possible_types) if group.is_entity else (),
        input_rewrites=tuple(group.input_rewrites),
        output_renames=tuple(group.output_renames),
        output_types=_output_types(group),
        id=group.id,
    )
    node: PlanNode = Flatten(group.path, fetch) if group.is_entity else fetch
    for variable, include in sorted(group.conditions, reverse=True):
        node = Condition(variable, node, None) if include else Condition(variable, None, node)
    return node


def _output_types(group: FetchGroup) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The restrictions that matter: keys asked for by fewer than all the object types the fetch represents."""
    represented = {name for types in group.possible_types.values() for name in types} - set(group.possible_types)
    return tuple((key, tuple(sorted(types))) for key, types in group.output_types.items() if not represented <= types)


def assemble(
    groups: Sequence[FetchGroup], operation_kind: str, variable_definitions: Mapping[str, str]
) -> PlanNode | None:
    """Arrange groups by their dependencies: a tree of Sequence/Parallel when each group depends on at most one
    other, otherwise stages (each stage's groups in parallel, stages in sequence)."""
    live = [group for group in groups if not group.selections.is_empty()]
    ids = {group.id for group in live}
    for group in live:
        group.deps &= ids
        group.deps.discard(group.id)
    nodes = {group.id: group_node(group, operation_kind, variable_definitions) for group in live}
    if all(len(group.deps) <= 1 for group in live):
        children: dict[int | None, list[FetchGroup]] = {}
        for group in live:
            children.setdefault(next(iter(group.deps), None), []).append(group)

        def subtree(group: FetchGroup) -> PlanNode:
            below = in_parallel([subtree(child) for child in children.get(group.id, [])])
            node = nodes[group.id]
            if below is None:
                return node
            return SequenceNode((node, below))

        return in_parallel([subtree(group) for group in children.get(None, [])])
    stage: dict[int, int] = {}
    by_id = {group.id: group for group in live}

    def depth(group_id: int, seen: frozenset[int] = frozenset()) -> int:
        if group_id in stage:
            return stage[group_id]
        if group_id in seen:
            return 0
        deps = by_id[group_id].deps
        stage[group_id] = value = 1 + max((depth(d, seen | {group_id}) for d in deps), default=-1)
        return value

    for group in live:
        depth(group.id)
    stages: dict[int, list[PlanNode]] = {}
    for group in live:
        stages.setdefault(stage[group.id], []).append(nodes[group.id])
    return in_sequence([n for n in (in_parallel(stages[s]) for s in sorted(stages)) if n is not None])
