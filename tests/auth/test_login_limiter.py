"""The login limiter reserves an attempt before the password is checked, in Redis and in the in-process store."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from auth.errors import RateLimited
from auth.ratelimit import LoginLimiter
from auth.store import KeyValue, MemoryStore


@pytest.fixture(params=["redis", "memory"])
def kv(request: pytest.FixtureRequest, redis: Redis) -> KeyValue:
    return redis if request.param == "redis" else MemoryStore()


async def test_parallel_guesses_verify_at_most_the_limit(kv: KeyValue) -> None:
    limiter = LoginLimiter(kv, max_per_account=5, max_per_ip=100)
    verified = 0

    async def guess() -> None:
        nonlocal verified
        try:
            await limiter.reserve("operator", "10.0.0.1")
        except RateLimited:
            return
        await asyncio.sleep(0)  # the password check, which lets the other guesses run
        verified += 1

    await asyncio.gather(*(guess() for _ in range(50)))
    assert verified == 5


async def test_a_refused_attempt_gives_its_reservation_back(kv: KeyValue) -> None:
    limiter = LoginLimiter(kv, max_per_account=2, max_per_ip=3)
    for _ in range(2):
        await limiter.reserve("operator", "10.0.0.1")
    for _ in range(5):
        with pytest.raises(RateLimited, match="this account"):
            await limiter.reserve("operator", "10.0.0.1")
    await limiter.reserve("leader", "10.0.0.1")  # the IP's third attempt: the refused ones did not use it up
    with pytest.raises(RateLimited, match="this address"):
        await limiter.reserve("analyst", "10.0.0.1")


async def test_a_success_clears_the_account_and_returns_the_ip_attempt(kv: KeyValue) -> None:
    limiter = LoginLimiter(kv, max_per_account=2, max_per_ip=2)
    await limiter.reserve("operator", "10.0.0.1")
    attempt = await limiter.reserve("operator", "10.0.0.1")
    await limiter.succeeded(attempt)
    await limiter.reserve("operator", "10.0.0.1")  # the account starts again, the IP has one failure left
    with pytest.raises(RateLimited):
        await limiter.reserve("leader", "10.0.0.1")


async def test_counters_expire_with_their_window(redis: Redis) -> None:
    limiter = LoginLimiter(redis, window_s=900, max_per_account=5)
    await limiter.reserve("operator", "10.0.0.1")
    keys = [k async for k in redis.scan_iter("minyi:rl:login:*")]
    ttls = [await redis.ttl(k) for k in keys]
    assert len(keys) == 2 and all(0 < ttl <= 900 for ttl in ttls)
