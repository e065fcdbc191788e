"""The join metadata of a supergraph, read from its ``@join__*`` directives (join spec v0.1–v0.5).

Spec: https://specs.apollo.dev/join/v0.3 (and the older v0.1/v0.2 forms). Every name here is a subgraph name as
written in ``@join__graph(name:)``, not the ``join__Graph`` enum value.

Ownership rules implemented:

- a type belongs to every graph with a ``@join__type(graph:)`` on it (v0.1: also its ``@join__owner``);
- a field with no ``@join__field`` belongs to every graph of its type (v0.1: to the owner graph, if any);
  a field whose ``@join__field`` directives all lack ``graph:`` belongs to none (it comes from an
  ``@interfaceObject`` in some other graph);
- ``external: true`` and ``usedOverridden: true`` entries hold the field's definition but do not resolve it;
- ``override`` with ``overrideLabel`` (progressive override) resolves in the overriding graph only when the label
  is active, and in the overridden graph otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "FieldInGraph",
    "FieldMeta",
    "Key",
    "TypeInGraph",
    "TypeMeta",
    "label_is_active",
]


def label_is_active(label: str) -> bool:
    """Progressive override: only ``percent(100)`` is treated as rolled out (the seam for real label sources)."""
    return label.replace(" ", "") == "percent(100)"


@dataclass(frozen=True, slots=True)
class Key:
    graph: str
    fields: str  # the FieldSet text
    resolvable: bool = True


@dataclass(frozen=True, slots=True)
class TypeInGraph:
    graph: str
    keys: tuple[Key, ...] = ()
    extension: bool = False
    is_interface_object: bool = False

    @property
    def resolvable_keys(self) -> tuple[Key, ...]:
        return tuple(key for key in self.keys if key.resolvable)


@dataclass(frozen=True, slots=True)
class FieldInGraph:
    graph: str
    type: str | None = None  # the field's type in that subgraph when it differs from the supergraph's
    requires: str | None = None
    provides: str | None = None
    external: bool = False
    override: str | None = None  # the graph this field was taken from
    override_label: str | None = None
    used_overridden: bool = False

    @property
    def resolves(self) -> bool:
        """Whether this graph answers the field itself (progressive override labels taken into account)."""
        if self.external or self.used_overridden:
            return False
        if self.override_label is not None:
            active = label_is_active(self.override_label)
            return active if self.override is not None else not active
        return True


@dataclass(frozen=True, slots=True)
class FieldMeta:
    name: str
    type: str  # the supergraph type, printed (e.g. "[User!]!")
    named_type: str
    graphs: Mapping[str, FieldInGraph] = field(default_factory=dict)

    def resolving_graphs(self) -> tuple[str, ...]:
        return tuple(graph for graph, entry in self.graphs.items() if entry.resolves)

    @property
    def shareable(self) -> bool:
        """Resolvable in several subgraphs (``@shareable``, or a Fed 1 value type)."""
        return len(self.resolving_graphs()) > 1


@dataclass(frozen=True, slots=True)
class TypeMeta:
    name: str
    kind: str  # object | interface | union | enum | input | scalar
    graphs: Mapping[str, TypeInGraph] = field(default_factory=dict)
    fields: Mapping[str, FieldMeta] = field(default_factory=dict)
    implements: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> interfaces there
    union_members: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> member types there
    enum_values: Mapping[str, frozenset[str]] = field(default_factory=dict)  # value -> graphs that know it

    def keys_in(self, graph: str) -> tuple[Key, ...]:
        entry = self.graphs.get(graph)
        return entry.keys if entry is not None else ()

    def is_interface_object_in(self, graph: str) -> bool:
        entry = self.graphs.get(graph)
        return entry is not None and entry.is_interface_object
