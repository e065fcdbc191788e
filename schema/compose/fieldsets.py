"""Field sets (``@key(fields:)``, ``@requires(fields:)``, ``@provides(fields:)``) checked against a subgraph.

Spec: https://www.apollographql.com/docs/graphos/reference/federation/directives — a field set is a selection
set without braces; it selects existing fields, every composite field has a sub-selection, keys select no
field with arguments and no interface or union field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import FieldNode, GraphQLSyntaxError, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse

from schema.compose.model import SubType
from schema.compose.typerefs import named_type

__all__ = ["FieldSetProblem", "SelectedField", "walk_fieldset"]

_LEAF_KINDS = frozenset({"scalar", "enum"})
_BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


@dataclass(frozen=True, slots=True)
class SelectedField:
    parent: str
    name: str
    depth: int  # 0 for the fields selected directly on the field set's type
    leaf: bool = True  # selected without a sub-selection


@dataclass(frozen=True, slots=True)
class FieldSetProblem:
    code_suffix: str  # INVALID_FIELDS | FIELDS_HAS_ARGS | FIELDS_SELECT_INVALID_TYPE
    message: str
    field_name: str | None = None


def walk_fieldset(
    types: Mapping[str, SubType], parent: str, text: str, *, is_key: bool
) -> tuple[list[SelectedField], list[FieldSetProblem]]:
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLSyntaxError as error:
        return [], [FieldSetProblem("INVALID_FIELDS", f'"{text}" does not parse: {error.message}')]
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    selected: list[SelectedField] = []
    problems: list[FieldSetProblem] = []
    _walk(types, parent, operation.selection_set, 0, is_key, selected, problems)
    return selected, problems


def _kind(types: Mapping[str, SubType], name: str) -> str | None:
    if name in _BUILTIN_SCALARS:
        return "scalar"
    found = types.get(name)
    return found.kind if found is not None else None


def _walk(
    types: Mapping[str, SubType],
    parent: str,
    selection_set: SelectionSetNode,
    depth: int,
    is_key: bool,
    selected: list[SelectedField],
    problems: list[FieldSetProblem],
) -> None:
    owner = types.get(parent)
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else parent
            if condition not in types:
                problems.append(FieldSetProblem("INVALID_FIELDS", f'unknown type "{condition}" in a fragment'))
                continue
            _walk(types, condition, selection.selection_set, depth, is_key, selected, problems)
            continue
        if not isinstance(selection, FieldNode):
            problems.append(FieldSetProblem("INVALID_FIELDS", "named fragments are not allowed in a field set"))
            continue
        name = selection.name.value
        if name == "__typename" and not is_key:
            continue
        definition = owner.fields.get(name) if owner is not None else None
        if definition is None:
            problems.append(FieldSetProblem("INVALID_FIELDS", f'cannot query field "{name}" on type "{parent}"', name))
            continue
        selected.append(SelectedField(parent, name, depth, selection.selection_set is None))
        target = named_type(definition.type)
        kind = _kind(types, target)
        if is_key and definition.args:
            problems.append(FieldSetProblem("FIELDS_HAS_ARGS", f'field "{parent}.{name}" has arguments', name))
        if is_key and kind in ("interface", "union"):
            problems.append(
                FieldSetProblem(
                    "FIELDS_SELECT_INVALID_TYPE",
                    f'field "{parent}.{name}" is of type {definition.type}, which a key cannot select',
                    name,
                )
            )
            continue
        if kind in _LEAF_KINDS or kind is None:
            if selection.selection_set is not None:
                problems.append(
                    FieldSetProblem("INVALID_FIELDS", f'leaf field "{parent}.{name}" cannot have a selection', name)
                )
            continue
        if selection.selection_set is None:
            problems.append(
                FieldSetProblem("INVALID_FIELDS", f'field "{parent}.{name}" of type {target} needs a selection', name)
            )
            continue
        _walk(types, target, selection.selection_set, depth + 1, is_key, selected, problems)
