"""Response shaping: the merged subgraph data cut to exactly what the client asked for, nulls propagated.

:func:`shape_response` walks the client's operation (a :class:`~gateway.executor.operation.PreparedOperation`)
over the data the fetches merged, and builds a fresh ``data`` object:

- only the requested response keys, in the operation's field order (GraphQL spec §6.3.2 CollectFields); helper
  fields the planner added (keys, ``__typename``, ``@requires`` inputs) are left behind;
- ``__typename`` is the static type name for an object-typed field, the data's ``__typename`` for an abstract one;
  type conditions on abstract types match the data's ``__typename`` by the API schema's possible types;
- leaves are passed through, except enum values the API schema does not have (``@inaccessible`` or unknown to the
  composed enum), which become null with an error;
- null propagation (spec §6.4.4 "Handling Field Errors"): a null or missing value in a non-null position makes the
  parent null, up to the nearest nullable position (``data`` itself at worst). The error for it ("Cannot return null
  for non-nullable field T.f.") is added only when no error already covers that path or one of its ancestors — a
  subgraph error or an unavailable subgraph has already told the client why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
)

from gateway.executor.operation import CollectedField, PreparedOperation

__all__ = ["ErrorPath", "shape_response"]

ErrorPath = tuple[str | int, ...]

_BUBBLE: Final = object()  # a non-null position got null: the nearest nullable ancestor becomes null

# A response path as a cons list (key, parent) built while walking; turned into a list only for an error.
_Path = tuple[str | int, Any] | None


def _to_list(path: _Path) -> list[str | int]:
    out: list[str | int] = []
    while path is not None:
        out.append(path[0])
        path = path[1]
    out.reverse()
    return out


class _Shaper:
    __slots__ = ("condition_key", "covered", "errors", "index", "operation", "variables")

    def __init__(self, operation: PreparedOperation, variables: Mapping[str, Any], covered: set[ErrorPath]) -> None:
        self.operation = operation
        self.index = operation.index
        self.variables = variables
        self.condition_key = operation.condition_key(variables)
        self.covered = covered
        self.errors: list[dict[str, Any]] = []

    def error(self, message: str, path: _Path) -> None:
        """Add an error at ``path`` unless an error at the path or an ancestor of it already explains it."""
        as_list = _to_list(path)
        covered = self.covered
        if () in covered:
            return
        for end in range(1, len(as_list) + 1):
            if tuple(as_list[:end]) in covered:
                return
        covered.add(tuple(as_list))
        self.errors.append({"message": message, "path": as_list})

    def complete(self, type_: GraphQLOutputType, value: Any, path: _Path, field: CollectedField, owner: str) -> Any:
        """The shaped value for a position of type ``type_``: a value, None, or _BUBBLE (non-null violated).
        ``field`` is the field the position belongs to, ``owner`` the name of its parent type (for messages)."""
        if isinstance(type_, GraphQLNonNull):
            result = self.complete_nullable(type_.of_type, value, path, field, owner)
            if result is None:
                self.error(f"Cannot return null for non-nullable field {owner}.{field.field_name}.", path)
                return _BUBBLE
            return result
        result = self.complete_nullable(type_, value, path, field, owner)
        return None if result is _BUBBLE else result

    def complete_nullable(
        self, type_: GraphQLOutputType, value: Any, path: _Path, field: CollectedField, owner: str
    ) -> Any:
        if value is None:
            return None
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                self.error("Expected a list from the subgraphs.", path)
                return None
            item_type = type_.of_type
            items: list[Any] = []
            for position, item in enumerate(value):
                shaped = self.complete(item_type, item, (position, path), field, owner)
                if shaped is _BUBBLE:
                    return _BUBBLE
                items.append(shaped)
            return items
        if isinstance(type_, GraphQLObjectType):
            if not isinstance(value, dict):
                self.error("Expected an object from the subgraphs.", path)
                return None
            return self.complete_object(type_, type_.name, value, path, field.selections)
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            if not isinstance(value, dict):
                self.error("Expected an object from the subgraphs.", path)
                return None
            type_name = value.get("__typename")
            possible = self.index.possible_types
            if type_name is None or type_name in possible:
                # no concrete type at hand (e.g. an @interfaceObject answered with the interface's name):
                # the fields of the abstract type itself still apply
                return self.complete_object(type_, None, value, path, field.selections)
            if type_name not in possible.get(type_.name, ()):
                return None  # a type the API schema does not expose here (e.g. @inaccessible)
            concrete = self.index.schema.type_map[type_name]
            assert isinstance(concrete, GraphQLObjectType)
            return self.complete_object(concrete, type_name, value, path, field.selections)
        if isinstance(type_, GraphQLEnumType):
            if value not in self.index.enum_values.get(type_.name, ()):
                self.error(f'Enum "{type_.name}" cannot represent value: {_describe(value)}', path)
                return None
            return value
        return value  # scalars are passed through as the subgraph serialized them

    def complete_object(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        type_name: str | None,
        value: Mapping[str, Any],
        path: _Path,
        selections: tuple[Any, ...],
    ) -> Any:
        fields = self.operation.collect(selections, type_name, parent, self.variables, self.condition_key)
        shaped: dict[str, Any] = {}
        owner = type_name or parent.name
        for field in fields:
            key = field.response_key
            scalar = field.scalar
            if scalar == 1:
                shaped[key] = value.get(field.data_key)
                continue
            if scalar == 2:
                leaf = value.get(field.data_key)
                if leaf is None:
                    self.error(f"Cannot return null for non-nullable field {owner}.{field.field_name}.", (key, path))
                    return _BUBBLE
                shaped[key] = leaf
                continue
            if field.type is None:
                if field.field_name == "__typename":
                    shaped[key] = owner
                else:
                    shaped[key] = value.get(
                        field.data_key
                    )  # not in the API schema (e.g. introspection merged in): as is
                continue
            result = self.complete(field.type, value.get(field.data_key), (key, path), field, owner)
            if result is _BUBBLE:
                return _BUBBLE
            shaped[key] = result
        return shaped


def _describe(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def shape_response(
    operation: PreparedOperation,
    data: Mapping[str, Any],
    variables: Mapping[str, Any],
    covered: set[ErrorPath],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The client's ``data`` and the errors shaping adds (null propagation, unknown enum values).

    ``covered`` holds the paths errors already explain (``()`` covers everything); it is updated in place.
    ``variables`` must include the operation's defaults (:meth:`PreparedOperation.with_defaults`).
    """
    shaper = _Shaper(operation, variables, covered)
    root = operation.root_type
    shaped = shaper.complete_object(root, root.name, data, None, operation.root_selections)
    return (None if shaped is _BUBBLE else shaped), shaper.errors
