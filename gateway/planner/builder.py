"""The planning walk: assign every field of the operation to a subgraph fetch.

Federation spec background: https://www.apollographql.com/docs/federation/ (entities, ``_entities``, ``@key``,
``@requires``, ``@provides``, ``@interfaceObject``). The walk keeps, for each selection, the fetch group it is in
(its *current subgraph*). A field the current subgraph resolves stays there (owned and not external, or external but
provided by a ``@provides`` on the path, or a key of its own); otherwise the planner jumps to a subgraph that
resolves it, through a resolvable ``@key`` whose fields the current data can supply, as an entity fetch at the
response path. ``@requires`` fields are planned at the same position first (possibly in yet another subgraph) and
become part of the representation; the entity fetch depends on every group that produced its representation.
Abstract types are expanded into the concrete types the current subgraph knows unless every selected field
resolves uniformly on the abstract type there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    is_composite_type,
    print_ast,
)

from gateway.planner.errors import PlanningError
from gateway.planner.groups import FetchGroup
from gateway.planner.operation import NO_CONDITIONS, Conditions, Field, Fragment, Selection, collect_fields
from gateway.planner.operation import normalize_selection_set as normalize
from gateway.planner.plan import TypenameRewrite
from gateway.planner.selection import OutField, OutSelectionSet
from schema.fieldset import parse_fieldset
from schema.join import FieldInGraph, Key
from schema.supergraph import Supergraph

__all__ = ["PlanBuilder"]

_TYPENAME = Field("__typename")
_MAX_DEPTH = 64


def _named_type_of(type_text: str) -> str:
    return type_text.replace("[", "").replace("]", "").replace("!", "").strip()


def _list_depth(type_: GraphQLOutputType) -> int:
    depth = 0
    current: object = type_
    while True:
        if isinstance(current, GraphQLNonNull):
            current = current.of_type
        elif isinstance(current, GraphQLList):
            depth += 1
            current = current.of_type
        else:
            return depth


class PlanBuilder:
    """One planning run: groups accumulate here until :mod:`gateway.planner.assemble` turns them into nodes."""

    def __init__(self, supergraph: Supergraph, first_id: int = 0) -> None:
        self.supergraph = supergraph
        self.groups: list[FetchGroup] = []
        self.root_groups: dict[str, FetchGroup] = {}
        self._next_id = first_id
        self._depth = 0
        # Fields no subgraph can reach from the current position (a value type without keys): the enclosing
        # field is planned again, with just those, in another subgraph that resolves it too (shareable).
        self._leftovers: list[list[Field]] = []
        self._tried: dict[tuple[tuple[str, ...], str], set[str]] = {}
        # Leaf fields already fetched, by response path and key, and the groups fetching them ("keys at hand").
        self._fetched: dict[tuple[tuple[str, ...], str, str], set[int]] = {}

    # groups -------------------------------------------------------------------------------------------------

    def _new_group(self, subgraph: str, path: tuple[str, ...], is_entity: bool) -> FetchGroup:
        group = FetchGroup(self._next_id, subgraph, path, is_entity)
        self._next_id += 1
        self.groups.append(group)
        return group

    def root_group(self, subgraph: str) -> FetchGroup:
        group = self.root_groups.get(subgraph)
        if group is None:
            group = self._new_group(subgraph, (), False)
            self.root_groups[subgraph] = group
        return group

    def _closure(self, ids: Iterable[int]) -> set[int]:
        by_id = {group.id: group for group in self.groups}
        seen: set[int] = set()
        stack = list(ids)
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(by_id[current].deps)
        return seen

    def _existing_entity_group(
        self, subgraph: str, path: tuple[str, ...], deps: set[int], entity_type: str, required: Sequence[Selection]
    ) -> FetchGroup | None:
        closure = self._closure(deps)
        for group in self.groups:
            if (
                group.is_entity
                and group.subgraph == subgraph
                and group.path == path
                and group.id not in closure
                and not _requires_conflict(group, entity_type, required)
            ):
                return group
        return None

    def _entity_group(
        self,
        subgraph: str,
        path: tuple[str, ...],
        deps: set[int],
        entity_type: str = "",
        required: Sequence[Selection] = (),
    ) -> FetchGroup:
        group = self._existing_entity_group(subgraph, path, deps, entity_type, required)
        if group is None:
            group = self._new_group(subgraph, path, True)
        group.deps |= deps
        return group

    # schema questions ---------------------------------------------------------------------------------------

    def _applies_to(self, type_name: str) -> Callable[[str], bool]:
        return lambda condition: self._applies(condition, type_name)

    def _applies(self, type_condition: str, type_name: str) -> bool:
        """Whether a fragment on ``type_condition`` applies to every object of ``type_name``."""
        if type_condition == type_name:
            return True
        covered = self.supergraph.possible_types(type_name)
        return bool(covered) and set(covered) <= set(self.supergraph.possible_types(type_condition))

    def _provided(self, provided: Sequence[Selection], type_name: str) -> dict[str, Field]:
        if not provided:
            return {}
        fields, _ = collect_fields(provided, lambda condition: self._applies(condition, type_name))
        return fields

    def can_resolve(self, subgraph: str, type_name: str, field_name: str, provided: Sequence[Selection]) -> bool:
        meta = self.supergraph.types.get(type_name)
        if meta is None or subgraph not in meta.graphs:
            return False
        field = meta.fields.get(field_name)
        if field is None:
            return False
        entry = field.graphs.get(subgraph)
        if entry is not None and entry.resolves and entry.requires is None:
            return True
        if field_name in self._provided(provided, type_name):
            return True
        if entry is not None and entry.external and meta.graphs[subgraph].extension:
            # Fed 1 `extend type T @key(fields: "id") { id: ID! @external }`: the key is the subgraph's own.
            own_keys = {name for key in meta.keys_in(subgraph) for name in _top_names(key.fields)}
            return field_name in own_keys
        return False

    def can_provide(
        self,
        subgraph: str,
        type_name: str,
        selections: Sequence[Selection],
        provided: Sequence[Selection],
        path: tuple[str, ...] | None = None,
    ) -> bool:
        meta = self.supergraph.types.get(type_name)
        if meta is None:
            return False
        if meta.kind != "object" and not meta.is_interface_object_in(subgraph) and meta.kind != "interface":
            return True
        fields, _ = collect_fields(selections, lambda condition: self._applies(condition, type_name))
        for field in fields.values():
            if field.name == "__typename":
                continue
            if path is not None and not field.selections and self._fetched_by(path, type_name, field.response_key):
                continue
            if not self.can_resolve(subgraph, type_name, field.name, provided):
                return False
            if field.selections:
                meta_field = meta.fields[field.name]
                inner = self._inner_provided(provided, type_name, field.name, meta_field.graphs.get(subgraph))
                if not self.can_provide(subgraph, meta_field.named_type, field.selections, inner):
                    return False
        return True

    def _inner_provided(
        self, provided: Sequence[Selection], type_name: str, field_name: str, entry: FieldInGraph | None
    ) -> tuple[Selection, ...]:
        inner: tuple[Selection, ...] = ()
        provided_field = self._provided(provided, type_name).get(field_name)
        if provided_field is not None:
            inner = provided_field.selections
        if entry is not None and entry.provides:
            inner = inner + normalize(parse_fieldset(entry.provides))
        return inner

    def coverage(self, subgraph: str, type_name: str, selections: Sequence[Selection], depth: int = 0) -> int:
        """How many of the selected fields ``subgraph`` resolves itself (a tie-breaker between candidates)."""
        meta = self.supergraph.types.get(type_name)
        if meta is None or depth > 8:
            return 0
        fields, _ = collect_fields(selections, lambda condition: self._applies(condition, type_name))
        count = 0
        for field in fields.values():
            if field.name == "__typename" or not self.can_resolve(subgraph, type_name, field.name, ()):
                continue
            count += 1
            if field.selections:
                count += self.coverage(subgraph, meta.fields[field.name].named_type, field.selections, depth + 1)
        return count

    def feasible(self, subgraph: str, type_name: str, selections: Sequence[Selection], depth: int = 0) -> bool:
        """Whether every selected field can be reached from ``subgraph`` at this position (itself, or one jump
        through a key it can supply); a shallow check to choose between subgraphs of a shareable root field."""
        meta = self.supergraph.types.get(type_name)
        if meta is None or depth > 8 or meta.kind not in ("object", "interface", "union"):
            return True
        members: tuple[str, ...]
        if meta.kind == "object" or meta.is_interface_object_in(subgraph):
            members = (type_name,)
        else:
            members = self.supergraph.possible_types_in(type_name, subgraph)
        probe = FetchGroup(-1, subgraph, (), False)
        for member in members:
            fields, _ = collect_fields(selections, self._applies_to(member))
            for field in fields.values():
                if field.name == "__typename":
                    continue
                if self.can_resolve(subgraph, member, field.name, ()):
                    field_meta = self.supergraph.field(member, field.name)
                    if (
                        field.selections
                        and field_meta is not None
                        and not self.feasible(subgraph, field_meta.named_type, field.selections, depth + 1)
                    ):
                        return False
                    continue
                if not any(
                    self._usable_key(probe, member, field, key, ())
                    for _, _, key in self._jump_candidates(probe, member, field, ())
                ):
                    return False
        return True

    def _usable_key(
        self,
        group: FetchGroup,
        type_name: str,
        field: Field,
        key: Key,
        provided: Sequence[Selection],
        path: tuple[str, ...] | None = None,
    ) -> bool:
        """A key the current data supplies, or one whose fields do not include the field being fetched."""
        selections = normalize(parse_fieldset(key.fields))
        if self.can_provide(group.subgraph, type_name, selections, provided, path):
            return True
        return field.name not in {item.name for item in selections if isinstance(item, Field)}

    # the walk -----------------------------------------------------------------------------------------------

    def plan_root_field(
        self, root_type: str, field: Field, preferred: Iterable[str] = (), exclude: Iterable[str] = ()
    ) -> FetchGroup | None:
        if field.name == "__typename":
            return None
        meta = self.supergraph.field(root_type, field.name)
        if meta is None:
            return None
        excluded = set(exclude)
        candidates = [g for g in (list(meta.resolving_graphs()) or list(meta.graphs)) if g not in excluded]
        if not candidates:
            return None
        feasible = [g for g in candidates if self.feasible(g, meta.named_type, field.selections)]
        candidates = feasible or candidates
        order = list(self.supergraph.graphs)
        preferred_set = set(preferred) | set(self.root_groups)
        subgraph = min(
            candidates,
            key=lambda graph: (
                graph not in preferred_set,
                -self.coverage(graph, meta.named_type, field.selections),
                order.index(graph) if graph in order else len(order),
            ),
        )
        group = self.root_group(subgraph)
        group.entry_conditions.append(field.conditions)
        self.plan_field(group, group.selections, root_type, field, (), (), NO_CONDITIONS)
        return group

    def plan_field(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        """Put ``field`` in ``group`` at ``out`` (the caller checked the subgraph resolves it) and walk into it."""
        if field.name == "__typename":
            out.add_field("__typename", field.alias, conditions=field.conditions)
            return {group.id}
        meta = self.supergraph.field(type_name, field.name)
        if meta is None:
            return {group.id}
        entry = meta.graphs.get(group.subgraph)
        schema_type = self.supergraph.schema.get_type(meta.named_type)
        composite = schema_type is not None and is_composite_type(schema_type)
        added = out.add_field(field.name, field.alias, field.arguments, field.conditions, composite)
        touched = {group.id}
        if not composite and not field.arguments:
            self._fetched.setdefault((path, type_name, field.response_key), set()).add(group.id)
        if composite and added.selections is not None:
            parent = self.supergraph.schema.get_type(type_name)
            parent_fields = getattr(parent, "fields", None) or {}
            field_def = parent_fields.get(field.name)
            depth = _list_depth(field_def.type) if field_def is not None else 0
            inner_path = (*path, field.response_key, *(["@"] * depth))
            inner_provided = self._inner_provided(provided, type_name, field.name, entry)
            type_in_subgraph = _named_type_of(entry.type) if entry is not None and entry.type else meta.named_type
            selections, hard = self._split_hard(group, meta.named_type, field, inner_provided, inner_path)
            if hard and self._can_reroute(group, type_name, field, path, provided):
                touched |= self._reroute(
                    group, out, type_name, replace(field, selections=hard), path, provided, conditions
                )
                field = replace(field, selections=selections)
            self._leftovers.append([])
            try:
                touched |= self.plan_selections(
                    group,
                    added.selections,
                    meta.named_type,
                    type_in_subgraph,
                    field.selections,
                    inner_path,
                    inner_provided,
                    conditions | field.conditions,
                )
            finally:
                leftovers = self._leftovers.pop()
            if leftovers:
                touched |= self._reroute(
                    group, out, type_name, replace(field, selections=tuple(leftovers)), path, provided, conditions
                )
        return touched

    def _fetched_by(self, path: tuple[str, ...], type_name: str, response_key: str) -> set[int]:
        found: set[int] = set()
        for owner in (type_name, *_interfaces(self.supergraph, type_name)):
            found |= self._fetched.get((path, owner, response_key), set())
        return found

    def _split_hard(
        self, group: FetchGroup, type_name: str, field: Field, provided: Sequence[Selection], path: tuple[str, ...]
    ) -> tuple[tuple[Selection, ...], tuple[Selection, ...]]:
        """Split an object field's selection into what ``group`` reaches (itself or through a key it holds) and
        what it cannot."""
        meta = self.supergraph.types.get(type_name)
        if meta is None or meta.kind != "object":
            return field.selections, ()
        fields, _ = collect_fields(field.selections, lambda condition: self._applies(condition, type_name))
        easy: list[Selection] = []
        hard: list[Selection] = []
        for sub in fields.values():
            reachable = (
                sub.name == "__typename"
                or self.can_resolve(group.subgraph, type_name, sub.name, provided)
                or any(
                    self.can_provide(group.subgraph, type_name, normalize(parse_fieldset(key.fields)), provided, path)
                    for _, _, key in self._jump_candidates(group, type_name, sub, provided)
                )
            )
            (easy if reachable else hard).append(sub)
        return tuple(easy), tuple(hard)

    def _can_reroute(
        self,
        group: FetchGroup,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        provided: Sequence[Selection],
    ) -> bool:
        tried = self._tried.get((path, field.response_key), set()) | {group.subgraph}
        if not group.is_entity and not path:
            meta = self.supergraph.field(type_name, field.name)
            return meta is not None and any(g not in tried for g in meta.resolving_graphs())
        return any(
            self.can_provide(group.subgraph, type_name, normalize(parse_fieldset(key.fields)), provided, path)
            for _, _, key in self._jump_candidates(group, type_name, field, provided, tried)
        )

    def _reroute(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        type_name: str,
        field: Field,
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        tried = self._tried.setdefault((path, field.response_key), set())
        tried.add(group.subgraph)
        if not group.is_entity and not path:
            target = self.plan_root_field(type_name, field, exclude=tried)
            if target is not None:
                return {target.id}
        elif self._jump_candidates(group, type_name, field, provided, tried):
            return self.jump(group, out, type_name, field, path, provided, conditions, (), tried)
        if self._leftovers:
            # Nobody resolves the parent either: the grandparent has to move.
            self._leftovers[-1].append(field)
            return set()
        names = ", ".join(item.response_key for item in field.selections if isinstance(item, Field))
        raise PlanningError(
            f"cannot plan {names or 'a selection'} under {type_name}.{field.name}: no subgraph reaches it"
        )

    def plan_selections(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        type_name: str,
        type_in_subgraph: str,
        selections: Sequence[Selection],
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        if type_in_subgraph != type_name:
            other = self.supergraph.types.get(type_in_subgraph)
            if other is not None and other.kind == "object":
                type_name = type_in_subgraph
        meta = self.supergraph.types.get(type_name)
        if meta is None:
            return {group.id}
        if meta.kind == "object":
            return self.plan_object(group, out, type_name, selections, path, provided, conditions)
        if meta.is_interface_object_in(group.subgraph):
            return self.plan_interface_object(group, out, type_name, selections, path, provided, conditions)
        return self.plan_abstract(group, out, type_name, selections, path, provided, conditions)

    def plan_object(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        type_name: str,
        selections: Sequence[Selection],
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        fields, _ = collect_fields(selections, lambda condition: self._applies(condition, type_name))
        touched: set[int] = set()
        remote = [
            field
            for field in fields.values()
            if field.name != "__typename" and not self.can_resolve(group.subgraph, type_name, field.name, provided)
        ]
        for field in fields.values():
            if field in remote:
                if self._leftovers and not self._jump_candidates(group, type_name, field, provided):
                    self._leftovers[-1].append(field)
                    continue
                touched |= self.jump(group, out, type_name, field, path, provided, conditions, remote)
            else:
                touched |= self.plan_field(group, out, type_name, field, path, provided, conditions)
        return touched

    def plan_abstract(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        type_name: str,
        selections: Sequence[Selection],
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        subgraph = group.subgraph
        out.add_field("__typename")
        touched = {group.id}
        fields, rest = collect_fields(selections, lambda condition: self._applies(condition, type_name))
        possible = self.supergraph.possible_types_in(type_name, subgraph)
        uniform = not rest and all(
            field.name == "__typename"
            or (
                self.can_resolve(subgraph, type_name, field.name, provided)
                and all(self.can_resolve(subgraph, member, field.name, provided) for member in possible)
            )
            for field in fields.values()
        )
        if not possible:
            # No implementation known here: only the interface's own fields, from wherever they resolve.
            for field in fields.values():
                if field.name == "__typename" or self.can_resolve(subgraph, type_name, field.name, provided):
                    touched |= self.plan_field(group, out, type_name, field, path, provided, conditions)
                else:
                    touched |= self.jump(group, out, type_name, field, path, provided, conditions, ())
            return touched
        if uniform:
            for field in fields.values():
                touched |= self.plan_field(group, out, type_name, field, path, provided, conditions)
            return touched
        for member in possible:
            member_fields, _ = collect_fields(selections, self._applies_to(member))
            if not member_fields or (
                set(member_fields) == {"__typename"}
                and all(f.name == "__typename" and f.alias is None for f in member_fields.values())
            ):
                continue
            fragment = out.add_fragment(member)
            touched |= self.plan_object(group, fragment.selections, member, selections, path, provided, conditions)
        return touched

    def plan_interface_object(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        type_name: str,
        selections: Sequence[Selection],
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        """``type_name`` is an interface the current subgraph sees as an object type (``@interfaceObject``): it
        answers the interface's own fields; the real ``__typename`` and type-specific selections come from a
        subgraph that knows the implementations."""
        subgraph = group.subgraph
        fields, rest = collect_fields(selections, lambda condition: condition == type_name)
        touched: set[int] = {group.id}
        elsewhere: list[Selection] = list(rest)
        remote: list[Field] = []
        for field in fields.values():
            if field.name != "__typename" and self.can_resolve(subgraph, type_name, field.name, provided):
                touched |= self.plan_field(group, out, type_name, field, path, provided, conditions)
            elif field.name != "__typename" and self._jump_candidates(group, type_name, field, provided):
                remote.append(field)
            else:
                elsewhere.append(field)
        for field in remote:
            touched |= self.jump(group, out, type_name, field, path, provided, conditions, remote)
        if elsewhere:
            touched |= self._jump_to_interface(group, out, type_name, elsewhere, path, provided, conditions)
        return touched

    # jumps --------------------------------------------------------------------------------------------------

    def _jump_candidates(
        self,
        group: FetchGroup,
        type_name: str,
        field: Field,
        provided: Sequence[Selection],
        exclude: Iterable[str] = (),
    ) -> list[tuple[str, str, Key]]:
        """(subgraph, entity type there, key) that can resolve ``type_name.field`` from the current data."""
        supergraph = self.supergraph
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
            for interface in _interfaces(supergraph, type_name):
                interface_meta = supergraph.types.get(interface)
                if interface_meta is None or not interface_meta.is_interface_object_in(graph):
                    continue
                interface_field = interface_meta.fields.get(field.name)
                interface_entry = interface_field.graphs.get(graph) if interface_field else None
                if interface_entry is not None and interface_entry.resolves:
                    candidates.extend((graph, interface, key) for key in interface_meta.graphs[graph].resolvable_keys)
        return candidates

    def jump(
        self,
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
        candidates = [
            candidate
            for candidate in self._jump_candidates(group, type_name, field, provided, exclude)
            if self._usable_key(group, type_name, field, candidate[2], provided, path)
        ]
        if not candidates or self._depth > _MAX_DEPTH:
            raise PlanningError(
                f"cannot plan {type_name}.{field.name} at {'.'.join(path) or 'the root'}: no subgraph resolves it "
                f"through a key that {group.subgraph!r} can supply"
            )
        order = list(self.supergraph.graphs)

        def score(candidate: tuple[str, str, Key]) -> tuple[int, int, int, int]:
            graph, entity_type, key = candidate
            direct = self.can_provide(group.subgraph, type_name, normalize(parse_fieldset(key.fields)), provided, path)
            existing = any(g.is_entity and g.subgraph == graph and g.path == path for g in self.groups)
            together = sum(1 for sibling in siblings if self.can_resolve(graph, entity_type, sibling.name, ()))
            field_meta = self.supergraph.field(entity_type, field.name)
            reach = self.coverage(graph, field_meta.named_type, field.selections) if field_meta else 0
            return (0 if direct else 1, 0 if existing else 1, -together - reach, order.index(graph))

        graph, entity_type, key = min(candidates, key=score)
        entity_meta = self.supergraph.types[entity_type]
        entry = entity_meta.fields[field.name].graphs[graph]
        field_conditions = conditions | field.conditions
        self._depth += 1
        try:
            key_selections = normalize(parse_fieldset(key.fields))
            deps = self._ensure(group, out, type_name, key_selections, path, provided, field_conditions)
            required: tuple[Selection, ...] = ()
            if entry.requires:
                required = _alias_arguments(normalize(parse_fieldset(entry.requires)))
                deps |= self._ensure(group, out, type_name, required, path, provided, field_conditions)
        finally:
            self._depth -= 1
        target = self._entity_group(graph, path, deps, entity_type, required)
        target.entry_conditions.append(field_conditions)
        self._add_requires(target, type_name, entity_type, graph, key_selections + required)
        fragment = target.selections.add_fragment(entity_type)
        touched = self.plan_field(target, fragment.selections, entity_type, field, path, (), conditions)
        return deps | touched

    def _jump_to_interface(
        self,
        group: FetchGroup,
        out: OutSelectionSet,
        interface: str,
        selections: Sequence[Selection],
        path: tuple[str, ...],
        provided: Sequence[Selection],
        conditions: Conditions,
    ) -> set[int]:
        """From an ``@interfaceObject`` position to a subgraph where ``interface`` is a real interface with a key."""
        meta = self.supergraph.types[interface]
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
                not self.can_provide(group.subgraph, interface, normalize(parse_fieldset(c[1].fields)), provided),
                list(self.supergraph.graphs).index(c[0]),
            ),
        )
        key_selections = normalize(parse_fieldset(key.fields))
        deps = self._ensure(group, out, interface, key_selections, path, provided, conditions)
        target = self._entity_group(graph, path, deps)
        target.entry_conditions.append(conditions)
        self._add_requires(target, interface, interface, graph, key_selections)
        fragment = target.selections.add_fragment(interface)
        touched = self.plan_abstract(target, fragment.selections, interface, selections, path, (), conditions)
        return deps | touched

    def _ensure(
        self,
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
            fetched = self._fetched_by(path, type_name, item.response_key) if isinstance(item, Field) else None
            if (
                fetched
                and isinstance(item, Field)
                and not item.selections
                and not item.arguments
                and not self.can_resolve(group.subgraph, type_name, item.name, provided)
            ):
                touched |= fetched
                continue
            remaining.append(item)
        selections = remaining
        meta = self.supergraph.types[type_name]
        if meta.kind != "object" and meta.is_interface_object_in(group.subgraph):
            touched |= self.plan_interface_object(group, out, type_name, selections, path, provided, conditions)
        elif meta.kind == "object":
            touched |= self.plan_object(group, out, type_name, selections, path, provided, conditions)
        else:
            touched |= self.plan_abstract(group, out, type_name, selections, path, provided, conditions)
        return touched

    def _add_requires(
        self,
        target: FetchGroup,
        source_type: str,
        entity_type: str,
        graph: str,
        selections: Sequence[Selection],
    ) -> None:
        entity_meta = self.supergraph.types[entity_type]
        if entity_meta.kind == "object":
            condition = entity_type
        else:
            condition = entity_type
            target.possible_types[condition] = (*self.supergraph.possible_types(entity_type), entity_type)
            if entity_meta.is_interface_object_in(graph):
                rewrite = TypenameRewrite((), entity_type)
                if rewrite not in target.input_rewrites:
                    target.input_rewrites.append(rewrite)
        fragment = target.requires.add_fragment(condition)
        fragment.selections.add_field("__typename")
        _add_plain(
            fragment.selections,
            selections,
            self,
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


def _alias_arguments(selections: Sequence[Selection]) -> tuple[Selection, ...]:
    """Give ``@requires`` fields with arguments an alias of their own, so they never collide with a client field of
    the same name and other arguments (the representation still sends them under the field name)."""
    result: list[Selection] = []
    for item in selections:
        if isinstance(item, Field):
            alias = item.alias
            if item.arguments and alias is None:
                digest = hashlib.sha1(" ".join(print_ast(a) for a in item.arguments).encode()).hexdigest()[:8]
                alias = f"{item.name}__{digest}"
            result.append(replace(item, alias=alias, selections=_alias_arguments(item.selections)))
        else:
            result.append(replace(item, selections=_alias_arguments(item.selections)))
    return tuple(result)


def _requires_conflict(group: FetchGroup, entity_type: str, required: Sequence[Selection]) -> bool:
    """A representation carries one value per field name: two ``@requires`` of the same field with different
    arguments need two fetches."""
    fragment = group.requires.items.get(("i", entity_type))
    if fragment is None or isinstance(fragment, OutField):
        return False
    present = {item.name: item.alias for item in fragment.selections if isinstance(item, OutField)}
    return any(
        isinstance(item, Field) and item.name in present and present[item.name] != item.alias for item in required
    )


def _top_names(fields: str) -> set[str]:
    return {item.name for item in normalize(parse_fieldset(fields)) if isinstance(item, Field)}


def _interfaces(supergraph: Supergraph, type_name: str) -> tuple[str, ...]:
    named = supergraph.schema.get_type(type_name)
    interfaces = getattr(named, "interfaces", None) or ()
    return tuple(interface.name for interface in interfaces)
