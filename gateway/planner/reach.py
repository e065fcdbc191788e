"""What a subgraph resolves from a position: the schema questions the planning walk asks.

A subgraph resolves a field when it owns it (not ``@external``, no ``@requires``), when a ``@provides`` on the path
covers it, or, for a Fed 1 type extension, when it is one of the subgraph's own key fields. Pure questions over the
supergraph's join metadata; the planning state lives in :class:`~gateway.planner.builder.PlanBuilder`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gateway.planner.operation import Field, Selection, collect_fields
from gateway.planner.operation import normalize_selection_set as normalize
from schema.fieldset import parse_fieldset
from schema.join import FieldInGraph
from schema.supergraph import Supergraph

__all__ = ["SchemaReach"]


class SchemaReach:
    """Schema questions about one supergraph (the base of the planning state)."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph

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


def _top_names(fields: str) -> set[str]:
    return {item.name for item in normalize(parse_fieldset(fields)) if isinstance(item, Field)}
