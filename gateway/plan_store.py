"""The plan cache's shared tier: query plans in Redis (area ``plan``), read by every gateway replica.

:class:`RedisPlanStore` implements :class:`~gateway.caches.PlanStore`. Keys are :meth:`PlanKey.digest
<gateway.caches.PlanKey.digest>` — ``minyi:plan:<schema hash>:<sha256 of normalized document and operation
name>`` — so a new schema never meets an old schema's plans, and those expire after ``ttl_s``. Values are
:mod:`gateway.plan_codec` JSON. Redis failures and unreadable values are logged and answered as misses: the
replica then plans for itself, and a broken shared tier never fails a request.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.plan_codec import PlanCodecError, decode_plan, encode_plan
from gateway.planner.plan import QueryPlan

__all__ = ["DEFAULT_PLAN_TTL_S", "RedisPlanStore"]

log = logging.getLogger("minyi.gateway.plan_store")

DEFAULT_PLAN_TTL_S = 7 * 24 * 3600


class RedisPlanStore:
    """Plans shared through Redis; ``reads`` and ``hits`` count what this replica asked and found."""

    def __init__(self, redis: Redis, *, ttl_s: int = DEFAULT_PLAN_TTL_S) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.reads = 0
        self.hits = 0

    async def get(self, key: str) -> QueryPlan | None:
        self.reads += 1
        try:
            raw = await self.redis.get(key)
        except RedisError as error:
            log.warning("the shared plan cache did not answer (%s); planning here", type(error).__name__)
            return None
        if raw is None:
            return None
        try:
            plan = decode_plan(raw)
        except PlanCodecError as error:
            log.warning("ignoring an unreadable shared plan %s: %s", key, error)
            return None
        self.hits += 1
        return plan

    async def put(self, key: str, plan: QueryPlan) -> None:
        try:
            await self.redis.set(key, encode_plan(plan), ex=self.ttl_s)
        except RedisError as error:
            log.warning("the shared plan cache did not take a plan (%s)", type(error).__name__)
