"""Rate limits per user, client and IP address: token buckets in Redis (area ``rl``), shared by every replica.

Each limit is a bucket of ``capacity`` tokens refilled at ``capacity / window_s`` tokens a second; a request takes
one token from *each* bucket that applies to it — the user's (the token's subject), the client's (the OAuth client
of the token, else the ``apollographql-client-name`` header) and the address's — or from none: it is refused when
any of them is empty, with the seconds until that bucket holds a token again (``Retry-After``).

All buckets of a request are checked and taken in one Lua script, atomically, on the Redis clock (``TIME``), so
replicas never race and their clocks never matter. Keys are ``minyi:rl:{<kind>:<id>}``, one hash each (``tokens``,
``at`` in microseconds), expiring once a full bucket would be refilled. :class:`MemoryBuckets` is the in-process
stand-in (one replica, a demo without Redis).

The buckets of one request are in different hash slots, so on Redis Cluster point ``redis_url`` at a single
primary (or Sentinel) for this area. A Redis that does not answer lets requests through (logged and counted in :mod:`gateway.metrics`): the limit
protects the gateway, and refusing every request because its store hiccuped would do the attacker's work.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = [
    "Bucket",
    "Buckets",
    "Decision",
    "MemoryBuckets",
    "RateLimit",
    "RateLimiter",
    "RedisBuckets",
    "parse_rate",
]

log = logging.getLogger("minyi.gateway.rate_limits")

KEY_PREFIX = "minyi:rl:"


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``capacity`` requests per ``window_s`` seconds, bursts up to ``capacity``."""

    capacity: int
    window_s: float

    @property
    def per_second(self) -> float:
        return self.capacity / self.window_s


def parse_rate(text: str) -> RateLimit | None:
    """``"600/60s"``, ``"10/1s"``, ``"100/1m"`` or ``"5000/1h"``; ``""``/``"off"``: no limit (raises ValueError)."""
    text = text.strip().lower()
    if text in ("", "off", "0"):
        return None
    count, slash, window = text.partition("/")
    units = {"s": 1, "m": 60, "h": 3600}
    if not slash or not window or window[-1] not in units:
        raise ValueError(f"a rate is N/<window> such as 600/60s, 100/1m or 5000/1h, not {text!r}")
    try:
        capacity, length = int(count), float(window[:-1] or "1") * units[window[-1]]
    except ValueError:
        raise ValueError(f"a rate is N/<window> such as 600/60s, 100/1m or 5000/1h, not {text!r}") from None
    if capacity < 1 or length <= 0:
        raise ValueError(f"a rate needs at least 1 request in a window longer than 0 s, not {text!r}")
    return RateLimit(capacity, length)


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bucket a request takes a token from: ``kind`` (user, client, ip) and the id within it."""

    kind: str
    id: str
    limit: RateLimit

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}{{{self.kind}:{self.id}}}"


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after_s: float = 0.0  # when refused: until the emptiest bucket holds a token
    limited_by: str | None = None  # the kind of that bucket

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after_s)))


ALLOWED = Decision(True)


class Buckets(Protocol):
    async def take(self, buckets: Sequence[Bucket]) -> Decision: ...


# KEYS: one bucket each. ARGV: per bucket, capacity and refill per second. Returns {allowed, wait in µs, index}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
local levels = {}
local wait, which = 0, 0
for i = 1, n do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i]) / 1000000
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = capacity
  else
    tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
  end
  levels[i] = tokens
  if tokens < 1 then
    local need = math.ceil((1 - tokens) / rate)
    if need > wait then wait, which = need, i end
  end
end
if wait > 0 then return {0, wait, which} end
for i = 1, n do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i]) / 1000000
  redis.call('HSET', KEYS[i], 'tokens', tostring(levels[i] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(capacity / rate / 1000) + 1000)
end
return {1, 0, 0}
"""


class RedisBuckets:
    """The buckets in Redis. ``unavailable`` counts the checks that let a request through because Redis failed."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._script: Any = redis.register_script(_TAKE)
        self.unavailable = 0

    async def take(self, buckets: Sequence[Bucket]) -> Decision:
        if not buckets:
            return ALLOWED
        args: list[float] = []
        for bucket in buckets:
            args += [bucket.limit.capacity, bucket.limit.per_second]
        try:
            allowed, wait_us, which = await self._script(keys=[b.key for b in buckets], args=args)
        except RedisError as error:
            self.unavailable += 1
            log.warning("the rate limits in Redis did not answer (%s); letting the request through", error)
            return ALLOWED
        if allowed:
            return ALLOWED
        return Decision(False, int(wait_us) / 1e6, buckets[int(which) - 1].kind)


class MemoryBuckets:
    """The same buckets in this process (monotonic clock)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._state: dict[str, tuple[float, float]] = {}

    async def take(self, buckets: Sequence[Bucket]) -> Decision:
        now = self._clock()
        levels: list[float] = []
        wait, which = 0.0, None
        for bucket in buckets:
            tokens, at = self._state.get(bucket.key, (float(bucket.limit.capacity), now))
            tokens = min(bucket.limit.capacity, tokens + max(0.0, now - at) * bucket.limit.per_second)
            levels.append(tokens)
            if tokens < 1:
                need = (1 - tokens) / bucket.limit.per_second
                if need > wait:
                    wait, which = need, bucket.kind
        if which is not None:
            return Decision(False, wait, which)
        for bucket, tokens in zip(buckets, levels, strict=True):
            self._state[bucket.key] = (tokens - 1, now)
        if len(self._state) > 100_000:  # forget full buckets: they hold no information
            self._state = {k: v for k, v in self._state.items() if now - v[1] < 3600}
        return ALLOWED


class RateLimiter:
    """The limits of a gateway: which buckets a request takes from, and the store that holds them."""

    def __init__(
        self,
        store: Buckets,
        *,
        per_user: RateLimit | None = None,
        per_client: RateLimit | None = None,
        per_ip: RateLimit | None = None,
    ) -> None:
        self.store = store
        self.per_user = per_user
        self.per_client = per_client
        self.per_ip = per_ip

    @property
    def active(self) -> bool:
        return any(limit is not None for limit in (self.per_user, self.per_client, self.per_ip))

    def buckets(self, *, user: str | None, client: str | None, ip: str | None) -> list[Bucket]:
        chosen: list[Bucket] = []
        if self.per_user is not None and user:
            chosen.append(Bucket("user", user[:200], self.per_user))
        if self.per_client is not None and client:
            chosen.append(Bucket("client", client[:200], self.per_client))
        if self.per_ip is not None and ip:
            chosen.append(Bucket("ip", ip, self.per_ip))
        return chosen

    async def check(self, *, user: str | None, client: str | None, ip: str | None) -> Decision:
        return await self.store.take(self.buckets(user=user, client=client, ip=ip))
