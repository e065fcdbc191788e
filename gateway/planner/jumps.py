"""Entity routing: leaving the current subgraph through a ``@key`` (an entity fetch at the response path).

A jump picks a subgraph that resolves the field through a resolvable key whose fields the current data can supply
(or plan first: keys and ``@requires`` fields are *ensured* at the position, possibly by further jumps), joins an
entity fetch already planned there when its representation does not depend on that fetch itself, and records the
representation (``requires``) the fetch sends. Functions over a :class:`~gateway.planner.builder.PlanBuilder`,
which holds the planning state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from gateway.planner.errors import PlanningError
from gateway.planner.groups import FetchGroup
from gateway.planner.helper_keys import ESCAPED_TYPENAME
from gateway.planner.operation import Conditions, Field, Fragment, Selection
from gateway.planner.plan import TypenameRewrite
from gateway.planner.selection import OutSelectionSet
from schema.join import Key
from schema.supergraph import Supergraph

if TYPE_CHECKING:
    from gateway.planner.builder import PlanBuilder

__all__ = ["add_requires", "ensure", "interfaces_of", "jump", "jump_candidates", "jump_to_interface", "usable_key"]

_MAX_DEPTH = 64


def usable_key(
    builder: PlanBuilder,
    group: FetchGroup,
    type_name: str,
    field: Field,
    key: Key,
    provided: Sequence[Selection],
    path: tuple[str, ...] | None = None,
) -> bool:
    """A key the current data supplies, or one whose fields do not include the field being fetched."""
    selections = builder.helper_fields(key.fields)
    if builder.can_provide(group.subgraph, type_name, selections, provided, path):
        return True
    return field.name not in {item.name for item in selections if isinstance(item, Field)}


def jump_candidates(
    builder: PlanBuilder,
    group: FetchGroup,
    type_name: str,
    field: Field,
    provided: Sequence[Selection],
    exclude: Iterable[str] = (),
) -> list[tuple[str, str, Key]]:
    """(subgraph, entity type there, key) that can resolve ``type_name.field`` from the current data."""
    supergraph = builder.supergraph
    meta = supergraph.types[type_name]
    candidates: list[tuple[str, str, Key]] = []
    excluded = set(exclude)
    for graph in supergraph.graphs:
        if graph in excluded:
            continue
        field_meta = meta.fields.get(field.name)
        entry = field_meta.graphs.get(graph) if field_meta is not None else None
        if (
            entry is not None
            and entry.resolves
            and graph in meta.graphs
            and (graph != group.subgraph or entry.requires is not None)
        ):
            candidates.extend((graph, type_name, key) for key in meta.graphs[graph].resolvable_keys)
        if meta.kind != "object":
            continue
        for interface in interfaces_of(supergraph, type_name):
            interface_meta = supergraph.types.get(interface)
            if interface_meta is None or not interface_meta.is_interface_object_in(graph):
                continue
            interface_field = interface_meta.fields.get(field.name)
            interface_entry = interface_field.graphs.get(graph) if interface_field else None
            if interface_entry is not None and interface_entry.resolves:
                candidates.extend((graph, interface, key) for key in interface_meta.graphs[graph].resolvable_keys)
    return candidates


def jump(
    builder: PlanBuilder,
    group: FetchGroup,
    out: OutSelectionSet,
    type_name: str,
    field: Field,
    path: tuple[str, ...],
    provided: Sequence[Selection],
    conditions: Conditions,
    siblings: Sequence[Field],
    exclude: Iterable[str] = (),
) -> set[int]:
    """Plan ``field`` of the object at ``path`` in another subgraph, through a key: choose the candidate whose key
    fields are at hand, that joins an entity fetch already planned, and that resolves most siblings too."""
    candidates = [
        candidate
        for candidate in jump_candidates(builder, group, type_name, field, provided, exclude)
        if usable_key(builder, group, type_name, field, candidate[2], provided, path)
    ]
    if not candidates or builder._depth > _MAX_DEPTH:
        raise PlanningError(
            f"cannot plan {type_name}.{field.name} at {'.'.join(path) or 'the root'}: no subgraph resolves it "
            f"through a key that {group.subgraph!r} can supply"
        )
    order = list(builder.supergraph.graphs)

    def score(candidate: tuple[str, str, Key]) -> tuple[int, int, int, int]:
        graph, entity_type, key = candidate
        direct = builder.can_provide(group.subgraph, type_name, builder.helper_fields(key.fields), provided, path)
        existing = reusable_group(builder, group, graph, type_name, key, path, provided)
        together = sum(1 for sibling in siblings if builder.can_resolve(graph, entity_type, sibling.name, ()))
        field_meta = builder.supergraph.field(entity_type, field.name)
        reach = builder.coverage(graph, field_meta.named_type, field.selections) if field_meta else 0
        return (0 if direct else 1, 0 if existing else 1, -together - reach, order.index(graph))

    graph, entity_type, key = min(candidates, key=score)
    entity_meta = builder.supergraph.types[entity_type]
    entry = entity_meta.fields[field.name].graphs[graph]
    field_conditions = conditions | field.conditions
    builder._depth += 1
    try:
        key_selections = builder.helper_fields(key.fields)
        deps = ensure(builder, group, out, type_name, key_selections, path, provided, field_conditions)
        required: tuple[Selection, ...] = ()
        if entry.requires:
            required = builder.helper_fields(entry.requires)
            deps |= ensure(builder, group, out, type_name, required, path, provided, field_conditions)
    finally:
        builder._depth -= 1
    target = builder._entity_group(graph, path, deps, entity_type, required, field_conditions)
    add_requires(builder, target, type_name, entity_type, graph, key_selections + required)
    fragment = target.selections.add_fragment(entity_type)
    if entity_type != type_name and entity_meta.is_interface_object_in(graph):
        # the subgraph answers every implementation alike: this field goes only to objects of type_name
        escaped = field.alias == "__typename" and field.name != "__typename"
        tree_key = ESCAPED_TYPENAME if escaped else field.response_key
        target.output_types.setdefault(tree_key, set()).update(builder.supergraph.possible_types(type_name))
    touched = builder.plan_field(target, fragment.selections, entity_type, field, path, (), conditions)
    return deps | touched


def reusable_group(
    builder: PlanBuilder,
    group: FetchGroup,
    graph: str,
    type_name: str,
    key: Key,
    path: tuple[str, ...],
    provided: Sequence[Selection],
) -> bool:
    """Whether an entity fetch of ``graph`` at ``path`` already exists that this jump can join: the key fields
    must not come from that fetch itself (or anything after it), or the jump would need a second fetch."""
    existing = [g for g in builder.groups if g.is_entity and g.subgraph == graph and g.path == path]
    if not existing:
        return False
    deps: set[int] = set()
    for item in builder.helper_fields(key.fields):
        fetched = builder._fetched_by(path, type_name, item) if isinstance(item, Field) else set()
        if (
            fetched
            and isinstance(item, Field)
            and not item.selections
            and not builder.can_resolve(group.subgraph, type_name, item.name, provided)
        ):
            deps |= fetched
        else:
            deps.add(group.id)
    closure = builder._closure(deps)
    return any(g.id not in closure for g in existing)


def jump_to_interface(
    builder: PlanBuilder,
    group: FetchGroup,
    out: OutSelectionSet,
    interface: str,
    selections: Sequence[Selection],
    path: tuple[str, ...],
    provided: Sequence[Selection],
    conditions: Conditions,
) -> set[int]:
    """From an ``@interfaceObject`` position to a subgraph where ``interface`` is a real interface with a key."""
    meta = builder.supergraph.types[interface]
    candidates = [
        (graph, key)
        for graph, entry in meta.graphs.items()
        if not entry.is_interface_object
        for key in entry.resolvable_keys
    ]
    if not candidates:
        return {group.id}
    graph, key = min(
        candidates,
        key=lambda c: (
            not builder.can_provide(group.subgraph, interface, builder.helper_fields(c[1].fields), provided),
            list(builder.supergraph.graphs).index(c[0]),
        ),
    )
    key_selections = builder.helper_fields(key.fields)
    deps = ensure(builder, group, out, interface, key_selections, path, provided, conditions)
    target = builder._entity_group(graph, path, deps, conditions=conditions)
    add_requires(builder, target, interface, interface, graph, key_selections)
    fragment = target.selections.add_fragment(interface)
    touched = builder.plan_abstract(target, fragment.selections, interface, selections, path, (), conditions)
    return deps | touched


def ensure(
    builder: PlanBuilder,
    group: FetchGroup,
    out: OutSelectionSet,
    type_name: str,
    selections: Sequence[Selection],
    path: tuple[str, ...],
    provided: Sequence[Selection],
    conditions: Conditions,
) -> set[int]:
    """Make the data at this position carry ``__typename`` and ``selections`` (keys, ``@requires`` fields)."""
    out.add_field("__typename")
    touched = {group.id}
    remaining: list[Selection] = []
    for item in selections:
        fetched = builder._fetched_by(path, type_name, item, conditions) if isinstance(item, Field) else None
        if (
            fetched
            and isinstance(item, Field)
            and not item.selections
            and not item.arguments
            and not builder.can_resolve(group.subgraph, type_name, item.name, provided)
        ):
            touched |= fetched
            continue
        remaining.append(item)
    selections = remaining
    meta = builder.supergraph.types[type_name]
    if meta.kind != "object" and meta.is_interface_object_in(group.subgraph):
        touched |= builder.plan_interface_object(group, out, type_name, selections, path, provided, conditions)
    elif meta.kind == "object":
        touched |= builder.plan_object(group, out, type_name, selections, path, provided, conditions)
    else:
        touched |= builder.plan_abstract(group, out, type_name, selections, path, provided, conditions)
    return touched


def add_requires(
    builder: PlanBuilder,
    target: FetchGroup,
    source_type: str,
    entity_type: str,
    graph: str,
    selections: Sequence[Selection],
) -> None:
    entity_meta = builder.supergraph.types[entity_type]
    if entity_meta.kind == "object":
        condition = entity_type
    else:
        condition = entity_type
        target.possible_types[condition] = (*builder.supergraph.possible_types(entity_type), entity_type)
        if entity_meta.is_interface_object_in(graph):
            rewrite = TypenameRewrite((), entity_type)
            if rewrite not in target.input_rewrites:
                target.input_rewrites.append(rewrite)
    fragment = target.requires.add_fragment(condition)
    fragment.selections.add_field("__typename")
    _add_plain(
        fragment.selections,
        selections,
        builder,
        entity_type if entity_meta.kind == "object" else source_type,
        target.possible_types,
    )


def _add_plain(
    out: OutSelectionSet,
    selections: Sequence[Selection],
    builder: PlanBuilder,
    type_name: str,
    possible: dict[str, tuple[str, ...]],
) -> None:
    """Copy a FieldSet into a representation selection (response keys only, fragments kept)."""
    for item in selections:
        if isinstance(item, Field):
            meta = builder.supergraph.field(type_name, item.name)
            added = out.add_field(item.name, item.alias, composite=bool(item.selections))
            if item.selections and added.selections is not None:
                _add_plain(added.selections, item.selections, builder, meta.named_type if meta else type_name, possible)
        elif isinstance(item, Fragment):
            condition = item.type_condition or type_name
            if builder.supergraph.is_abstract(condition):
                possible[condition] = (*builder.supergraph.possible_types(condition), condition)
            fragment = out.add_fragment(condition)
            _add_plain(fragment.selections, item.selections, builder, condition, possible)


def interfaces_of(supergraph: Supergraph, type_name: str) -> tuple[str, ...]:
    named = supergraph.schema.get_type(type_name)
    interfaces = getattr(named, "interfaces", None) or ()
    return tuple(interface.name for interface in interfaces)
