"""The auth areas' Redis client, with time limits: a Redis that accepts connections and never answers must cost a
login or a token check ``timeout_s``, never a hang.

:func:`open_redis` sets the connect and socket timeouts and does not retry (a retry would double the wait a user
pays; the caller answers 503 and the user tries again). redis-py raises ``redis.exceptions.TimeoutError`` (a
``RedisError``), which the provider's routes answer with ``temporarily_unavailable`` and the verifier with a refusal.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

__all__ = ["DEFAULT_REDIS_TIMEOUT_S", "open_redis"]

DEFAULT_REDIS_TIMEOUT_S = 2.0


def open_redis(url: str, *, timeout_s: float = DEFAULT_REDIS_TIMEOUT_S) -> Redis:
    """A client of ``url`` whose connects and commands each give up after ``timeout_s`` seconds, without retrying."""
    if timeout_s <= 0:
        raise ValueError("the Redis timeout must be positive")
    return Redis.from_url(
        url,
        socket_connect_timeout=timeout_s,
        socket_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
    )
