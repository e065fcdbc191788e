"""Reading one subgraph SDL into the composition model (:mod:`schema.compose.model`).

Handles Federation 2 ``@link`` imports and renames, Federation 1 subgraphs (no link: bare directive names,
``extend type`` and ``@extends`` entities, every field shareable, unused ``@external`` fields dropped), custom root
type names (renamed to Query/Mutation/Subscription) and the federation plumbing a ``_service { sdl }`` may carry
(``_Service``, ``_Entity``, ``_Any``, ``FieldSet``, ``_entities``…), which is dropped. Field sets are checked
here because they only need the one subgraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from graphql import (
    BooleanValueNode,
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    print_ast,
)

from schema.compose.errors import CompositionError
from schema.compose.fieldsets import walk_fieldset
from schema.compose.links import LinkedNames, read_links
from schema.compose.model import SubArgument, SubEnumValue, SubField, Subgraph, SubKey, SubType
from schema.compose.result import SubgraphSource
from schema.compose.typerefs import named_type, rename_type

__all__ = ["graph_enum_name", "read_subgraph"]

_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "object", ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface", InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union", UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum", EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input", InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar", ScalarTypeExtensionNode: "scalar",
}  # fmt: skip
_PLUMBING_TYPES = frozenset({"_Service", "_Any", "_Entity", "_FieldSet", "FieldSet", "Scope", "Policy"})
_PLUMBING_FIELDS = frozenset({"_service", "_entities"})
_BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
_DEFAULT_ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
_CARRIED = frozenset({"inaccessible", "tag", "authenticated", "requiresScopes", "policy", "cost", "listSize"})
_GRAPHQL_CARRIED = frozenset({"deprecated", "specifiedBy"})
_SPEC_PREFIXES = (
    "federation__", "link__", "join__", "inaccessible__", "tag__", "requiresScopes__", "policy__", "cost__",
)  # fmt: skip


def graph_enum_name(name: str) -> str:
    """The join__Graph value for a subgraph name, as Apollo's composer writes it."""
    value = re.sub(r"[^A-Za-z0-9_]", "_", name).upper()
    return "_" + value if value[:1].isdigit() else value


def _error(
    source: SubgraphSource, code: str, message: str, type_name: str | None = None, field: str | None = None
) -> CompositionError:
    return CompositionError(code, message, source.name, type_name, field)


class _Reader:
    """Collects one subgraph's types; lives only for one :func:`read_subgraph` call."""

    def __init__(self, source: SubgraphSource, document: DocumentNode) -> None:
        self.source = source
        self.errors: list[CompositionError] = []
        schema_directives: list[ConstDirectiveNode] = []
        self.roots = dict(_DEFAULT_ROOTS)
        for definition in document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                schema_directives.extend(definition.directives or ())
                for operation in definition.operation_types or ():
                    self.roots[operation.operation.value] = operation.type.name.value
        self.names: LinkedNames = read_links(schema_directives)
        self.renames = {name: _DEFAULT_ROOTS[op] for op, name in self.roots.items() if name != _DEFAULT_ROOTS[op]}
        self.composed = tuple(
            _string_arg(d, "name").lstrip("@")
            for d in schema_directives
            if self.names.canonical.get(d.name.value) == "composeDirective" and _string_arg(d, "name")
        )
        self.directive_definitions = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, DirectiveDefinitionNode) and d.name.value in self.composed
        }
        for name in self.composed:
            if name not in self.directive_definitions:
                self.errors.append(
                    _error(
                        source,
                        "DIRECTIVE_COMPOSITION_ERROR",
                        f'@composeDirective names "@{name}", which is not defined',
                    )
                )

    # -- directives ---------------------------------------------------------------------------------------------

    def canonical(self, directive: ConstDirectiveNode) -> str | None:
        name = directive.name.value
        found = self.names.canonical.get(name)
        if found is not None:
            return found
        if name in _GRAPHQL_CARRIED or name in self.composed:
            return name
        return None

    def federation(self, directives: Iterable[ConstDirectiveNode], name: str) -> list[ConstDirectiveNode]:
        return [d for d in directives if self.canonical(d) == name]

    def carried(self, directives: Iterable[ConstDirectiveNode]) -> tuple[str, ...]:
        printed: list[str] = []
        for directive in directives:
            name = self.canonical(directive)
            if name is None or not (name in _CARRIED or name in _GRAPHQL_CARRIED or name in self.composed):
                continue
            args = ", ".join(f"{arg.name.value}: {print_ast(arg.value)}" for arg in directive.arguments or ())
            printed.append(f"@{name}({args})" if args else f"@{name}")
        return tuple(printed)

    # -- types --------------------------------------------------------------------------------------------------

    def is_plumbing(self, name: str) -> bool:
        return name in _PLUMBING_TYPES or name.startswith(_SPEC_PREFIXES)

    def read_types(self, document: DocumentNode) -> dict[str, SubType]:
        grouped: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
        for definition in document.definitions:
            if isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
                name = self.renames.get(definition.name.value, definition.name.value)
                if not self.is_plumbing(name):
                    grouped.setdefault(name, []).append(definition)
        types: dict[str, SubType] = {}
        for name, nodes in grouped.items():
            kinds = {_KINDS[type(node)] for node in nodes}
            if len(kinds) > 1:
                self.errors.append(
                    _error(
                        self.source, "INVALID_GRAPHQL", f'"{name}" is defined as {" and ".join(sorted(kinds))}', name
                    )
                )
                continue
            read = self.read_type(name, kinds.pop(), nodes)
            if read is not None:
                types[name] = read
        if "Query" not in types:
            types["Query"] = SubType("Query", "object")
        return types

    def read_type(self, name: str, kind: str, nodes: Sequence[Any]) -> SubType | None:
        directives = [d for node in nodes for d in node.directives or ()]
        extends = bool(self.federation(directives, "extends"))
        description = next((node.description.value for node in nodes if getattr(node, "description", None)), None)
        keys: list[SubKey] = []
        fields: dict[str, SubField] = {}
        for node in nodes:
            node_directives = list(node.directives or ())
            on_extension = extends or (self.names.fed2 and isinstance(node, TypeExtensionNode))
            for key in self.federation(node_directives, "key"):
                resolvable = _arg(key, "resolvable")
                keys.append(
                    SubKey(
                        _string_arg(key, "fields"),
                        resolvable=resolvable.value if isinstance(resolvable, BooleanValueNode) else None,
                        extension=on_extension,
                        on_extension=extends or isinstance(node, TypeExtensionNode),
                    )
                )
            type_shareable = bool(self.federation(node_directives, "shareable"))
            type_external = self.names.fed2 and bool(self.federation(node_directives, "external"))
            for field_node in getattr(node, "fields", None) or ():
                if name == "Query" and field_node.name.value in _PLUMBING_FIELDS:
                    continue
                if isinstance(field_node, FieldDefinitionNode):
                    fields[field_node.name.value] = self.read_field(field_node, type_shareable, type_external)
                else:
                    fields[field_node.name.value] = self.read_input_field(field_node)
        if kind in ("object", "interface", "input") and not fields and name != "Query":
            # Federation 1 stubs such as ``extend type Query`` with nothing left are dropped
            if kind == "input":
                self.errors.append(_error(self.source, "INVALID_GRAPHQL", f'input type "{name}" has no fields', name))
            return None if kind == "input" else SubType(name, kind, description, self.carried(directives))
        return SubType(
            name=name,
            kind=kind,
            description=description,
            directives=self.carried(directives),
            fields=fields,
            keys=tuple(keys),
            interface_object=bool(self.federation(directives, "interfaceObject")),
            interfaces=tuple(
                self.renames.get(i.name.value, i.name.value)
                for node in nodes
                for i in getattr(node, "interfaces", None) or ()
            ),
            members=tuple(m.name.value for node in nodes for m in getattr(node, "types", None) or ()),
            values=tuple(
                SubEnumValue(
                    v.name.value, v.description.value if v.description else None, self.carried(v.directives or ())
                )
                for node in nodes
                for v in getattr(node, "values", None) or ()
            ),
        )

    def type_ref(self, node: Any) -> str:
        return rename_type(print_ast(node), self.renames)

    def read_arguments(self, nodes: Iterable[InputValueDefinitionNode]) -> tuple[SubArgument, ...]:
        return tuple(
            SubArgument(
                name=arg.name.value,
                type=self.type_ref(arg.type),
                default=print_ast(arg.default_value) if arg.default_value is not None else None,
                description=arg.description.value if arg.description else None,
                directives=self.carried(arg.directives or ()),
            )
            for arg in nodes
        )

    def read_field(self, node: FieldDefinitionNode, type_shareable: bool, type_external: bool) -> SubField:
        directives = list(node.directives or ())
        override = self.federation(directives, "override")
        return SubField(
            name=node.name.value,
            type=self.type_ref(node.type),
            args=self.read_arguments(node.arguments or ()),
            description=node.description.value if node.description else None,
            directives=self.carried(directives),
            external=type_external or bool(self.federation(directives, "external")),
            requires=next((_string_arg(d, "fields") for d in self.federation(directives, "requires")), None),
            provides=next((_string_arg(d, "fields") for d in self.federation(directives, "provides")), None),
            shareable=type_shareable or bool(self.federation(directives, "shareable")) or not self.names.fed2,
            override=_string_arg(override[0], "from") if override else None,
            override_label=(_string_arg(override[0], "label") or None) if override else None,
        )

    def read_input_field(self, node: InputValueDefinitionNode) -> SubField:
        return SubField(
            name=node.name.value,
            type=self.type_ref(node.type),
            description=node.description.value if node.description else None,
            directives=self.carried(node.directives or ()),
            default=print_ast(node.default_value) if node.default_value is not None else None,
        )


def _arg(directive: ConstDirectiveNode, name: str) -> Any:
    return next((arg.value for arg in directive.arguments or () if arg.name.value == name), None)


def _string_arg(directive: ConstDirectiveNode, name: str) -> str:
    value = _arg(directive, name)
    return value.value if isinstance(value, StringValueNode) else ""


def _check_references(source: SubgraphSource, types: dict[str, SubType]) -> list[CompositionError]:
    known = set(types) | _BUILTIN_SCALARS
    errors: list[CompositionError] = []

    def check(ref: str, type_name: str, field: str | None) -> None:
        if named_type(ref) not in known:
            errors.append(_error(source, "INVALID_GRAPHQL", f'unknown type "{named_type(ref)}"', type_name, field))

    for sub in types.values():
        for f in sub.fields.values():
            check(f.type, sub.name, f.name)
            for arg in f.args:
                check(arg.type, sub.name, f.name)
        for name in sub.interfaces + sub.members:
            check(name, sub.name, None)
    return errors


def _apply_fieldsets(
    source: SubgraphSource, fed2: bool, types: dict[str, SubType]
) -> tuple[dict[str, SubType], frozenset[tuple[str, str]], list[CompositionError]]:
    """Check every field set and apply what keys imply: key fields are shareable, and ``@external`` on the key
    fields of a type extension only marks them as defined elsewhere (Apollo's "fake" externals)."""
    errors: list[CompositionError] = []
    used: set[tuple[str, str]] = set()
    key_fields: set[tuple[str, str]] = set()
    fake_externals: set[tuple[str, str]] = set()
    for sub in types.values():
        for key in sub.keys:
            selected, problems = walk_fieldset(types, sub.name, key.fields, is_key=True)
            for problem in problems:
                errors.append(
                    _error(
                        source,
                        "KEY_" + problem.code_suffix,
                        f'@key(fields: "{key.fields}"): {problem.message}',
                        sub.name,
                        problem.field_name,
                    )
                )
            for item in selected:
                used.add((item.parent, item.name))
                key_fields.add((item.parent, item.name))
                if key.on_extension:
                    fake_externals.add((item.parent, item.name))
        for f in sub.fields.values():
            for directive, text, parent in (
                ("REQUIRES", f.requires, sub.name),
                ("PROVIDES", f.provides, named_type(f.type)),
            ):
                if text is None:
                    continue
                if directive == "PROVIDES" and types.get(parent, SubType(parent, "scalar")).kind not in (
                    "object",
                    "interface",
                    "union",
                ):
                    errors.append(
                        _error(
                            source,
                            "PROVIDES_ON_NON_OBJECT_FIELD",
                            f"@provides on a field of type {f.type}",
                            sub.name,
                            f.name,
                        )
                    )
                    continue
                selected, problems = walk_fieldset(types, parent, text, is_key=False)
                for problem in problems:
                    errors.append(
                        _error(
                            source,
                            f"{directive}_INVALID_FIELDS",
                            f'@{directive.lower()}(fields: "{text}"): {problem.message}',
                            sub.name,
                            f.name,
                        )
                    )
                for item in selected:
                    used.add((item.parent, item.name))
                    target = types[item.parent].fields[item.name]
                    if (
                        fed2
                        and item.depth == 0
                        and item.leaf
                        and not target.external
                        and (item.parent, item.name) not in key_fields
                    ):
                        errors.append(
                            _error(source, f"{directive}_FIELDS_MISSING_EXTERNAL",
                                   f'@{directive.lower()}(fields: "{text}") selects "{item.parent}.{item.name}", which is not @external',
                                   sub.name, f.name)
                        )  # fmt: skip
    for sub in types.values():
        # a field implementing an interface field is used too (Apollo's isFieldUsed)
        for interface in sub.interfaces:
            shared = types[interface].fields if interface in types else {}
            used.update((sub.name, name) for name in sub.fields if name in shared)
    result: dict[str, SubType] = {}
    for sub in types.values():
        fields: dict[str, SubField] = {}
        for f in sub.fields.values():
            place = (sub.name, f.name)
            if place in fake_externals and f.external:
                f = replace(f, external=False)
            if place in key_fields and not f.shareable:
                f = replace(f, shareable=True)
            if not fed2 and f.external and place not in used:
                continue  # Federation 1: an @external nobody reads is dropped
            fields[f.name] = f
        result[sub.name] = replace(sub, fields=fields)
    return result, frozenset(used), errors


def read_subgraph(source: SubgraphSource) -> tuple[Subgraph | None, list[CompositionError]]:
    try:
        document = parse(source.sdl, no_location=True)
    except GraphQLSyntaxError as error:
        return None, [_error(source, "INVALID_GRAPHQL", f"the SDL does not parse: {error.message}")]
    reader = _Reader(source, document)
    types = reader.read_types(document)
    errors = reader.errors + _check_references(source, types)
    if errors:
        return None, errors
    types, used, fieldset_errors = _apply_fieldsets(source, reader.names.fed2, types)
    # a requires/provides over a removed unused external is already reported; fake externals need no check
    subgraph = Subgraph(
        name=source.name,
        url=source.url,
        graph=graph_enum_name(source.name),
        names=reader.names,
        types=types,
        roots={op: _DEFAULT_ROOTS[op] for op, name in reader.roots.items() if reader.renames.get(name, name) in types},
        directive_definitions=reader.directive_definitions,
        composed=reader.composed,
        used=used,
    )
    return subgraph, fieldset_errors
