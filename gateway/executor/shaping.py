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

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType

from gateway.executor.operation import (
    ABSTRACT,
    LEAF,
    LIST,
    OBJECT,
    CollectedField,
    PreparedOperation,
    ValueShape,
)

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
    __slots__ = ("condition_key", "covered", "errors", "index", "memo", "operation", "variables")

    def __init__(self, operation: PreparedOperation, variables: Mapping[str, Any], covered: set[ErrorPath]) -> None:
        self.operation = operation
        self.index = operation.index
        self.variables = variables
        self.condition_key = operation.condition_key(variables)
        # without @skip/@include on variables, a field's object fields depend on the concrete type alone: they are
        # kept on the field (CollectedField.below) for every later request of the operation
        self.memo = not operation.condition_variables
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

    def complete(self, shape: ValueShape, value: Any, path: _Path, field: CollectedField, owner: str) -> Any:
        """The shaped value for a position of type ``shape``: a value, None, or _BUBBLE (non-null violated).
        ``field`` is the field the position belongs to, ``owner`` the name of its parent type (for messages)."""
        if value is None:
            result = None
        else:
            kind = shape.kind
            if kind == OBJECT:
                if type(value) is dict or isinstance(value, dict):
                    named = shape.named
                    assert isinstance(named, GraphQLObjectType)
                    result = self.complete_object(named, named.name, value, path, field)
                else:
                    self.error("Expected an object from the subgraphs.", path)
                    result = None
            elif kind == LIST:
                result = self.complete_list(shape, value, path, field, owner)
            elif kind == LEAF:
                return value  # scalars are passed through as the subgraph serialized them
            elif kind == ABSTRACT:
                result = self.complete_abstract(shape, value, path, field)
            elif value in shape.enum_values:  # ENUM
                return value
            else:
                self.error(f'Enum "{_name(shape)}" cannot represent value: {_describe(value)}', path)
                result = None
        if shape.non_null:
            if result is None:
                self.error(f"Cannot return null for non-nullable field {owner}.{field.field_name}.", path)
                return _BUBBLE
            return result
        return None if result is _BUBBLE else result

    def complete_list(self, shape: ValueShape, value: Any, path: _Path, field: CollectedField, owner: str) -> Any:
        if not isinstance(value, list):
            self.error("Expected a list from the subgraphs.", path)
            return None
        item = shape.item
        assert item is not None
        complete = self.complete
        items: list[Any] = []
        if item.kind == OBJECT:  # objects straight to complete_object: what complete would do, one call less
            named = item.named
            assert isinstance(named, GraphQLObjectType)
            name = named.name
            complete_object = self.complete_object
            for position, element in enumerate(value):
                if type(element) is dict:
                    shaped = complete_object(named, name, element, (position, path), field)
                    if shaped is _BUBBLE:
                        if item.non_null:
                            return _BUBBLE
                        shaped = None
                else:
                    shaped = complete(item, element, (position, path), field, owner)
                    if shaped is _BUBBLE:
                        return _BUBBLE
                items.append(shaped)
            return items
        for position, element in enumerate(value):
            shaped = complete(item, element, (position, path), field, owner)
            if shaped is _BUBBLE:
                return _BUBBLE
            items.append(shaped)
        return items

    def complete_abstract(self, shape: ValueShape, value: Any, path: _Path, field: CollectedField) -> Any:
        if not isinstance(value, dict):
            self.error("Expected an object from the subgraphs.", path)
            return None
        abstract = shape.named
        assert isinstance(abstract, GraphQLInterfaceType | GraphQLUnionType)
        type_name = value.get("__typename")
        possible = self.index.possible_types
        if type_name is None or type_name in possible:
            # no concrete type at hand (e.g. an @interfaceObject answered with the interface's name):
            # the fields of the abstract type itself still apply
            return self.complete_object(abstract, None, value, path, field)
        if type_name not in possible.get(abstract.name, ()):
            return None  # a type the API schema does not expose here (e.g. @inaccessible)
        concrete = self.index.schema.type_map[type_name]
        assert isinstance(concrete, GraphQLObjectType)
        return self.complete_object(concrete, type_name, value, path, field)

    def complete_object(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        type_name: str | None,
        value: Mapping[str, Any],
        path: _Path,
        field: CollectedField | None,
    ) -> Any:
        """``value`` cut to what ``field``'s selections (the operation's root selections when None) ask of an
        object of concrete type ``type_name`` (None: not known, only fragments on ``parent`` apply)."""
        if field is None:
            fields = self.operation.collect(
                self.operation.root_selections, type_name, parent, self.variables, self.condition_key
            )
        elif self.memo:
            below = field.below
            found = below.get(type_name)
            if found is None:
                found = below[type_name] = self.operation.collect(
                    field.selections, type_name, parent, self.variables, self.condition_key
                )
            fields = found
        else:
            fields = self.operation.collect(field.selections, type_name, parent, self.variables, self.condition_key)
        get = value.get
        leaves = fields.leaves
        if leaves is not None:  # nullable scalars only: one lookup each
            return dict(zip(leaves[0], map(get, leaves[1]), strict=True))
        shaped: dict[str, Any] = {}
        owner = type_name or parent.name
        for child in fields.fields:
            key = child.response_key
            scalar = child.scalar
            if scalar == 1:
                shaped[key] = get(child.data_key)
            elif scalar == 0:
                shape = child.shape
                assert shape is not None
                child_value = get(child.data_key)
                kind = shape.kind
                # a list or an object as planned goes straight to its completion: what complete would do, one
                # call less; anything else (null, a wrong kind of value, leaves, abstract types) through complete
                if kind == LIST and type(child_value) is list:
                    result = self.complete_list(shape, child_value, (key, path), child, owner)
                elif kind == OBJECT and type(child_value) is dict:
                    named = shape.named
                    assert isinstance(named, GraphQLObjectType)
                    result = self.complete_object(named, named.name, child_value, (key, path), child)
                else:
                    result = self.complete(shape, child_value, (key, path), child, owner)
                    if result is _BUBBLE:
                        return _BUBBLE
                    shaped[key] = result
                    continue
                if result is _BUBBLE:
                    if shape.non_null:
                        return _BUBBLE
                    result = None
                shaped[key] = result
            elif scalar == 2:
                leaf = get(child.data_key)
                if leaf is None:
                    self.error(f"Cannot return null for non-nullable field {owner}.{child.field_name}.", (key, path))
                    return _BUBBLE
                shaped[key] = leaf
            elif scalar == 3:
                shaped[key] = owner
            else:  # not in the API schema (e.g. introspection merged in): as is
                shaped[key] = get(child.data_key)
        return shaped


def _name(shape: ValueShape) -> str:
    return shape.named.name if shape.named is not None else ""


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
    shaped = shaper.complete_object(root, root.name, data, None, None)
    return (None if shaped is _BUBBLE else shaped), shaper.errors
