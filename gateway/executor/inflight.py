"""Identical subgraph requests in flight at the same moment share one call (in-flight merging, "deduplication").

When many clients ask the same thing at once, the gateway sends a subgraph the same request many times over.
:class:`InflightCalls` lets the first of a set of identical calls run and the others wait for its answer; once it
has answered, the next identical call runs anew (nothing is cached beyond the call's own lifetime).

What counts as identical is the caller's key. The HTTP fetcher keys a request by its subgraph, its exact body
bytes and all its headers — the internal token among them, which names the user — so two users' requests never
share an answer, and only queries merge (a mutation is sent every time).

A waiter that is cancelled (its client went away) does not cancel the shared call: the others still get the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["InflightCalls"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class InflightCalls(Generic[K, V]):
    """Runs ``call`` once per ``key`` at a time; callers with the key of a running call share its result."""

    __slots__ = ("_running", "merged", "started")

    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[V]] = {}
        self.started = 0  # calls actually made
        self.merged = 0  # calls answered by another's call

    async def run(self, key: K, call: Callable[[], Awaitable[V]]) -> V:
        shared = self._running.get(key)
        if shared is None:
            shared = asyncio.ensure_future(call())
            self._running[key] = shared
            self.started += 1
            shared.add_done_callback(lambda done: self._finished(key, done))
        else:
            self.merged += 1
        return await asyncio.shield(shared)

    def _finished(self, key: K, done: asyncio.Future[V]) -> None:
        if self._running.get(key) is done:
            del self._running[key]
        if not done.cancelled():
            done.exception()  # retrieved, so an error nobody awaits any more is not reported as lost

    @property
    def running(self) -> int:
        return len(self._running)
