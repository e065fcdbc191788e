"""Fetch groups: what the planner accumulates for one subgraph request before it becomes a :class:`Fetch`.

Mutable while the planner walks the operation (it keeps adding fields), turned into frozen plan nodes at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.planner.operation import Conditions
from gateway.planner.plan import KeyRename, RequiresField, RequiresFragment, RequiresSelection, TypenameRewrite
from gateway.planner.selection import OutField, OutSelectionSet

__all__ = ["FetchGroup", "requires_from_selection_set"]


@dataclass(slots=True, eq=False)
class FetchGroup:
    id: int
    subgraph: str
    path: tuple[str, ...]  # where entity results merge; () for a root fetch
    is_entity: bool
    selections: OutSelectionSet = field(default_factory=OutSelectionSet)
    requires: OutSelectionSet = field(default_factory=OutSelectionSet)  # representation: fragments per type
    possible_types: dict[str, tuple[str, ...]] = field(default_factory=dict)  # requires fragment → types it covers
    input_rewrites: list[TypenameRewrite] = field(default_factory=list)
    output_renames: list[KeyRename] = field(default_factory=list)  # aliases back to response keys
    escapes: list[KeyRename] = field(default_factory=list)  # client fields aliased "__typename" (applied last)
    deps: set[int] = field(default_factory=set)
    entry_conditions: list[Conditions] = field(default_factory=list)
    requires_conditions: list[Conditions] = field(default_factory=list)  # of the entries with @requires inputs
    # @interfaceObject targets: top-level response key → the object types whose fragments asked for it
    output_types: dict[str, set[str]] = field(default_factory=dict)

    @property
    def conditions(self) -> Conditions:
        """Conditions every entry of this group is under (the fetch is skipped when they do not hold)."""
        if not self.entry_conditions:
            return frozenset()
        result = self.entry_conditions[0]
        for conditions in self.entry_conditions[1:]:
            result = result & conditions
        return result


def requires_from_selection_set(
    selection_set: OutSelectionSet, possible_types: dict[str, tuple[str, ...]]
) -> tuple[RequiresSelection, ...]:
    result: list[RequiresSelection] = []
    for item in selection_set:
        if isinstance(item, OutField):
            inner = requires_from_selection_set(item.selections, possible_types) if item.selections else ()
            result.append(RequiresField(item.name, inner, item.alias))
        else:
            result.append(
                RequiresFragment(
                    item.type_condition,
                    requires_from_selection_set(item.selections, possible_types),
                    possible_types.get(item.type_condition, ()),
                )
            )
    return tuple(result)
