"""The ``node(id:)`` and ``nodes(ids:)`` root fields every system subgraph serves (``@shareable``).

A subgraph reads its own appeals (and citizens, which every subgraph knows by key); for another system's appeal it
answers the reference (``__typename`` + ``id``) and the gateway fetches the fields asked for from the subgraph that
owns the type, which answers null when no such appeal exists or the caller may not see it. A unit's id is answered
from the unit directory (:mod:`resolvers.units`), which every subgraph fills with the units whose ids it serves, so
any subgraph finds any system's unit. An id of no known type, or a malformed one, is null: a client cannot tell it
apart from an appeal that does not exist.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.node import Node, node_stubs, node_type_of
from subgraphs.common.types import Unit

__all__ = ["MAX_NODES", "NodeFields", "node_fields"]

MAX_NODES = 100

Resolve = Callable[[Info, str], Awaitable[Any]]

NODE_DESCRIPTION = (
    "Any object by its global id; null when none exists or you may not see it. Asking for nothing but `id` and "
    "`__typename` is answered from the id alone, without reading the object."
)
NODES_DESCRIPTION = (
    f"Objects by their global ids (at most {MAX_NODES}), in the order asked; null for each one that does not exist "
    "or that you may not see (as `node` says)."
)


async def _unit(info: Info, code: str) -> Unit | None:
    name = await info.context.units.name_of(code)
    return None if name is None else Unit(code=code, name=name)


class NodeFields:
    """The two field definitions, to be assigned on a subgraph's ``Query``."""

    def __init__(self, node: Any, nodes: Any, types: list[type]) -> None:
        self.node = node
        self.nodes = nodes
        self.types = types  # the reference types the schema must include


def node_fields(system: str, own: Resolve, citizen: Resolve) -> NodeFields:
    """``own(info, id)`` reads one of this subgraph's appeals by id; ``citizen(info, personKey)`` a citizen."""
    stubs = node_stubs(system)

    async def resolve(info: Info, node_id: str) -> Any:
        if node_type_of(node_id) is None:
            return None
        prefix, _, local = node_id.partition(":")
        try:
            if prefix == system:
                return await own(info, node_id)
            if prefix in stubs:
                return stubs[prefix](id=strawberry.ID(node_id))
            if prefix == "citizen":
                return await citizen(info, local)
            if prefix == "unit":
                return await _unit(info, local)
        except SubgraphInputError:
            return None  # a malformed local id: nothing by that id
        return None

    async def node(
        info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The global id.")]
    ) -> Node | None:
        found: Node | None = await resolve(info, str(id))
        return found

    async def nodes(
        info: Info, ids: Annotated[list[strawberry.ID], strawberry.argument(description="The global ids.")]
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise SubgraphInputError(f"nodes takes at most {MAX_NODES} ids, got {len(ids)}")
        found: list[Node | None] = list(await asyncio.gather(*(resolve(info, str(i)) for i in ids)))
        return found

    return NodeFields(
        node=strawberry.federation.field(resolver=node, shareable=True, description=NODE_DESCRIPTION),
        nodes=strawberry.federation.field(resolver=nodes, shareable=True, description=NODES_DESCRIPTION),
        types=list(stubs.values()),
    )
