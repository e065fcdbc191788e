"""Token buckets per user, client and address: atomic in Redis on its own clock, the same rules in process."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from gateway.rate_limits import Bucket, MemoryBuckets, RateLimit, RateLimiter, RedisBuckets, parse_rate

PER_MINUTE_3 = RateLimit(3, 60.0)


def test_rates_read_as_requests_per_window() -> None:
    assert parse_rate("600/60s") == RateLimit(600, 60.0)
    assert parse_rate("100/1m") == RateLimit(100, 60.0)
    assert parse_rate("5000/1h") == RateLimit(5000, 3600.0)
    assert parse_rate("off") is None and parse_rate("") is None
    for bad in ("600", "600/60", "x/1s", "0/1s", "5/0s"):
        with pytest.raises(ValueError, match=r"N/<window>|at least 1"):
            parse_rate(bad)


async def test_a_bucket_in_redis_refuses_past_its_capacity_and_says_when_to_retry(redis: Redis) -> None:
    buckets = RedisBuckets(redis)
    ada = [Bucket("user", "ada", PER_MINUTE_3)]
    assert [(await buckets.take(ada)).allowed for _ in range(3)] == [True, True, True]
    refused = await buckets.take(ada)
    assert not refused.allowed and refused.limited_by == "user"
    assert 0 < refused.retry_after_s <= 20  # one token comes back every 20 s
    assert refused.retry_after_header in {str(n) for n in range(1, 21)}
    assert (await buckets.take([Bucket("user", "grace", PER_MINUTE_3)])).allowed  # her own bucket
    assert 0 < await redis.pttl("minyi:rl:{user:ada}") <= 61_000


async def test_concurrent_takes_never_overspend_a_bucket(redis: Redis) -> None:
    buckets = RedisBuckets(redis)
    shared = [Bucket("ip", "10.0.0.1", RateLimit(20, 3600.0))]
    decisions = await asyncio.gather(*(buckets.take(shared) for _ in range(60)))
    assert sum(d.allowed for d in decisions) == 20


async def test_a_request_refused_by_one_bucket_takes_from_none(redis: Redis) -> None:
    buckets = RedisBuckets(redis)
    user = Bucket("user", "ada", PER_MINUTE_3)
    ip = Bucket("ip", "10.0.0.9", RateLimit(1, 60.0))
    assert (await buckets.take([user, ip])).allowed
    refused = await buckets.take([user, ip])
    assert (refused.allowed, refused.limited_by) == (False, "ip")
    # the user's bucket lost one token (the first request), not two
    assert [(await buckets.take([user])).allowed for _ in range(3)] == [True, True, False]


async def test_a_redis_that_does_not_answer_lets_requests_through_and_counts_them() -> None:
    client = Redis.from_url("redis://127.0.0.1:9/0")  # nothing listens on port 9
    try:
        buckets = RedisBuckets(client)
        assert (await buckets.take([Bucket("user", "ada", PER_MINUTE_3)])).allowed
        assert buckets.unavailable == 1
    finally:
        await client.aclose()


async def test_memory_buckets_refill_with_time() -> None:
    now = [1000.0]
    buckets = MemoryBuckets(clock=lambda: now[0])
    ada = [Bucket("user", "ada", PER_MINUTE_3)]
    assert [(await buckets.take(ada)).allowed for _ in range(4)] == [True, True, True, False]
    refused = await buckets.take(ada)
    assert refused.retry_after_s == pytest.approx(20.0)
    now[0] += 20.0
    assert (await buckets.take(ada)).allowed
    assert not (await buckets.take(ada)).allowed


def test_a_limiter_takes_only_the_buckets_that_apply() -> None:
    limiter = RateLimiter(MemoryBuckets(), per_user=PER_MINUTE_3, per_ip=RateLimit(100, 60.0))
    kinds = [b.kind for b in limiter.buckets(user="ada", client="portal", ip="10.0.0.1")]
    assert kinds == ["user", "ip"]  # no per-client limit configured
    assert [b.kind for b in limiter.buckets(user=None, client=None, ip="10.0.0.1")] == ["ip"]
