"""The checks of GraphQL's SDL validation, in one pass over a supergraph's definitions.

graphql-core's ``validate_sdl`` runs its fifteen rules through the generic AST visitor, which visits every name,
type reference and value node of the document: on a 50-subgraph supergraph that is about a fifth of the load. The
same checks here look only at the definitions, their fields, arguments, enum values and directive usages:

- one schema definition, each operation type once in it;
- type, directive, field, argument, enum value and (in directive arguments) input object field names unique;
- an extension extends a type of the document of the same kind;
- every directive used is defined (or built in), allowed where it is used, not repeated unless repeatable, and
  given known arguments, each once, the required ones present.

Unknown type references are left to ``build_ast_schema``, which refuses them (:func:`schema.supergraph.load_supergraph`
builds with ``assume_valid_sdl=True`` after these checks). The first problem found is raised as
:class:`~schema.errors.SupergraphError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveLocation,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    is_required_argument,
    specified_directives,
    specified_scalar_types,
)

from schema.errors import SupergraphError

__all__ = ["check_sdl"]

L = DirectiveLocation
_LOCATIONS: dict[type, tuple[DirectiveLocation, str]] = {  # a type definition or extension: its location, its kind
    ScalarTypeDefinitionNode: (L.SCALAR, "scalar"),
    ScalarTypeExtensionNode: (L.SCALAR, "scalar"),
    ObjectTypeDefinitionNode: (L.OBJECT, "object"),
    ObjectTypeExtensionNode: (L.OBJECT, "object"),
    InterfaceTypeDefinitionNode: (L.INTERFACE, "interface"),
    InterfaceTypeExtensionNode: (L.INTERFACE, "interface"),
    UnionTypeDefinitionNode: (L.UNION, "union"),
    UnionTypeExtensionNode: (L.UNION, "union"),
    EnumTypeDefinitionNode: (L.ENUM, "enum"),
    EnumTypeExtensionNode: (L.ENUM, "enum"),
    InputObjectTypeDefinitionNode: (L.INPUT_OBJECT, "input object"),
    InputObjectTypeExtensionNode: (L.INPUT_OBJECT, "input object"),
}


@dataclass(frozen=True, slots=True)
class _Directive:
    locations: frozenset[DirectiveLocation]
    arguments: frozenset[str]
    required: frozenset[str]
    repeatable: bool


_BUILT_IN = {
    d.name: _Directive(
        frozenset(d.locations),
        frozenset(d.args),
        frozenset(name for name, arg in d.args.items() if is_required_argument(arg)),
        d.is_repeatable,
    )
    for d in specified_directives
}


def _fail(message: str) -> None:
    raise SupergraphError(f"supergraph SDL is not valid: {message}")


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            _fail(f"{what} {name!r} is defined more than once")
        seen.add(name)


def _definition(node: DirectiveDefinitionNode) -> _Directive:
    arguments = node.arguments or ()
    return _Directive(
        frozenset(L.__members__[location.value] for location in node.locations),  # the parser checked the names
        frozenset(a.name.value for a in arguments),
        frozenset(a.name.value for a in arguments if isinstance(a.type, NonNullTypeNode) and a.default_value is None),
        node.repeatable,
    )


def _values(value: ValueNode, where: str) -> None:
    """Input object fields unique inside a directive argument's value."""
    if isinstance(value, ObjectValueNode):
        _unique((f.name.value for f in value.fields), f"input field of a value in {where}")
        for field in value.fields:
            _values(field.value, where)
    elif isinstance(value, ListValueNode):
        for item in value.values:
            _values(item, where)


def _directives(
    nodes: Iterable[DirectiveNode] | None, location: DirectiveLocation, where: str, known: Mapping[str, _Directive]
) -> None:
    seen: set[str] = set()
    for node in nodes or ():
        name = node.name.value
        directive = known.get(name)
        if directive is None:
            _fail(f"unknown directive @{name} on {where}")
            return
        if location not in directive.locations:
            _fail(f"directive @{name} may not be used on {location.name} ({where})")
        if name in seen and not directive.repeatable:
            _fail(f"the directive @{name} can only be used once on {where}")
        seen.add(name)
        given: set[str] = set()
        for argument in node.arguments or ():
            arg = argument.name.value
            if arg not in directive.arguments:
                _fail(f"unknown argument {arg!r} of @{name} on {where}")
            if arg in given:
                _fail(f"argument {arg!r} of @{name} is given more than once on {where}")
            given.add(arg)
            _values(argument.value, f"@{name} on {where}")
        missing = directive.required - given
        if missing:
            _fail(f"@{name} on {where} lacks its required argument {sorted(missing)[0]!r}")


def _arguments(
    arguments: Iterable[InputValueDefinitionNode] | None,
    location: DirectiveLocation,
    where: str,
    known: Mapping[str, _Directive],
) -> None:
    arguments = tuple(arguments or ())
    what = "argument" if location is L.ARGUMENT_DEFINITION else "input field"
    _unique((a.name.value for a in arguments), f"{what} of {where}:")
    for argument in arguments:
        _directives(argument.directives, location, f"{where}({argument.name.value}:)", known)


def check_sdl(document: DocumentNode) -> None:
    """Raise :class:`SupergraphError` for the first SDL validation error of ``document``."""
    definitions: list[Any] = list(document.definitions)
    known: dict[str, _Directive] = dict(_BUILT_IN)
    defined: set[str] = set()
    kinds: dict[str, str] = {name: "scalar" for name in specified_scalar_types}
    schemas = 0
    for definition in definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            name = definition.name.value
            if name in defined:
                _fail(f"there can be only one directive named @{name}")
            defined.add(name)
            known[name] = _definition(definition)
        elif isinstance(definition, TypeDefinitionNode):
            name = definition.name.value
            if name in kinds and name not in specified_scalar_types:
                _fail(f"there can be only one type named {name!r}")
            kinds[name] = _LOCATIONS[type(definition)][1]
        elif isinstance(definition, SchemaDefinitionNode):
            schemas += 1
            if schemas > 1:
                _fail("there can be only one schema definition")
    fields: dict[str, set[str]] = {}  # per type, over its definition and extensions
    for definition in definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            _unique((o.operation.value for o in definition.operation_types or ()), "operation type")
            _directives(definition.directives, L.SCHEMA, "the schema", known)
        elif isinstance(definition, DirectiveDefinitionNode):
            _arguments(definition.arguments, L.ARGUMENT_DEFINITION, f"@{definition.name.value}", known)
        elif isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            _type(definition, kinds, fields.setdefault(definition.name.value, set()), known)


_MEMBERS = {  # where the fields or values of a type stand
    L.OBJECT: L.FIELD_DEFINITION,
    L.INTERFACE: L.FIELD_DEFINITION,
    L.INPUT_OBJECT: L.INPUT_FIELD_DEFINITION,
    L.ENUM: L.ENUM_VALUE,
}


def _type(node: Any, kinds: Mapping[str, str], seen: set[str], known: Mapping[str, _Directive]) -> None:
    """A type definition or extension: its kind, directives and members (``seen``: of the type so far)."""
    name = node.name.value
    location, kind = _LOCATIONS[type(node)]
    if isinstance(node, TypeExtensionNode) and kinds.get(name) != kind:
        found = kinds.get(name)
        _fail(f"cannot extend {name!r}: " + (f"it is {found}, not {kind}" if found else "no such type"))
    _directives(node.directives, location, name, known)
    member_location = _MEMBERS.get(location)
    if member_location is None:
        return
    what = "enum value" if location is L.ENUM else "field"
    for member in (node.values if location is L.ENUM else node.fields) or ():
        member_name = member.name.value
        if member_name in seen:
            _fail(f"{what} {name}.{member_name} is defined more than once")
        seen.add(member_name)
        _directives(member.directives, member_location, f"{name}.{member_name}", known)
        if member_location is L.FIELD_DEFINITION:
            _arguments(member.arguments, L.ARGUMENT_DEFINITION, f"{name}.{member_name}", known)
