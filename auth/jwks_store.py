"""The ``minyi:jwks`` Redis area — the one module every user of it goes through (DESIGN.md "Redis").

Three kinds of key live in the area:

- ``minyi:jwks:keyset``: the embedded provider's signing key set (private JWKs, JSON), read and written by
  :class:`auth.keys.KeyStore` through :func:`read_keyset` / :func:`write_keyset`;
- ``minyi:jwks:rotating``: held for a minute by the one replica making a scheduled rotation of the key set;
- ``minyi:jwks:internal``: the gateway's internal signing key (:mod:`auth.internal`), agreed between replicas by
  :func:`load_or_create_key` (``SET NX``: the first replica's key wins, every replica uses what is stored);
- ``minyi:jwks:remote:<sha256 of the JWKS URL>``: JWKS documents fetched from an issuer, shared by replicas with a
  TTL (the issuer's keys rotate; a stale copy must age out) — :class:`RedisJwksCache`, or
  :class:`MemoryJwksCache`, the in-process fallback with the same interface.

Stores are a :class:`~auth.store.KeyValue` (a real Redis, or :class:`~auth.store.MemoryStore` without one). Values
are key material and never logged. Errors: the key set's Redis errors propagate (the provider answers 5xx); the
internal key's become :class:`KeyStoreUnavailable`; the remote cache logs them and answers a miss, because a broken
cache must never make token verification fail, it only costs a fetch.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from auth.errors import AuthError
from auth.store import KeyValue

__all__ = [
    "DEFAULT_JWKS_TTL_S",
    "INTERNAL_KEY",
    "KEYSET_KEY",
    "ROTATION_LOCK_KEY",
    "JwksCache",
    "KeyStoreUnavailable",
    "MemoryJwksCache",
    "RedisJwksCache",
    "jwks_key",
    "load_or_create_key",
    "read_keyset",
    "write_keyset",
]

log = logging.getLogger("minyi.auth.jwks")

AREA = "minyi:jwks"
KEYSET_KEY = f"{AREA}:keyset"
ROTATION_LOCK_KEY = f"{AREA}:rotating"  # held (SET NX EX) by the replica making a scheduled rotation
INTERNAL_KEY = f"{AREA}:internal"
DEFAULT_JWKS_TTL_S = 600


# -- the provider's key set ----------------------------------------------------------------------------------------


async def read_keyset(kv: KeyValue) -> Any:
    """The stored key set (JSON text or bytes), or ``None``."""
    return await kv.get(KEYSET_KEY)


async def write_keyset(kv: KeyValue, value: str, *, only_if_absent: bool = False) -> None:
    """Store the key set; with ``only_if_absent`` another replica's set, once stored, is kept."""
    await kv.set(KEYSET_KEY, value, nx=only_if_absent)


# -- the gateway's internal key ------------------------------------------------------------------------------------


class KeyStoreUnavailable(AuthError):
    """The key store (Redis) could not be read or written."""

    code = "INTERNAL_SERVER_ERROR"


async def load_or_create_key(kv: KeyValue, make: Callable[[], str], name: str = INTERNAL_KEY) -> str:
    """The key stored as ``name``; when there is none, ``make()`` is stored (unless another replica stored one
    first) and the stored one is returned."""
    try:
        found = await kv.get(name)
        if found is None:
            await kv.set(name, make(), nx=True)
            found = await kv.get(name)
    except RedisError as exc:
        raise KeyStoreUnavailable(f"the key store cannot be reached ({type(exc).__name__})") from None
    if found is None:
        raise KeyStoreUnavailable("the key store lost a key it had just stored")
    return found.decode() if isinstance(found, bytes) else str(found)


# -- fetched JWKS documents ----------------------------------------------------------------------------------------


def jwks_key(url: str) -> str:
    return f"{AREA}:remote:" + hashlib.sha256(url.encode()).hexdigest()


class JwksCache(Protocol):
    async def get(self, url: str) -> dict[str, Any] | None: ...

    async def put(self, url: str, jwks: dict[str, Any]) -> None: ...


class RedisJwksCache:
    """JWKS documents in Redis under ``minyi:jwks:remote:…`` with a TTL of ``ttl_s`` seconds."""

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
