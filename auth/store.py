"""The few Redis operations the auth areas use, and an in-process stand-in with the same interface.

Every area module (``sessions``, ``ratelimit``, ``keys``) takes a :class:`KeyValue`: a real
``redis.asyncio.Redis`` in tests and production, :class:`MemoryStore` for a demo without Redis. Redis errors are
translated into :class:`~auth.errors.AuthError` by the area modules' callers at the HTTP boundary.

:class:`MemoryStore` keeps its memory bounded, as Redis does with ``maxmemory`` and the ``volatile-ttl`` policy:
expired keys are swept on every write (a heap of deadlines, so a sweep costs only the keys it removes), and once it
holds ``max_keys`` keys a new key first evicts the key with an expiry that is nearest to expiring. Keys without an
expiry (signing keys) are never evicted; a set holds at most ``max_members`` members (the oldest go first).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["DEFAULT_MAX_KEYS", "DEFAULT_MAX_MEMBERS", "KeyValue", "MemoryStore", "StoreFull"]

DEFAULT_MAX_KEYS = 100_000
DEFAULT_MAX_MEMBERS = 1_000


class KeyValue(Protocol):
    async def get(self, name: str) -> Any: ...

    async def set(self, name: str, value: str | bytes, ex: int | None = None, nx: bool = False) -> Any: ...

    async def getdel(self, name: str) -> Any: ...

    async def delete(self, *names: str) -> Any: ...

    async def incr(self, name: str, amount: int = 1) -> Any: ...

    async def expire(self, name: str, time: int, nx: bool = False) -> Any: ...

    async def sadd(self, name: str, *values: str) -> Any: ...

    async def smembers(self, name: str) -> Any: ...


class StoreFull(Exception):
    """The in-process store holds ``max_keys`` keys and none of them has an expiry to evict by."""


class MemoryStore:
    """A single-process :class:`KeyValue` (strings, counters and sets with expiry), bounded: see the module
    docstring. Not shared between replicas. ``swept`` and ``evicted`` count the keys removed each way."""

    def __init__(
        self,
        *,
        max_keys: int = DEFAULT_MAX_KEYS,
        max_members: int = DEFAULT_MAX_MEMBERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_keys < 1 or max_members < 1:
            raise ValueError("max_keys and max_members must be at least 1")
        self.max_keys = max_keys
        self.max_members = max_members
        self._clock = clock
        self._data: dict[str, Any] = {}
        self._expiry: dict[str, float] = {}
        self._deadlines: list[tuple[float, str]] = []  # a heap; stale entries are skipped when popped
        self.swept = 0
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def pending_deadlines(self) -> int:
        """Entries in the deadline heap (live ones, and stale ones not yet popped): bounded too."""
        return len(self._deadlines)

    def _live(self, name: str) -> bool:
        deadline = self._expiry.get(name)
        if deadline is not None and deadline <= self._clock():
            self._drop(name)
        return name in self._data

    def _drop(self, name: str) -> None:
        self._data.pop(name, None)
        self._expiry.pop(name, None)

    def _set_expiry(self, name: str, deadline: float | None) -> None:
        if deadline is None:
            self._expiry.pop(name, None)
            return
        self._expiry[name] = deadline
        heapq.heappush(self._deadlines, (deadline, name))
        if len(self._deadlines) > 2 * self.max_keys + 16:  # stale entries of rewritten expiries: rebuild
            self._deadlines = [(d, n) for n, d in self._expiry.items()]
            heapq.heapify(self._deadlines)

    def sweep(self) -> int:
        """Remove every expired key; returns how many."""
        now, removed = self._clock(), 0
        while self._deadlines and self._deadlines[0][0] <= now:
            deadline, name = heapq.heappop(self._deadlines)
            if self._expiry.get(name) == deadline:
                self._drop(name)
                removed += 1
        self.swept += removed
        return removed

    def _make_room(self, name: str) -> None:
        """Before ``name`` is created: sweep, then evict the keys nearest to expiring until there is room."""
        self.sweep()
        if name in self._data:
            return
        while len(self._data) >= self.max_keys:
            if not self._deadlines:
                raise StoreFull(f"the in-process store is full ({self.max_keys} keys without an expiry)")
            deadline, victim = heapq.heappop(self._deadlines)
            if self._expiry.get(victim) == deadline:
                self._drop(victim)
                self.evicted += 1

    async def get(self, name: str) -> Any:
        return self._data[name] if self._live(name) else None

    async def set(self, name: str, value: str | bytes, ex: int | None = None, nx: bool = False) -> Any:
        if nx and self._live(name):
            return None
        self._make_room(name)
        self._data[name] = value.encode() if isinstance(value, str) else value
        self._set_expiry(name, None if ex is None else self._clock() + ex)
        return True

    async def getdel(self, name: str) -> Any:
        value = await self.get(name)
        self._drop(name)
        return value

    async def delete(self, *names: str) -> Any:
        count = 0
        for name in names:
            if self._live(name):
                count += 1
            self._drop(name)
        return count

    async def incr(self, name: str, amount: int = 1) -> Any:
        if self._live(name):
            value = int(self._data[name]) + amount
        else:
            self._make_room(name)
            value = amount
        self._data[name] = str(value).encode()
        return value

    async def expire(self, name: str, time: int, nx: bool = False) -> Any:
        if not self._live(name) or (nx and name in self._expiry):
            return False
        self._set_expiry(name, self._clock() + time)
        return True

    async def sadd(self, name: str, *values: str) -> Any:
        if not self._live(name):
            self._make_room(name)
            self._data[name] = {}
        members: dict[bytes, None] = self._data[name]  # insertion-ordered: the oldest member is the first
        before = len(members)
        for value in values:
            members.setdefault(value.encode(), None)
        added = len(members) - before
        while len(members) > self.max_members:
            del members[next(iter(members))]
        return added

    async def smembers(self, name: str) -> Any:
        return set(self._data[name]) if self._live(name) else set()
