"""The GraphQL executor a subgraph runs its operations with: Strawberry's, without the reference cycle that kept
every finished operation alive until the garbage collector came by.

graphql-core's executor hands resolvers ``info.async_helpers``, which it builds from its own bound methods: the
executor refers to the helpers and the helpers to the executor. Everything the executor holds when an operation
ends (the request's context with its DataLoaders, the collected fields, the variables) is then freed by a cycle
collection instead of at once: about 60 objects per subgraph request, and the collector's walk over them was about
a sixth of a subgraph's CPU under load. Here the helpers reach the executor through weak references. The executor
is alive for as long as any of its work runs (every frame of that work holds it), so a helper called by a resolver
always finds it; the result is the same in every other respect.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from functools import partial
from typing import Any

from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["SubgraphExecutor"]


class SubgraphExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor whose ``async_helpers`` hold it weakly (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _weak_helpers(self)


def _weak_helpers(executor: StrawberryGraphQLCoreExecutionContext) -> GraphQLResolveInfoHelpers:
    held = weakref.ref(executor)
    return GraphQLResolveInfoHelpers(gather=partial(_gather, held), track=partial(_track, held))


def _gather(held: weakref.ref[Any], values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    gathered: Awaitable[list[Any]] = _alive(held).gather_async_work(values)
    return gathered


def _track(held: weakref.ref[Any], values: Sequence[Any]) -> None:
    _alive(held).track_async_work(values)


def _alive(held: weakref.ref[Any]) -> Any:
    executor = held()
    if executor is None:  # pragma: no cover - the executor outlives its work (module docstring)
        raise RuntimeError("the operation's executor is gone")
    return executor
