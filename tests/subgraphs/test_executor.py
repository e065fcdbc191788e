"""An operation's executor, its context and what it collected are freed as soon as the operation ends, without
the cycle collector: the executor holds its resolvers' helpers, and they hold it only weakly."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from resolvers.persons import MemoryDirectory
from subgraphs.common.context import SubgraphContext
from subgraphs.common.executor import SubgraphExecutor
from subgraphs.common.schema import SubgraphSchema


@strawberry.type
class Item:
    name: str


@strawberry.type
class Query:
    @strawberry.field
    async def items(self, info: Info) -> list[Item]:
        async def one(n: int) -> Item:
            await asyncio.sleep(0)
            return Item(name=f"item {n}")

        # a resolver that gathers through the executor's own helper
        found: list[Item] = await info._raw_info.async_helpers.gather([one(n) for n in range(3)])
        return found


schema = SubgraphSchema(query=Query)
QUERY = "{ items { name } }"


@pytest.fixture
def no_cycle_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class WatchedContext(SubgraphContext):
    """A request context a weak reference can watch."""


def _context() -> SubgraphContext:
    return WatchedContext(client=None, directory=MemoryDirectory(), person_secret=b"s")


async def _executed(run: Any) -> tuple[Any, weakref.ref[SubgraphContext]]:
    context = _context()
    seen = weakref.ref(context)
    result = await run(context)
    del context
    return result, seen


@pytest.mark.usefixtures("no_cycle_collection")
async def test_the_context_is_freed_when_the_operation_ends() -> None:
    assert schema.execution_context_class is SubgraphExecutor
    assert (
        await schema.execute_known(QUERY, None, _context(), None, None, {OperationType.QUERY})
    ) is None  # not known yet
    assert (await schema.execute(QUERY, context_value=_context())).errors is None  # validated and remembered

    async def known(context: SubgraphContext) -> Any:
        return await schema.execute_known(QUERY, None, context, None, None, {OperationType.QUERY})  # type: ignore[arg-type]

    async def full(context: SubgraphContext) -> Any:
        return await schema.execute(QUERY, context_value=context)

    for run in (known, full):
        result, seen = await _executed(run)
        assert result.errors is None
        assert result.data == {"items": [{"name": "item 0"}, {"name": "item 1"}, {"name": "item 2"}]}
        assert seen() is None, f"{run.__name__}: the context outlived its operation"
