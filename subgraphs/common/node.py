"""Global object identification (https://graphql.org/learn/global-object-identification/): the ``Node``
interface and the ids it is addressed by.

Ids are ``"<prefix>:<local id>"``; the prefix names the type, so any subgraph can tell the type of any id without
reading it. :data:`NODE_TYPES` is that table — one line per channel system, plus citizens, units and the write
path's dispatches. Every system
subgraph serves ``node(id:)``/``nodes(ids:)`` (``@shareable``): it reads its own objects, and for another system's
id answers a reference (``__typename`` and ``id``, from :func:`node_stubs`) that the gateway completes from the
subgraph owning that type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

__all__ = ["NODE_TYPES", "Node", "citizen_id_field", "citizen_node_id", "node_stubs", "node_type_of"]

# id prefix → GraphQL type; the system prefixes are the appeal ids' (DOMAIN.md §5)
NODE_TYPES: Mapping[str, str] = {
    "hotline": "HotlineTicket",
    "petition": "Petition",
    "board": "BoardMessage",
    "grid": "GridEvent",
    "suggestion": "Suggestion",
    "citizen": "Citizen",
    "unit": "Unit",
    "dispatch": "Dispatch",
}
_APPEAL_PREFIXES = ("hotline", "petition", "board", "grid", "suggestion")
_STUB_PREFIXES = (*_APPEAL_PREFIXES, "dispatch")  # types another subgraph owns, answered as references


@strawberry.interface(
    description="An object with a global id: `node(id:)` and `nodes(ids:)` fetch any of them again by it."
)
class Node:
    id: strawberry.ID = strawberry.field(description="The global id, opaque to clients; stable over time.")


def node_type_of(node_id: str) -> str | None:
    """The GraphQL type an id belongs to, or ``None`` when its prefix names none."""
    prefix, sep, local = str(node_id).partition(":")
    return NODE_TYPES.get(prefix) if sep and local else None


def _stub(type_name: str) -> type:
    """A reference-only declaration of another subgraph's appeal type: ``@key(fields: "id", resolvable: false)``.
    It carries no description, so the supergraph takes the owning subgraph's."""
    cls = type(type_name, (Node,), {"__annotations__": {"id": strawberry.ID}, "__module__": __name__})
    return strawberry.federation.type(cls, name=type_name, keys=[Key(fields=FieldSet("id"), resolvable=False)])


_STUBS: dict[str, type] = {prefix: _stub(NODE_TYPES[prefix]) for prefix in _STUB_PREFIXES}


def node_stubs(own: str) -> dict[str, type]:
    """The reference types of every appeal system but ``own`` (and of the write path's dispatches), by id
    prefix."""
    return {prefix: stub for prefix, stub in _STUBS.items() if prefix != own}


def citizen_node_id(person_key: str) -> strawberry.ID:
    return strawberry.ID(f"citizen:{person_key}")


def citizen_id_field() -> Any:
    """``Citizen.id`` (``"citizen:<personKey>"``), declared alike in every subgraph that declares Citizen."""

    def resolve(root: Any) -> strawberry.ID:
        return citizen_node_id(root.person_key)

    return strawberry.federation.field(
        resolver=resolve, shareable=True, description='The global id, `"citizen:<personKey>"`.'
    )
