"""The person directory: from a person key back to the identifiers the legacy systems search by.

A :class:`~resolvers.domain.PersonRef` exposes only ``personKey`` (an HMAC), but to answer
``Citizen(personKey) { petitions }`` a subgraph must ask its legacy system by phone or ID number. Every subgraph
writes the identifiers it already holds (from a record it served, or a lookup by phone) under the key, and any
subgraph reads them back. The directory is shared through Redis (``minyi:person:<key>``, 30 days); a process
without Redis uses :class:`MemoryDirectory`, which only knows what that process has seen.

A subgraph serves the same people over and over; :class:`RedisDirectory` writes an entry again only when it is new,
changed, or was last written more than ``rewrite_after_s`` ago (which keeps its 30-day expiry fresh), and answers a
lookup of a key it found in Redis less than ``known_for_s`` ago from memory, without a round trip. An entry's
identifiers are facts about one person (the key is an HMAC of their phone or ID number), the same whoever asks;
what another process adds to an entry this one holds is seen at most ``known_for_s`` later, what this process
writes at once (a written key is read from Redis again). A key not found is always asked again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

__all__ = [
    "DirectoryUnavailable",
    "Identifiers",
    "MemoryDirectory",
    "PersonDirectory",
    "RedisDirectory",
    "connect_redis",
]

_TTL_S = 30 * 24 * 3600
_REWRITE_AFTER_S = 300.0
_KNOWN_FOR_S = 30.0
_WRITTEN_LIMIT = 10_000


def connect_redis(url: str) -> Redis:
    """A client that fails fast: a person lookup must not hold a request up while Redis is away."""
    return Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0, retry=Retry(NoBackoff(), 1))


class DirectoryUnavailable(Exception):
    code = "DIRECTORY_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class Identifiers:
    phone: str = ""
    id_number: str = ""


class PersonDirectory(Protocol):
    async def remember(self, entries: dict[str, Identifiers]) -> None: ...

    async def lookup(self, keys: Sequence[str]) -> dict[str, Identifiers]: ...


class MemoryDirectory:
    def __init__(self) -> None:
        self._entries: dict[str, Identifiers] = {}

    async def remember(self, entries: dict[str, Identifiers]) -> None:
        for key, ident in entries.items():
            known = self._entries.get(key, Identifiers())
            self._entries[key] = Identifiers(ident.phone or known.phone, ident.id_number or known.id_number)

    async def lookup(self, keys: Sequence[str]) -> dict[str, Identifiers]:
        return {k: self._entries[k] for k in keys if k in self._entries}


class RedisDirectory:
    def __init__(
        self,
        redis: Redis,
        *,
        rewrite_after_s: float = _REWRITE_AFTER_S,
        known_for_s: float = _KNOWN_FOR_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._rewrite_after_s = rewrite_after_s
        self._known_for_s = known_for_s
        self._clock = clock
        self._written: dict[str, tuple[Identifiers, float]] = {}  # key -> what this process wrote, and when
        self._known: dict[str, tuple[Identifiers, float]] = {}  # key -> what a lookup found in Redis, and when

    async def remember(self, entries: dict[str, Identifiers]) -> None:
        now = self._clock()
        entries = {key: ident for key, ident in entries.items() if not self._fresh(key, ident, now)}
        if not entries:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, ident in entries.items():
                    fields: dict[FieldT, EncodableT] = {
                        k: v for k, v in (("phone", ident.phone), ("id", ident.id_number)) if v
                    }
                    if fields:
                        pipe.hset(f"minyi:person:{key}", mapping=fields)
                        pipe.expire(f"minyi:person:{key}", _TTL_S)
                await pipe.execute()
        except RedisError as exc:
            raise DirectoryUnavailable(f"person directory unavailable: {type(exc).__name__}") from exc
        if len(self._written) + len(entries) > _WRITTEN_LIMIT:
            self._written.clear()
        for key, ident in entries.items():
            self._written[key] = (ident, now)
            self._known.pop(key, None)  # Redis merged the fields: the next lookup reads the whole entry

    def _fresh(self, key: str, ident: Identifiers, now: float) -> bool:
        written = self._written.get(key)
        return written is not None and written[0] == ident and now - written[1] < self._rewrite_after_s

    async def lookup(self, keys: Sequence[str]) -> dict[str, Identifiers]:
        now = self._clock()
        found: dict[str, Identifiers] = {}
        missing: list[str] = []
        for key in keys:
            known = self._known.get(key)
            if known is not None and now - known[1] < self._known_for_s:
                found[key] = known[0]
            else:
                missing.append(key)
        if not missing:
            return found
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in missing:
                    pipe.hgetall(f"minyi:person:{key}")
                rows = await pipe.execute()
        except RedisError as exc:
            raise DirectoryUnavailable(f"person directory unavailable: {type(exc).__name__}") from exc
        if len(self._known) + len(missing) > _WRITTEN_LIMIT:
            self._known.clear()
        for key, row in zip(missing, rows, strict=True):
            if row:
                phone = row.get(b"phone", b"").decode()
                id_number = row.get(b"id", b"").decode()
                found[key] = Identifiers(phone, id_number)
                self._known[key] = (found[key], now)
        return found
