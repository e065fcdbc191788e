"""The unit directory: the name behind every unit id the graph has handed out, so ``node(id: "unit:<code>")``
finds the unit again in whichever subgraph answers it.

The systems keep no shared list of handling units (承办单位): each names its own — the hotline by its 8-digit unit
code, the grid by its department code, the message board by the organ's name — and any system subgraph may be the
one to answer ``node(id:)``. So every subgraph that serves a ``Unit``'s id writes its code and name here, and any
subgraph reads them back: a unit id a client holds came from some answer of the graph, and resolves. The directory is
one Redis hash (``minyi:unit:names``, code → name; units are few and long-lived, so it does not expire); a process
without Redis uses :class:`MemoryUnits`, which knows only what that process has served.

:class:`RedisUnits` writes a unit again only when this process has not written that name for that code in the last
``rewrite_after_s`` seconds (so a Redis that lost its data is filled again). Failures come out as
:class:`~resolvers.persons.DirectoryUnavailable`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from resolvers.persons import DirectoryUnavailable

__all__ = ["UNIT_NAMES", "MemoryUnits", "RedisUnits", "UnitDirectory"]

UNIT_NAMES = "minyi:unit:names"
_WRITTEN_LIMIT = 10_000
_REWRITE_AFTER_S = 300.0


class UnitDirectory(Protocol):
    async def remember(self, units: Mapping[str, str]) -> None:
        """Record ``code → name`` for units served."""
        ...

    async def name_of(self, code: str) -> str | None:
        """The name of the unit with ``code``, or ``None`` when no subgraph has served it."""
        ...


class MemoryUnits:
    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    async def remember(self, units: Mapping[str, str]) -> None:
        self._names.update({code: name for code, name in units.items() if code and name})

    async def name_of(self, code: str) -> str | None:
        return self._names.get(code)


class RedisUnits:
    def __init__(
        self, redis: Redis, *, rewrite_after_s: float = _REWRITE_AFTER_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._redis = redis
        self._rewrite_after_s = rewrite_after_s
        self._clock = clock
        self._written: dict[str, tuple[str, float]] = {}  # what this process wrote: code -> (name, when)

    def _fresh(self, code: str, name: str, now: float) -> bool:
        written = self._written.get(code)
        return written is not None and written[0] == name and now - written[1] < self._rewrite_after_s

    async def remember(self, units: Mapping[str, str]) -> None:
        now = self._clock()
        new = {code: name for code, name in units.items() if code and name and not self._fresh(code, name, now)}
        if not new:
            return
        try:
            await self._redis.hset(UNIT_NAMES, mapping=new)  # type: ignore[arg-type]
        except RedisError as exc:
            raise DirectoryUnavailable(f"unit directory unavailable: {type(exc).__name__}") from exc
        if len(self._written) + len(new) > _WRITTEN_LIMIT:
            self._written.clear()
        self._written.update({code: (name, now) for code, name in new.items()})

    async def name_of(self, code: str) -> str | None:
        try:
            name = await self._redis.hget(UNIT_NAMES, code)
        except RedisError as exc:
            raise DirectoryUnavailable(f"unit directory unavailable: {type(exc).__name__}") from exc
        if name is None:
            return None
        return name.decode() if isinstance(name, bytes) else str(name)
