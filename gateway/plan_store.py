"""The plan cache's shared tier: query plans in Redis (area ``plan``), read by every gateway replica.

:class:`RedisPlanStore` implements :class:`~gateway.caches.PlanStore`. Keys are :meth:`PlanKey.digest
<gateway.caches.PlanKey.digest>` — ``minyi:plan:<schema hash>:<sha256 of normalized document and operation
name>`` — followed by the :func:`planner_fingerprint` of this gateway's planner, so a new schema never meets an old
schema's plans, a replica never runs a plan an older or newer planner built (during a rolling upgrade both run),
and plans expire after ``ttl_s``. Values are
:mod:`gateway.plan_codec` JSON. Redis failures and unreadable values are logged and answered as misses: the
replica then plans for itself, and a broken shared tier never fails a request.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.plan_codec import PLAN_FORMAT, PlanCodecError, decode_plan, encode_plan
from gateway.planner.plan import QueryPlan

__all__ = ["DEFAULT_PLAN_TTL_S", "RedisPlanStore", "planner_fingerprint"]

log = logging.getLogger("minyi.gateway.plan_store")

DEFAULT_PLAN_TTL_S = 7 * 24 * 3600


@cache
def planner_fingerprint() -> str:
    """A short hash of the planner's source and the plan format: equal exactly when two gateways plan alike."""
    digest = hashlib.sha256(f"format {PLAN_FORMAT}".encode())
    planner = Path(__file__).resolve().parent / "planner"
    for source in sorted(planner.rglob("*.py")):
        digest.update(source.relative_to(planner).as_posix().encode() + b"\x00" + source.read_bytes())
    return digest.hexdigest()[:16]


class RedisPlanStore:
    """Plans shared through Redis; ``reads`` and ``hits`` count what this replica asked and found."""

    def __init__(self, redis: Redis, *, ttl_s: int = DEFAULT_PLAN_TTL_S) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.reads = 0
        self.hits = 0

    def _key(self, key: str) -> str:
        return f"{key}:{planner_fingerprint()}"

    async def get(self, key: str) -> QueryPlan | None:
        self.reads += 1
        try:
            raw = await self.redis.get(self._key(key))
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
            await self.redis.set(self._key(key), encode_plan(plan), ex=self.ttl_s)
        except RedisError as error:
            log.warning("the shared plan cache did not take a plan (%s)", type(error).__name__)
