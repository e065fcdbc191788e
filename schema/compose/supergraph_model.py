"""The merged supergraph before printing: types, fields and the join metadata Apollo's composer emits."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["JoinField", "JoinType", "MergedArgument", "MergedEnumValue", "MergedField", "MergedType"]


@dataclass(frozen=True, slots=True)
class JoinType:
    graph: str
    key: str | None = None
    extension: bool = False
    resolvable: bool | None = None  # None: not written (true)
    interface_object: bool = False


@dataclass(frozen=True, slots=True)
class JoinField:
    graph: str | None  # None: a field an @interfaceObject added to an implementation (bare ``@join__field``)
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None


@dataclass(frozen=True, slots=True)
class MergedArgument:
    name: str
    type: str
    default: str | None = None
    description: str | None = None
    directives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MergedField:
    name: str
    type: str
    args: tuple[MergedArgument, ...] = ()
    description: str | None = None
    directives: tuple[str, ...] = ()
    joins: tuple[JoinField, ...] = ()
    default: str | None = None  # input fields
    from_interface_object: bool = False


@dataclass(frozen=True, slots=True)
class MergedEnumValue:
    name: str
    graphs: tuple[str, ...]
    description: str | None = None
    directives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MergedType:
    name: str
    kind: str
    join_types: tuple[JoinType, ...]
    description: str | None = None
    directives: tuple[str, ...] = ()
    fields: tuple[MergedField, ...] = ()
    interfaces: tuple[str, ...] = ()
    implements: tuple[tuple[str, str], ...] = ()  # (graph, interface)
    members: tuple[str, ...] = ()
    union_members: tuple[tuple[str, str], ...] = ()  # (graph, member)
    values: tuple[MergedEnumValue, ...] = ()
