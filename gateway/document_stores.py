"""Where persisted documents live in Redis, shared by every gateway replica.

- :class:`RedisApqStore` (area ``apq``): automatic persisted queries, ``minyi:apq:<sha256>`` → document text,
  each expiring ``ttl_s`` after it was last registered. Anyone may register (the hash is checked first), so
  entries expire.
- :class:`RedisTrustedDocuments` (area ``trusted``): the registered manifest, one hash ``minyi:trusted:documents``
  of id → text, where every document is also filed under the SHA-256 of its text. Registered by an operator
  (``minyi documents push``), never by a client; entries do not expire.

Both translate Redis failures into :class:`DocumentStoreUnavailable`; what a failure means for a request is the
caller's decision (:mod:`gateway.persisted_queries`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.manifest import TrustedDocument, document_hash

__all__ = [
    "APQ_PREFIX",
    "DEFAULT_APQ_TTL_S",
    "TRUSTED_KEY",
    "DocumentStore",
    "DocumentStoreUnavailable",
    "RedisApqStore",
    "RedisTrustedDocuments",
]

APQ_PREFIX = "minyi:apq:"
TRUSTED_KEY = "minyi:trusted:documents"
DEFAULT_APQ_TTL_S = 24 * 3600


class DocumentStoreUnavailable(Exception):
    """The shared document store did not answer."""


class DocumentStore(Protocol):
    """Document texts by key (a hash or an id)."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, text: str) -> None: ...


def _text(raw: bytes | str | None) -> str | None:
    if raw is None:
        return None
    return raw.decode() if isinstance(raw, bytes) else raw


class RedisApqStore:
    def __init__(self, redis: Redis, *, ttl_s: int = DEFAULT_APQ_TTL_S) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def get(self, key: str) -> str | None:
        try:
            return _text(await self.redis.get(APQ_PREFIX + key))
        except RedisError as error:
            raise DocumentStoreUnavailable(type(error).__name__) from error

    async def put(self, key: str, text: str) -> None:
        try:
            await self.redis.set(APQ_PREFIX + key, text, ex=self.ttl_s)
        except RedisError as error:
            raise DocumentStoreUnavailable(type(error).__name__) from error


class RedisTrustedDocuments:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def get(self, key: str) -> str | None:
        try:
            return _text(await self.redis.hget(TRUSTED_KEY, key))
        except RedisError as error:
            raise DocumentStoreUnavailable(type(error).__name__) from error

    async def put(self, key: str, text: str) -> None:
        await self.push((TrustedDocument(key, text),))

    async def push(self, documents: Iterable[TrustedDocument]) -> int:
        """Register ``documents`` under their ids and the hashes of their texts; answers how many ids were new."""
        mapping: dict[str, str] = {}
        ids: list[str] = []
        for document in documents:
            mapping[document.id] = document.body
            mapping[document_hash(document.body)] = document.body
            ids.append(document.id)
        if not mapping:
            return 0
        try:
            existing = await self.redis.hmget(TRUSTED_KEY, ids)
            await self.redis.hset(TRUSTED_KEY, mapping=cast(Any, mapping))
        except RedisError as error:
            raise DocumentStoreUnavailable(type(error).__name__) from error
        return sum(1 for value in existing if value is None)

    async def count(self) -> int:
        try:
            return int(await self.redis.hlen(TRUSTED_KEY))
        except RedisError as error:
            raise DocumentStoreUnavailable(type(error).__name__) from error
