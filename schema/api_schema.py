"""The API schema: what clients see of a supergraph.

The supergraph's join/link/core machinery (types, directive definitions and usages) and every element marked
``@inaccessible`` (types, fields, arguments, enum values, input fields; Federation spec "inaccessible") are removed;
descriptions and other directives (``@deprecated`` …) stay.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    NamedTypeNode,
    Node,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    validate_schema,
)

from schema.errors import SupergraphError

__all__ = ["build_api_schema", "is_machinery_name"]

NodeT = TypeVar("NodeT", bound=Node)


def is_machinery_name(name: str, prefixes: Collection[str]) -> bool:
    """``join__Graph``, ``link__Purpose``, ``core__Purpose`` … (the spec namespaces of the supergraph)."""
    return any(name == prefix or name.startswith(prefix + "__") for prefix in prefixes)


def _with(node: NodeT, **changes: Any) -> NodeT:
    values = {key: getattr(node, key, None) for key in node.keys}
    values.update(changes)
    return type(node)(**values)


def build_api_schema(document: DocumentNode, prefixes: Collection[str], inaccessible: str) -> GraphQLSchema:
    """Build the client-facing schema from a parsed supergraph (raises :class:`SupergraphError`)."""

    def hidden(node: Any) -> bool:
        return any(directive.name.value == inaccessible for directive in node.directives or ())

    def keep_directives(directives: Any) -> tuple[DirectiveNode, ...]:
        return tuple(
            d
            for d in directives or ()
            if d.name.value != inaccessible and not is_machinery_name(d.name.value, prefixes)
        )

    removed_types = {
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, TypeDefinitionNode)
        and (hidden(definition) or is_machinery_name(definition.name.value, prefixes))
    }

    def arguments(values: Any) -> tuple[InputValueDefinitionNode, ...]:
        return tuple(_with(v, directives=keep_directives(v.directives)) for v in values or () if not hidden(v))

    def fields(values: Any) -> tuple[FieldDefinitionNode, ...]:
        return tuple(
            _with(f, directives=keep_directives(f.directives), arguments=arguments(f.arguments))
            for f in values or ()
            if not hidden(f) and _named(f.type) not in removed_types
        )

    def named_types(values: Any) -> tuple[NamedTypeNode, ...]:
        return tuple(n for n in values or () if n.name.value not in removed_types)

    definitions: list[Any] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            definitions.append(_with(definition, directives=keep_directives(definition.directives)))
        elif isinstance(definition, DirectiveDefinitionNode):
            name = definition.name.value
            if name != inaccessible and name not in prefixes and not is_machinery_name(name, prefixes):
                definitions.append(definition)
        elif isinstance(definition, TypeDefinitionNode):
            if definition.name.value in removed_types:
                continue
            directives = keep_directives(definition.directives)
            if isinstance(definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                definitions.append(
                    _with(
                        definition,
                        directives=directives,
                        fields=fields(definition.fields),
                        interfaces=named_types(definition.interfaces),
                    )
                )
            elif isinstance(definition, UnionTypeDefinitionNode):
                definitions.append(_with(definition, directives=directives, types=named_types(definition.types)))
            elif isinstance(definition, EnumTypeDefinitionNode):
                values = tuple(
                    _with(v, directives=keep_directives(v.directives)) for v in definition.values or () if not hidden(v)
                )
                definitions.append(_with(definition, directives=directives, values=values))
            elif isinstance(definition, InputObjectTypeDefinitionNode):
                definitions.append(_with(definition, directives=directives, fields=arguments(definition.fields)))
            else:
                definitions.append(_with(definition, directives=directives))
        else:
            definitions.append(definition)
    try:
        # the supergraph's SDL was validated when its own schema was built; this is a subset of it, and what removing
        # parts could break (a reference to a removed type, an empty type) fails the build or validate_schema below
        schema = build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"cannot build the API schema: {error}") from error
    errors = validate_schema(schema)
    if errors:
        raise SupergraphError("invalid API schema: " + "; ".join(error.message for error in errors))
    return schema


def _named(type_node: Any) -> str:
    while not isinstance(type_node, NamedTypeNode):
        type_node = type_node.type
    return type_node.name.value
