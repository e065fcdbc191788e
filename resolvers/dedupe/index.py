"""The duplicate-detection index: which appeals share a block, and nothing else (no names, numbers or text).

For each appeal it keeps its id, its received time, its person key (an HMAC, not a number), a fingerprint of its
place and category, and the LSH band hashes of its text's MinHash. Looking up an appeal's candidates is a union of
the sets it is in, within the time window. The appeals are read from their systems again when compared; the index
is never a copy of them.

Redis keys (``minyi:dedupe:``)::

    item:{id}           hash  t (received, epoch seconds), p (person key), pl (place fingerprint), b (band hashes)
    person:{key}        zset  id → received time
    place:{fingerprint} zset  id → received time
    band:{i}:{hash}     zset  id → received time

:class:`MemoryIndex` has the same behaviour in one process, for a subgraph without Redis.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from resolvers.dedupe.blocking import place_key
from resolvers.dedupe.item import DedupeItem
from resolvers.dedupe.text import fingerprint

__all__ = ["BANDS", "DedupeIndex", "IndexEntry", "IndexUnavailable", "MemoryIndex", "RedisIndex", "entry_of"]

BANDS = 16  # of 4 rows each over the 64-permutation MinHash: pairs from about Jaccard 0.5 share a band
_ROWS = 4
_PREFIX = "minyi:dedupe:"


class IndexUnavailable(Exception):
    code = "INDEX_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class IndexEntry:
    id: str
    received: float  # epoch seconds of the naive Beijing time
    person_key: str
    place: str  # fingerprint of place + category; empty when unknown
    bands: tuple[str, ...]

    def sets(self) -> list[str]:
        found = [f"band:{i}:{h}" for i, h in enumerate(self.bands)]
        if self.person_key:
            found.append(f"person:{self.person_key}")
        if self.place:
            found.append(f"place:{self.place}")
        return found


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _epoch(moment: datetime) -> float:
    return (moment - datetime(1970, 1, 1)).total_seconds()


def entry_of(item: DedupeItem) -> IndexEntry:
    values = fingerprint(item.text).hashvalues
    bands = tuple(_digest(values[i * _ROWS : (i + 1) * _ROWS].tobytes()) for i in range(BANDS))
    place = place_key(item)
    return IndexEntry(
        id=item.id,
        received=_epoch(item.received_at),
        person_key=item.person_key or "",
        place=_digest(place.encode()) if place else "",
        bands=bands,
    )


class DedupeIndex(Protocol):
    async def add(self, entries: Sequence[IndexEntry]) -> int:
        """Index the entries (new or changed ones only); how many were written."""
        ...

    async def candidates(self, entry: IndexEntry, window: timedelta) -> set[str]:
        """Ids sharing a set with ``entry``, received within ``window`` of it (``entry`` itself left out)."""
        ...

    async def size(self) -> int: ...


class MemoryIndex:
    def __init__(self) -> None:
        self._items: dict[str, IndexEntry] = {}
        self._sets: dict[str, dict[str, float]] = defaultdict(dict)

    async def add(self, entries: Sequence[IndexEntry]) -> int:
        written = 0
        for entry in entries:
            old = self._items.get(entry.id)
            if old == entry:
                continue
            if old is not None:
                for name in old.sets():
                    self._sets[name].pop(entry.id, None)
            for name in entry.sets():
                self._sets[name][entry.id] = entry.received
            self._items[entry.id] = entry
            written += 1
        return written

    async def candidates(self, entry: IndexEntry, window: timedelta) -> set[str]:
        span = window.total_seconds()
        return {
            other
            for name in entry.sets()
            for other, at in self._sets.get(name, {}).items()
            if other != entry.id and abs(at - entry.received) <= span
        }

    async def size(self) -> int:
        return len(self._items)


class RedisIndex:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def add(self, entries: Sequence[IndexEntry]) -> int:
        if not entries:
            return 0
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for entry in entries:
                    pipe.hgetall(_PREFIX + f"item:{entry.id}")
                stored = await pipe.execute()
            changed = [(e, old) for e, old in zip(entries, stored, strict=True) if _entry_of_hash(e.id, old) != e]
            if not changed:
                return 0
            async with self._redis.pipeline(transaction=False) as pipe:
                for entry, old in changed:
                    before = _entry_of_hash(entry.id, old)
                    if before is not None:
                        for name in set(before.sets()) - set(entry.sets()):
                            pipe.zrem(_PREFIX + name, entry.id)
                    for name in entry.sets():
                        pipe.zadd(_PREFIX + name, {entry.id: entry.received})
                    pipe.hset(
                        _PREFIX + f"item:{entry.id}",
                        mapping={
                            "t": entry.received,
                            "p": entry.person_key,
                            "pl": entry.place,
                            "b": ",".join(entry.bands),
                        },
                    )
                await pipe.execute()
        except RedisError as exc:
            raise IndexUnavailable(f"the duplicate index could not be written: {exc}") from exc
        return len(changed)

    async def candidates(self, entry: IndexEntry, window: timedelta) -> set[str]:
        span = window.total_seconds()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for name in entry.sets():
                    pipe.zrangebyscore(_PREFIX + name, entry.received - span, entry.received + span)
                found = await pipe.execute()
        except RedisError as exc:
            raise IndexUnavailable(f"the duplicate index could not be read: {exc}") from exc
        ids = {m.decode() if isinstance(m, bytes) else str(m) for members in found for m in members}
        ids.discard(entry.id)
        return ids

    async def size(self) -> int:
        try:
            count = 0
            async for _ in self._redis.scan_iter(match=_PREFIX + "item:*", count=1000):
                count += 1
            return count
        except RedisError as exc:
            raise IndexUnavailable(f"the duplicate index could not be read: {exc}") from exc


def _entry_of_hash(appeal_id: str, stored: dict[bytes, bytes] | dict[str, str]) -> IndexEntry | None:
    if not stored:
        return None
    text = {
        (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
        for k, v in stored.items()
    }
    bands = tuple(b for b in text.get("b", "").split(",") if b)
    return IndexEntry(appeal_id, float(text.get("t", 0)), text.get("p", ""), text.get("pl", ""), bands)


def entries_of(items: Iterable[DedupeItem]) -> list[IndexEntry]:
    return [entry_of(i) for i in items]
