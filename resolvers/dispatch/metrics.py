"""The outbox worker's Prometheus series, served at ``/metrics`` when ``minyi worker --metrics-port`` is given.

- ``minyi_outbox_depth{state}``: what the outbox holds right now, read from Redis at every scrape — ``queued``
  (stream entries waiting for or held by a worker), ``retrying`` (dispatches waiting for their next attempt),
  ``dead`` (dead letters: dispatches that ended FAILED).
- ``minyi_outbox_up``: 1 when the last scrape could read the outbox, 0 when Redis did not answer (the depth
  series then keep their last values).
- ``minyi_worker_dispatches_total{outcome}``: what this worker did since it started — ``applied``, ``failed``,
  ``retried``, ``claimed`` (entries taken over from a worker that stopped answering).

Every worker reads the same outbox, so any one of them answers for the depth; scrape one, or aggregate with
``max``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from resolvers.dispatch.errors import OutboxUnavailable
from resolvers.dispatch.outbox import Outbox
from resolvers.dispatch.worker import WorkerStats

__all__ = ["WorkerMetrics", "serve_worker_metrics"]

log = logging.getLogger("minyi.worker.metrics")


class _StatsCollector(Collector):
    def __init__(self, stats: WorkerStats) -> None:
        self.stats = stats

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "minyi_worker_dispatches", "Dispatches this worker handled, by outcome.", labels=("outcome",)
        )
        stats = self.stats
        for outcome, value in (
            ("applied", stats.applied),
            ("failed", stats.failed),
            ("retried", stats.retries),
            ("claimed", stats.claimed),
        ):
            family.add_metric((outcome,), value)
        yield family


class WorkerMetrics:
    """The series of one worker process, over its outbox and its counters."""

    def __init__(self, outbox: Outbox, stats: WorkerStats) -> None:
        self.outbox = outbox
        self.registry = CollectorRegistry(auto_describe=True)
        self.depth = Gauge(
            "minyi_outbox_depth", "Dispatches in the outbox, by state.", ("state",), registry=self.registry
        )
        self.up = Gauge("minyi_outbox_up", "Whether the last scrape could read the outbox.", registry=self.registry)
        self.registry.register(_StatsCollector(stats))

    async def refresh(self) -> None:
        try:
            depth = await self.outbox.depth()
        except OutboxUnavailable as error:
            log.warning("%s; the outbox depth keeps its last values", error)
            self.up.set(0)
            return
        self.up.set(1)
        self.depth.labels("queued").set(depth.queued)
        self.depth.labels("retrying").set(depth.retrying)
        self.depth.labels("dead").set(depth.dead)

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)


async def serve_worker_metrics(metrics: WorkerMetrics, host: str, port: int) -> web.AppRunner:
    """Serve ``GET /metrics`` on ``host:port`` in the running loop; ``await runner.cleanup()`` stops it."""

    async def endpoint(request: web.Request) -> web.Response:
        return web.Response(body=await metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/metrics", endpoint)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
