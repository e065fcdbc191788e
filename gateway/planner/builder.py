"""The planning walk: assign every field of the operation to a subgraph fetch.

Federation spec background: https://www.apollographql.com/docs/federation/ (entities, ``_entities``, ``@key``,
``@requires``, ``@provides``, ``@interfaceObject``). The walk keeps, for each selection, the fetch group it is in
(its *current subgraph*). A field the current subgraph resolves stays there (owned and not external, or external but
provided by a ``@provides`` on the path, or a key of its own); otherwise the planner jumps to a subgraph that
resolves it, through a resolvable ``@key`` whose fields the current data can supply, as an entity fetch at the
response path (:mod:`gateway.planner.jumps`). ``@requires`` fields are planned at the same position first (possibly
in yet another subgraph) and become part of the representation; the entity fetch depends on every group that
produced its representation. Abstract types are expanded into the concrete types the current subgraph knows unless
every selected field resolves uniformly on the abstract type there; where several subgraphs may have produced the
value (a shareable field), only the members all of them know. A root field several subgraphs resolve goes to the one
whose plan (tried on its own) needs the fewest fetches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    is_composite_type,
)

from gateway.planner.errors import PlanningError
from gateway.planner.groups import FetchGroup
from gateway.planner.helper_keys import ESCAPED_TYPENAME, ClientKeys
from gateway.planner.jumps import interfaces_of, jump, jump_candidates, jump_to_interface, usable_key
from gateway.planner.operation import NO_CONDITIONS, Conditions, Field, Selection, collect_fields
from gateway.planner.operation import normalize_selection_set as normalize
from gateway.planner.plan import KeyRename
from gateway.planner.reach import SchemaReach
from gateway.planner.selection import OutField, OutSelectionSet
from schema.fieldset import parse_fieldset
from schema.join import FieldMeta
from schema.supergraph import Supergraph

__all__ = ["PlanBuilder"]


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


class PlanBuilder(SchemaReach):
    """One planning run: groups accumulate here until :mod:`gateway.planner.assemble` turns them into nodes."""

    def __init__(self, supergraph: Supergraph, first_id: int = 0, client_keys: ClientKeys | None = None) -> None:
        super().__init__(supergraph)
        # The client document's response keys: helper fields (keys, @requires inputs) take keys it cannot clash with.
        self.client_keys = client_keys if client_keys is not None else ClientKeys()
        self._fieldsets: dict[str, tuple[Selection, ...]] = {}
        self.groups: list[FetchGroup] = []
        self.root_groups: dict[str, FetchGroup] = {}
        self._next_id = first_id
        self._trial = False  # a trial run (planning one root field to count its fetches) runs no trials itself
        self._depth = 0
        # Fields no subgraph can reach from the current position (a value type without keys): the enclosing
        # field is planned again, with just those, in another subgraph that resolves it too (shareable).
        self._leftovers: list[list[Field]] = []
        self._tried: dict[tuple[tuple[str, ...], str], set[str]] = {}
        # Subgraphs that may have produced the value at a response path (None: not one answer for the path). A
        # value type's fields come from the subgraph that returned the value; an entity's from any that resolves
        # them. An abstract type at a path several subgraphs may produce keeps only the members all of them know.
        self._sources: dict[tuple[str, ...], frozenset[str] | None] = {}
        # Leaf fields already fetched, by response path, key and field name, and the groups fetching them with the
        # conditions (@skip/@include) they are fetched under ("keys at hand"). The field name counts: a client's
        # ``id: username`` is no key ``id``; so do the conditions: a client's ``rank @skip(if: $x)`` is no
        # ``@requires`` input for a field that is fetched when ``$x`` is true.
        self._fetched: dict[tuple[tuple[str, ...], str, str, str], set[tuple[int, Conditions]]] = {}

    def helper_fields(self, fieldset: str) -> tuple[Selection, ...]:
        """A ``@key`` or ``@requires`` FieldSet as selections whose response keys no client field can clash with."""
        found = self._fieldsets.get(fieldset)
        if found is None:
            found = self._fieldsets[fieldset] = self.client_keys.helpers(normalize(parse_fieldset(fieldset)))
        return found

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
        self,
        subgraph: str,
        path: tuple[str, ...],
        deps: set[int],
        entity_type: str,
        required: Sequence[Selection],
        conditions: Conditions,
    ) -> FetchGroup | None:
        closure = self._closure(deps)
        for group in self.groups:
            if (
                group.is_entity
                and group.subgraph == subgraph
                and group.path == path
                and group.id not in closure
                and not _requires_conflict(group, entity_type, required)
                and _inputs_present(group, conditions, bool(required))
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
        conditions: Conditions = NO_CONDITIONS,
    ) -> FetchGroup:
        """The entity fetch of ``subgraph`` at ``path`` that a jump under ``conditions`` joins (a new one if none
        can take it); ``required``: the jump's ``@requires`` fields."""
        group = self._existing_entity_group(subgraph, path, deps, entity_type, required, conditions)
        if group is None:
            group = self._new_group(subgraph, path, True)
        group.deps |= deps
        group.entry_conditions.append(conditions)
        if required:
            group.requires_conditions.append(conditions)
        return group

    # reaching a position (schema questions that need the planning state) -----------------------------------

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
            if path is not None and not field.selections and self._fetched_by(path, type_name, field):
                continue
            if not self.can_resolve(subgraph, type_name, field.name, provided):
                return False
            if field.selections:
                meta_field = meta.fields[field.name]
                inner = self._inner_provided(provided, type_name, field.name, meta_field.graphs.get(subgraph))
                if not self.can_provide(subgraph, meta_field.named_type, field.selections, inner):
                    return False
        return True

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
                    usable_key(self, probe, member, field, key, ())
                    for _, _, key in jump_candidates(self, probe, member, field, ())
                ):
                    return False
        return True

    # the walk -----------------------------------------------------------------------------------------------

    def _trial_cost(self, root_type: str, field: Field, subgraph: str) -> tuple[int, int]:
        """How many fetches ``field`` takes when its root fetch goes to ``subgraph`` (planned on its own), and how
        many fields those entity fetches carry."""
        trial = PlanBuilder(self.supergraph, client_keys=self.client_keys)
        trial._trial = True
        try:
            trial.plan_root_field(root_type, field, only=subgraph)
        except PlanningError:
            return (1 << 20, 0)
        return len(trial.groups), sum(_count_fields(g.selections) for g in trial.groups if g.is_entity)

    def plan_root_field(
        self,
        root_type: str,
        field: Field,
        preferred: Iterable[str] = (),
        exclude: Iterable[str] = (),
        only: str | None = None,
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
        if only is not None:
            candidates = [only]
        order = list(self.supergraph.graphs)
        preferred_set = set(preferred) | set(self.root_groups)
        costs: dict[str, tuple[int, int]] = {}
        if len(candidates) > 1 and not self._trial:
            # A root fetch that joins one already planned costs nothing more.
            for graph in candidates:
                fetches, fields = self._trial_cost(root_type, field, graph)
                costs[graph] = (fetches - (graph in preferred_set), fields)
        subgraph = min(
            candidates,
            key=lambda graph: (
                costs.get(graph, (0, 0)),
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
        alias = field.alias
        tree_key = field.response_key  # where the value lands in the response tree
        if alias == "__typename":
            # The executor reads __typename itself: the client's field travels under an alias of its own.
            alias = self.client_keys.escaped_typename()
            escape = KeyRename(path[len(group.path) :], alias, ESCAPED_TYPENAME)
            if escape not in group.escapes:
                group.escapes.append(escape)
            tree_key = ESCAPED_TYPENAME
        added = out.add_field(field.name, alias, field.arguments, field.conditions, composite)
        touched = {group.id}
        if not composite and not field.arguments:
            fetched_under = conditions | field.conditions
            self._fetched.setdefault((path, type_name, alias or field.name, field.name), set()).add(
                (group.id, fetched_under)
            )
        if composite and added.selections is not None:
            parent = self.supergraph.schema.get_type(type_name)
            parent_fields = getattr(parent, "fields", None) or {}
            field_def = parent_fields.get(field.name)
            depth = _list_depth(field_def.type) if field_def is not None else 0
            inner_path = (*path, tree_key, *(["@"] * depth))
            self._note_sources(inner_path, self._field_sources(group, type_name, meta, path))
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

    def _field_sources(
        self, group: FetchGroup, type_name: str, meta: FieldMeta, path: tuple[str, ...]
    ) -> frozenset[str]:
        resolving = frozenset(meta.resolving_graphs()) | {group.subgraph}
        parent = self.supergraph.types.get(type_name)
        supergraph = self.supergraph
        if parent is None or type_name in (supergraph.query_type, supergraph.mutation_type):
            return resolving
        if any(entry.resolvable_keys for entry in parent.graphs.values()):
            return frozenset(
                g for g in resolving if g == group.subgraph or (g in parent.graphs and parent.graphs[g].resolvable_keys)
            )
        above = self._sources.get(path)
        return resolving & above if above else resolving

    def _note_sources(self, path: tuple[str, ...], sources: frozenset[str]) -> None:
        if path in self._sources and self._sources[path] != sources:
            self._sources[path] = None
        else:
            self._sources[path] = sources

    def possible_here(self, type_name: str, subgraph: str, path: tuple[str, ...]) -> tuple[str, ...]:
        """Members of abstract ``type_name`` that ``subgraph`` may return at ``path`` and that every other subgraph
        that may produce this value knows too (a shareable field answers the same from any of them)."""
        possible = self.supergraph.possible_types_in(type_name, subgraph)
        sources = self._sources.get(path)
        if not sources or len(sources) < 2:
            return possible
        others = [set(self.supergraph.possible_types_in(type_name, g)) for g in sources if g != subgraph]
        return tuple(t for t in possible if all(t in known for known in others))

    def _fetched_by(
        self, path: tuple[str, ...], type_name: str, field: Field, needed: Conditions | None = None
    ) -> set[int]:
        """Groups that fetch ``field`` at ``path``; with ``needed``, only those that fetch it whenever ``needed``
        holds (their conditions are among the needed ones)."""
        found: set[int] = set()
        for owner in (type_name, *interfaces_of(self.supergraph, type_name)):
            for group_id, fetched_under in self._fetched.get((path, owner, field.response_key, field.name), ()):
                if needed is None or fetched_under <= needed:
                    found.add(group_id)
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
                    self.can_provide(group.subgraph, type_name, self.helper_fields(key.fields), provided, path)
                    for _, _, key in jump_candidates(self, group, type_name, sub, provided)
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
            self.can_provide(group.subgraph, type_name, self.helper_fields(key.fields), provided, path)
            for _, _, key in jump_candidates(self, group, type_name, field, provided, tried)
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
        elif jump_candidates(self, group, type_name, field, provided, tried):
            return jump(self, group, out, type_name, field, path, provided, conditions, (), tried)
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
                if self._leftovers and not jump_candidates(self, group, type_name, field, provided):
                    self._leftovers[-1].append(field)
                    continue
                touched |= jump(self, group, out, type_name, field, path, provided, conditions, remote)
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
        possible = self.possible_here(type_name, subgraph, path)
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
                    touched |= jump(self, group, out, type_name, field, path, provided, conditions, ())
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
            elif field.name != "__typename" and jump_candidates(self, group, type_name, field, provided):
                remote.append(field)
            else:
                elsewhere.append(field)
        for field in remote:
            touched |= jump(self, group, out, type_name, field, path, provided, conditions, remote)
        if elsewhere:
            touched |= jump_to_interface(self, group, out, type_name, elsewhere, path, provided, conditions)
        return touched


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


def _inputs_present(group: FetchGroup, conditions: Conditions, requires: bool) -> bool:
    """Whether an entry under ``conditions`` may share ``group``'s representations: ``@requires`` inputs are planned
    under the conditions of the field that needs them, and an object whose representation lacks one is not sent, so
    every entry of a group must hold only when the inputs of every ``@requires`` entry were fetched."""
    requiring = [*group.requires_conditions, *([conditions] if requires else [])]
    entries = [*group.entry_conditions, conditions]
    return all(needed <= entry for needed in requiring for entry in entries)


def _count_fields(selection_set: OutSelectionSet) -> int:
    count = 0
    for item in selection_set:
        if isinstance(item, OutField):
            count += item.name != "__typename"
            if item.selections is not None:
                count += _count_fields(item.selections)
        else:
            count += _count_fields(item.selections)
    return count
