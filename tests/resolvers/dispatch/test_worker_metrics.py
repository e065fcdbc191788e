"""The worker's /metrics: the outbox depth read from the real Redis at every scrape, and the worker's own counts."""

from __future__ import annotations

import time

import aiohttp
from redis.asyncio import Redis

from resolvers.dispatch.metrics import WorkerMetrics, serve_worker_metrics
from resolvers.dispatch.outbox import DEAD, STREAM, Outbox
from resolvers.dispatch.worker import WorkerStats
from tests.support.servers import free_port


async def scrape(port: int) -> str:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as resp:
        assert resp.status == 200
        return await resp.text()


async def test_the_outbox_depth_is_read_at_every_scrape(redis: Redis) -> None:
    outbox = Outbox(redis)
    await outbox.ensure_group()
    for dispatch in ("d1", "d2", "d3"):
        await redis.xadd(STREAM, {"dispatch": dispatch})
    await outbox.schedule_retry("d4", time.time() + 3600)
    await redis.xadd(DEAD, {"dispatch": "d5", "reason": "the hotline refused it"})
    stats = WorkerStats(applied=7, failed=1, retries=2, claimed=0)
    port = free_port()
    runner = await serve_worker_metrics(WorkerMetrics(outbox, stats), "127.0.0.1", port)
    try:
        text = await scrape(port)
        assert 'minyi_outbox_depth{state="queued"} 3.0' in text
        assert 'minyi_outbox_depth{state="retrying"} 1.0' in text
        assert 'minyi_outbox_depth{state="dead"} 1.0' in text
        assert "minyi_outbox_up 1.0" in text
        assert 'minyi_worker_dispatches_total{outcome="applied"} 7.0' in text

        claims = await outbox.read("test-worker", count=1, block_ms=100)
        await outbox.ack(claims[0])  # a worker finished one
        stats.applied += 1
        text = await scrape(port)
        assert 'minyi_outbox_depth{state="queued"} 2.0' in text
        assert 'minyi_worker_dispatches_total{outcome="applied"} 8.0' in text
    finally:
        await runner.cleanup()


async def test_a_redis_that_does_not_answer_shows_as_down_not_as_an_empty_outbox() -> None:
    client = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)  # nothing listens on port 9
    port = free_port()
    runner = await serve_worker_metrics(WorkerMetrics(Outbox(client), WorkerStats()), "127.0.0.1", port)
    try:
        text = await scrape(port)
        assert "minyi_outbox_up 0.0" in text
        assert "minyi_outbox_depth{" not in text
    finally:
        await runner.cleanup()
        await client.aclose()
