"""The client operation, normalised for planning.

Named fragments are inlined, ``@skip(if: true)`` / ``@include(if: false)`` elements are dropped (and their
literal opposites stripped), and ``@skip``/``@include`` on variables become *conditions*: a set of
``(variable, include_when)`` pairs carried by each field and fragment. Other executable directives are not
forwarded to subgraphs. Field selection merging follows graphql-core's ``collect_fields`` (by response key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeAlias

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
)

__all__ = [
    "Conditions",
    "Field",
    "Fragment",
    "Selection",
    "collect_fields",
    "normalize_selection_set",
]

Conditions: TypeAlias = frozenset[tuple[str, bool]]
NO_CONDITIONS: Conditions = frozenset()


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    alias: str | None = None
    arguments: tuple[ArgumentNode, ...] = ()
    conditions: Conditions = NO_CONDITIONS
    selections: tuple[Selection, ...] = ()

    @property
    def response_key(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class Fragment:
    type_condition: str | None
    selections: tuple[Selection, ...]
    conditions: Conditions = NO_CONDITIONS


Selection: TypeAlias = Field | Fragment


def _conditions(directives: Iterable[DirectiveNode]) -> Conditions | None:
    """The variable conditions of ``@skip``/``@include``; None when a literal makes the element go away."""
    found: set[tuple[str, bool]] = set()
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        for argument in directive.arguments or ():
            if argument.name.value != "if":
                continue
            value = argument.value
            include_when = name == "include"
            if isinstance(value, BooleanValueNode):
                if value.value != include_when:
                    return None
            elif isinstance(value, VariableNode):
                found.add((value.name.value, include_when))
    return frozenset(found)


def normalize_selection_set(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode] | None = None
) -> tuple[Selection, ...]:
    if selection_set is None:
        return ()
    fragments = fragments or {}
    result: list[Selection] = []
    for node in selection_set.selections:
        conditions = _conditions(node.directives or ())
        if conditions is None:
            continue
        if isinstance(node, FieldNode):
            result.append(
                Field(
                    name=node.name.value,
                    alias=node.alias.value if node.alias else None,
                    arguments=tuple(node.arguments or ()),
                    conditions=conditions,
                    selections=normalize_selection_set(node.selection_set, fragments),
                )
            )
        elif isinstance(node, InlineFragmentNode):
            result.append(
                Fragment(
                    node.type_condition.name.value if node.type_condition else None,
                    normalize_selection_set(node.selection_set, fragments),
                    conditions,
                )
            )
        elif isinstance(node, FragmentSpreadNode):
            definition = fragments.get(node.name.value)
            if definition is not None:
                result.append(
                    Fragment(
                        definition.type_condition.name.value,
                        normalize_selection_set(definition.selection_set, fragments),
                        conditions,
                    )
                )
    return tuple(result)


def collect_fields(
    selections: Iterable[Selection],
    applies: Callable[[str], bool],
    inherited: Conditions = NO_CONDITIONS,
) -> tuple[dict[str, Field], list[Fragment]]:
    """Fields by response key for a position, looking through fragments whose type condition ``applies``.

    Fragments that do not apply are returned (with inherited conditions folded in) for the caller to expand.
    Merged fields keep the conditions they share (over-fetching is safe: the executor evaluates the client's
    own directives when shaping).
    """
    fields: dict[str, Field] = {}
    rest: list[Fragment] = []

    def walk(items: Iterable[Selection], conditions: Conditions) -> None:
        for item in items:
            if isinstance(item, Field):
                merged = replace(item, conditions=item.conditions | conditions)
                previous = fields.get(item.response_key)
                if previous is None:
                    fields[item.response_key] = merged
                else:
                    fields[item.response_key] = replace(
                        previous,
                        conditions=previous.conditions & merged.conditions,
                        selections=previous.selections + merged.selections,
                    )
            elif item.type_condition is None or applies(item.type_condition):
                walk(item.selections, conditions | item.conditions)
            else:
                rest.append(replace(item, conditions=item.conditions | conditions))

    walk(selections, inherited)
    return fields, rest
