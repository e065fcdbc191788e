"""The few Redis operations the auth areas use, and an in-process stand-in with the same interface.

Every area module (``sessions``, ``ratelimit``, ``keys``) takes a :class:`KeyValue`: a real
``redis.asyncio.Redis`` in tests and production, :class:`MemoryStore` for a demo without Redis. Redis errors are
translated into :class:`~auth.errors.AuthError` by the area modules' callers at the HTTP boundary.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

__all__ = ["KeyValue", "MemoryStore"]


class KeyValue(Protocol):
    async def get(self, name: str) -> Any: ...

    async def set(self, name: str, value: str | bytes, ex: int | None = None, nx: bool = False) -> Any: ...

    async def getdel(self, name: str) -> Any: ...

    async def delete(self, *names: str) -> Any: ...

    async def incr(self, name: str, amount: int = 1) -> Any: ...

    async def expire(self, name: str, time: int, nx: bool = False) -> Any: ...

    async def sadd(self, name: str, *values: str) -> Any: ...

    async def smembers(self, name: str) -> Any: ...


class MemoryStore:
    """A single-process :class:`KeyValue` (strings, counters and sets with expiry). Not shared between replicas."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._expiry: dict[str, float] = {}

    def _live(self, name: str) -> bool:
        deadline = self._expiry.get(name)
        if deadline is not None and deadline <= time.monotonic():
            self._data.pop(name, None)
            self._expiry.pop(name, None)
        return name in self._data

    async def get(self, name: str) -> Any:
        return self._data[name] if self._live(name) else None

    async def set(self, name: str, value: str | bytes, ex: int | None = None, nx: bool = False) -> Any:
        if nx and self._live(name):
            return None
        self._data[name] = value.encode() if isinstance(value, str) else value
        if ex is not None:
            self._expiry[name] = time.monotonic() + ex
        else:
            self._expiry.pop(name, None)
        return True

    async def getdel(self, name: str) -> Any:
        value = await self.get(name)
        self._data.pop(name, None)
        self._expiry.pop(name, None)
        return value

    async def delete(self, *names: str) -> Any:
        count = 0
        for name in names:
            if self._live(name):
                count += 1
            self._data.pop(name, None)
            self._expiry.pop(name, None)
        return count

    async def incr(self, name: str, amount: int = 1) -> Any:
        value = int(self._data[name]) + amount if self._live(name) else amount
        self._data[name] = str(value).encode()
        return value

    async def expire(self, name: str, time: int, nx: bool = False) -> Any:
        if not self._live(name) or (nx and name in self._expiry):
            return False
        self._expiry[name] = _now() + time
        return True

    async def sadd(self, name: str, *values: str) -> Any:
        members: set[bytes] = self._data.setdefault(name, set()) if self._live(name) else set()
        self._data[name] = members
        before = len(members)
        members.update(v.encode() for v in values)
        return len(members) - before

    async def smembers(self, name: str) -> Any:
        return set(self._data[name]) if self._live(name) else set()


def _now() -> float:
    return time.monotonic()
