"""One outbox worker process (``minyi worker``): the adapters, the outbox and the loop, stopped by SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import signal

from redis.asyncio import Redis

from auth.broker import CredentialBroker, ServiceCredentials
from resolvers.adapters.board import BoardClient
from resolvers.adapters.grid import GridClient
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.petition import PetitionClient
from resolvers.adapters.suggestion import SuggestionClient
from resolvers.dispatch.metrics import WorkerMetrics, serve_worker_metrics
from resolvers.dispatch.outbox import Outbox
from resolvers.dispatch.settings import WorkerSettings
from resolvers.dispatch.worker import Worker
from resolvers.dispatch.writers import LegacyWriters

__all__ = ["build_writers", "run_worker"]


def build_writers(settings: WorkerSettings) -> LegacyWriters:
    broker = CredentialBroker(
        ServiceCredentials(system, settings.legacy_username, settings.legacy_password)
        for system in ("hotline", "grid", "board", "petition", "suggestion")
    )

    def options(url: str) -> AdapterOptions:
        return AdapterOptions(
            base_url=url, timeout_s=settings.legacy_timeout_s, max_concurrency=settings.legacy_max_concurrency
        )

    return LegacyWriters(
        hotline=HotlineClient(options(settings.hotline_url), broker=broker),
        grid=GridClient(options(settings.grid_url), broker=broker),
        board=BoardClient(options(settings.board_url), broker=broker),
        petition=PetitionClient(options(settings.petition_url), broker=broker),
        suggestion=SuggestionClient(options(settings.suggestion_url), broker=broker),
    )


async def run_worker(settings: WorkerSettings) -> None:
    redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
    worker = Worker(Outbox(redis), build_writers(settings), settings.worker_options())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    runner = None
    if settings.worker_metrics_port is not None:
        metrics = WorkerMetrics(worker.outbox, worker.stats)
        runner = await serve_worker_metrics(metrics, settings.worker_metrics_host, settings.worker_metrics_port)
    try:
        await worker.run(stop)
    finally:
        if runner is not None:
            await runner.cleanup()
        await close_shared_session()
        await redis.aclose()
