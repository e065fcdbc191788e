"""One subgraph as composition sees it: types and fields with their federation directives read and normalised
(canonical directive names, root types named Query/Mutation/Subscription, Fed 1 conventions applied)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import DirectiveDefinitionNode

from schema.compose.links import LinkedNames

__all__ = ["SubArgument", "SubEnumValue", "SubField", "SubKey", "SubType", "Subgraph"]


@dataclass(frozen=True, slots=True)
class SubArgument:
    name: str
    type: str
    default: str | None = None  # printed value
    description: str | None = None
    directives: tuple[str, ...] = ()  # carried to the supergraph, printed with canonical names


@dataclass(frozen=True, slots=True)
class SubField:
    name: str
    type: str
    args: tuple[SubArgument, ...] = ()
    description: str | None = None
    directives: tuple[str, ...] = ()
    external: bool = False
    requires: str | None = None
    provides: str | None = None
    shareable: bool = False
    override: str | None = None
    override_label: str | None = None
    default: str | None = None  # input fields


@dataclass(frozen=True, slots=True)
class SubKey:
    fields: str
    resolvable: bool | None = None  # as written; None when the subgraph left the default (true)
    extension: bool = False  # printed as ``extension: true`` (Fed 2 ``extend type``, or ``@extends``)
    on_extension: bool = False  # declared on any type extension: its ``@external`` key fields are defined elsewhere


@dataclass(frozen=True, slots=True)
class SubEnumValue:
    name: str
    description: str | None = None
    directives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubType:
    name: str
    kind: str  # object | interface | union | enum | input | scalar
    description: str | None = None
    directives: tuple[str, ...] = ()
    fields: Mapping[str, SubField] = field(default_factory=dict)
    keys: tuple[SubKey, ...] = ()
    interface_object: bool = False
    interfaces: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    values: tuple[SubEnumValue, ...] = ()


@dataclass(frozen=True, slots=True)
class Subgraph:
    name: str
    url: str
    graph: str  # the join__Graph enum value
    names: LinkedNames
    types: Mapping[str, SubType]
    roots: Mapping[str, str]  # operation -> type name (always the standard one after normalisation)
    directive_definitions: Mapping[str, DirectiveDefinitionNode] = field(default_factory=dict)
    composed: tuple[str, ...] = ()  # directives named by @composeDirective
    used: frozenset[tuple[str, str]] = frozenset()  # (type, field) read by this subgraph's keys/requires/provides
