"""The gateway's two request caches (after Apollo Router's query-analysis and query-planner caches).

- :class:`DocumentCache`: document text → :class:`~gateway.document.PreparedDocument` (parsed, limit-checked,
  validated — or refused with its errors). Keyed by the text itself, i.e. by its hash in a dict: the hot path of a
  repeated request is one dict lookup, with no parse and no validation.
- :class:`PlanCache`: :class:`PlanKey` (schema hash, normalized document, operation name) → ``QueryPlan``. The
  in-process LRU answers first; on a miss, an optional second tier (:class:`PlanStore`, Redis with the production
  features) is asked before planning, and a fresh plan is written to both. Concurrent misses for the same key
  share one planning (in-flight deduplication), so a burst of a new query plans once.

Both are bounded LRUs; a pure in-process cache is the one kind of module-level state the house style allows, but
these are still instances passed down, never globals.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, NamedTuple, Protocol, TypeVar

from gateway.document import PreparedDocument
from gateway.planner.plan import QueryPlan

__all__ = ["DocumentCache", "LruCache", "PlanCache", "PlanKey", "PlanStore"]

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A bounded least-recently-used map."""

    __slots__ = ("_entries", "maxsize")

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("an LRU cache needs room for at least one entry")
        self.maxsize = maxsize
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()


class DocumentCache(LruCache[str, PreparedDocument]):
    """Document text → prepared document (parse + limits + validate). Refusals are cached too.

    Bounded by entries *and* by the total length of the texts held (``max_chars``): distinct near-1-MiB documents
    (refused or not) must not pile up, and a parsed document's size follows its text's.
    """

    __slots__ = ("_chars", "max_chars")

    def __init__(self, maxsize: int, max_chars: int = 16 * 1024 * 1024) -> None:
        super().__init__(maxsize)
        self.max_chars = max_chars
        self._chars = 0

    def put(self, key: str, value: PreparedDocument) -> None:
        if len(key) > self.max_chars // 16:  # too big to be worth a sixteenth of the cache
            return
        entries = self._entries
        if key in entries:
            entries.move_to_end(key)
            entries[key] = value
            return
        entries[key] = value
        self._chars += len(key)
        while len(entries) > self.maxsize or self._chars > self.max_chars:
            evicted, _ = entries.popitem(last=False)
            self._chars -= len(evicted)

    def clear(self) -> None:
        super().clear()
        self._chars = 0


class PlanKey(NamedTuple):
    schema_hash: str
    document: str  # the normalized (printed) document that is planned
    operation_name: str | None

    def digest(self) -> str:
        """A short stable string for a shared tier: ``minyi:plan:<schema>:<sha256 of document and name>``."""
        body = hashlib.sha256(self.document.encode())
        body.update(b"\x00" + (self.operation_name or "").encode())
        return f"minyi:plan:{self.schema_hash}:{body.hexdigest()}"


class PlanStore(Protocol):
    """The seam for a second plan-cache tier shared by gateway replicas (Redis). Misses and failures answer
    ``None``/do nothing: a broken store must never fail a request."""

    async def get(self, key: str) -> QueryPlan | None: ...

    async def put(self, key: str, plan: QueryPlan) -> None: ...


class PlanCache:
    """LRU of query plans, optionally backed by a :class:`PlanStore`, with in-flight deduplication."""

    def __init__(self, maxsize: int, store: PlanStore | None = None) -> None:
        self._lru: LruCache[PlanKey, QueryPlan] = LruCache(maxsize)
        self._store = store
        self._inflight: dict[PlanKey, asyncio.Future[QueryPlan]] = {}

    def get(self, key: PlanKey) -> QueryPlan | None:
        """The in-process tier only: the hot path, no await."""
        return self._lru.get(key)

    async def load(self, key: PlanKey, build: Callable[[], QueryPlan]) -> QueryPlan:
        """The plan for ``key`` from the second tier, or built by ``build`` (once, however many ask at once).

        ``build`` may raise; the error reaches every caller waiting for that key and nothing is cached.
        """
        plan = self._lru.get(key)
        if plan is not None:
            return plan
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[QueryPlan] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            plan = await self._fill(key, build)
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: a lone caller must not leave "exception never retrieved" behind
            raise
        except BaseException:  # cancelled: whoever waits is cancelled too
            future.cancel()
            raise
        else:
            future.set_result(plan)
            return plan
        finally:
            del self._inflight[key]

    async def _fill(self, key: PlanKey, build: Callable[[], QueryPlan]) -> QueryPlan:
        digest = key.digest() if self._store is not None else ""
        if self._store is not None:
            stored = await self._store.get(digest)
            if stored is not None:
                self._lru.put(key, stored)
                return stored
        plan = build()
        self._lru.put(key, plan)
        if self._store is not None:
            await self._store.put(digest, plan)
        return plan

    def __len__(self) -> int:
        return len(self._lru)
