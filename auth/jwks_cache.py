"""The ``minyi:jwks`` Redis area: fetched JWKS documents shared by gateway replicas.

A gateway replica that has fetched an issuer's JWKS stores it here, so a replica that starts (or meets an unknown
``kid``) a moment later can read it instead of asking the issuer again. Keys are ``minyi:jwks:remote:<sha256 of the JWKS
URL>``, values the JWKS JSON, with a TTL (the issuer's keys rotate; a stale copy must age out). Every user of this
area goes through :class:`JwksCache`.

:class:`RedisJwksCache` is the real one; :class:`MemoryJwksCache` the in-process fallback with the same interface
(the demo without Redis, single-process tests). Redis failures are logged and answered as a miss: a broken cache
must never make token verification fail, it only costs a fetch.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["DEFAULT_JWKS_TTL_S", "JwksCache", "MemoryJwksCache", "RedisJwksCache", "jwks_key"]

log = logging.getLogger("minyi.auth.jwks")

DEFAULT_JWKS_TTL_S = 600


def jwks_key(url: str) -> str:
    return "minyi:jwks:remote:" + hashlib.sha256(url.encode()).hexdigest()


class JwksCache(Protocol):
    async def get(self, url: str) -> dict[str, Any] | None: ...

    async def put(self, url: str, jwks: dict[str, Any]) -> None: ...


class RedisJwksCache:
    """JWKS documents in Redis under ``minyi:jwks:…`` with a TTL of ``ttl_s`` seconds."""

    def __init__(self, redis: Redis, ttl_s: int = DEFAULT_JWKS_TTL_S) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    async def get(self, url: str) -> dict[str, Any] | None:
        try:
            raw = await self.redis.get(jwks_key(url))
        except RedisError as error:
            log.warning("JWKS cache read failed: %s", type(error).__name__)
            return None
        if raw is None:
            return None
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    async def put(self, url: str, jwks: dict[str, Any]) -> None:
        try:
            await self.redis.set(jwks_key(url), orjson.dumps(jwks), ex=self.ttl_s)
        except RedisError as error:
            log.warning("JWKS cache write failed: %s", type(error).__name__)


class MemoryJwksCache:
    """The in-process fallback: same interface, same TTL, one process only."""

    def __init__(self, ttl_s: int = DEFAULT_JWKS_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}

    async def get(self, url: str) -> dict[str, Any] | None:
        entry = self._entries.get(jwks_key(url))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    async def put(self, url: str, jwks: dict[str, Any]) -> None:
        self._entries[jwks_key(url)] = (time.monotonic() + self.ttl_s, jwks)
