"""Access-control metadata of a supergraph: ``@authenticated``, ``@requiresScopes`` and ``@policy``.

Composition carries these three directives into the supergraph (Apollo's ``authenticated/v0.1``,
``requiresScopes/v0.1`` and ``policy/v0.1`` specs) on object types, interfaces, scalars, enums and fields.
:func:`read_access` reads them off the SDL — honouring a ``@link(url:, as:)`` rename — into an :class:`Access`:
what each type and each field requires, as plain data. Deciding what a principal may see is the gateway's job
(``gateway.authorization``); this module only reads.

A :class:`Requirement` is a conjunction: authenticated, and one of the scope groups, and one of the policy
groups. Several requirements on one element (a field's own and its type's) combine with :meth:`Requirement.also`,
the way composition merges them: every condition must hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    parse,
    value_from_ast_untyped,
)

__all__ = ["NONE", "Access", "Groups", "Requirement", "read_access"]

Groups = tuple[frozenset[str], ...]  # OR of AND-groups

_SPEC = re.compile(r"/(?P<name>authenticated|requiresScopes|policy)/v\d+\.\d+/?$")


def _conjunction(a: Groups | None, b: Groups | None) -> Groups | None:
    if a is None:
        return b
    if b is None:
        return a
    merged: list[frozenset[str]] = []
    for left in a:
        for right in b:
            group = left | right
            if group not in merged:
                merged.append(group)
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class Requirement:
    """``scopes``/``policies`` ``None``: no condition of that kind."""

    authenticated: bool = False
    scopes: Groups | None = None
    policies: Groups | None = None

    @property
    def empty(self) -> bool:
        return not self.authenticated and self.scopes is None and self.policies is None

    def also(self, other: Requirement) -> Requirement:
        if other.empty:
            return self
        if self.empty:
            return other
        return Requirement(
            self.authenticated or other.authenticated,
            _conjunction(self.scopes, other.scopes),
            _conjunction(self.policies, other.policies),
        )


NONE = Requirement()


@dataclass(frozen=True, slots=True)
class Access:
    types: Mapping[str, Requirement]
    fields: Mapping[tuple[str, str], Requirement]
    scope_names: frozenset[str]  # every scope some directive names
    policy_names: frozenset[str]  # every policy some directive names

    @property
    def empty(self) -> bool:
        return not self.types and not self.fields

    def type_requirement(self, type_name: str) -> Requirement:
        return self.types.get(type_name, NONE)

    def field_requirement(self, type_name: str, field_name: str) -> Requirement:
        return self.fields.get((type_name, field_name), NONE)


def _directive_names(document: DocumentNode) -> dict[str, str]:
    """local directive name → spec name, from the schema's ``@link``s (default names when not linked)."""
    names = {"authenticated": "authenticated", "requiresScopes": "requiresScopes", "policy": "policy"}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}
            url = args.get("url") or args.get("feature")
            match = _SPEC.search(url) if isinstance(url, str) else None
            if match is None:
                continue
            spec = match["name"]
            local = args.get("as")
            if isinstance(local, str) and local != spec:
                names = {k: v for k, v in names.items() if v != spec}
                names[local] = spec
    return names


def _groups(directive: DirectiveNode, argument: str) -> Groups:
    for arg in directive.arguments or ():
        if arg.name.value == argument:
            value: Any = value_from_ast_untyped(arg.value)
            if isinstance(value, str):  # input coercion: a single value is a list of one
                value = [[value]]
            groups: list[frozenset[str]] = []
            for group in value or ():
                names = [group] if isinstance(group, str) else list(group or ())
                groups.append(frozenset(str(n) for n in names))
            return tuple(groups)
    return ()


def _requirement(directives: tuple[DirectiveNode, ...], names: Mapping[str, str]) -> Requirement:
    requirement = NONE
    for directive in directives:
        spec = names.get(directive.name.value)
        if spec == "authenticated":
            requirement = requirement.also(Requirement(authenticated=True))
        elif spec == "requiresScopes":
            requirement = requirement.also(Requirement(scopes=_groups(directive, "scopes")))
        elif spec == "policy":
            requirement = requirement.also(Requirement(policies=_groups(directive, "policies")))
    return requirement


_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
)
_FIELDED = (ObjectTypeDefinitionNode, ObjectTypeExtensionNode, InterfaceTypeDefinitionNode, InterfaceTypeExtensionNode)


def read_access(sdl: str | DocumentNode) -> Access:
    """The access metadata of a supergraph SDL (or its parsed document)."""
    document = parse(sdl, no_location=True) if isinstance(sdl, str) else sdl
    names = _directive_names(document)
    types: dict[str, Requirement] = {}
    fields: dict[tuple[str, str], Requirement] = {}
    scope_names: set[str] = set()
    policy_names: set[str] = set()

    def note(requirement: Requirement) -> None:
        for group in requirement.scopes or ():
            scope_names.update(group)
        for group in requirement.policies or ():
            policy_names.update(group)

    for definition in document.definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        type_name = definition.name.value
        own = _requirement(tuple(definition.directives or ()), names)
        if not own.empty:
            types[type_name] = types.get(type_name, NONE).also(own)
            note(own)
        if isinstance(definition, _FIELDED):
            for field in definition.fields or ():
                required = _requirement(tuple(field.directives or ()), names)
                if not required.empty:
                    key = (type_name, field.name.value)
                    fields[key] = fields.get(key, NONE).also(required)
                    note(required)
    return Access(types, fields, frozenset(scope_names), frozenset(policy_names))
