"""The outbox worker: a loop that takes dispatches off the stream and applies them (``minyi worker``).

Any number of workers may run, in any number of processes: the consumer group hands each stream entry to one of
them; a lease per dispatch keeps two from applying the same one at once; ``XAUTOCLAIM`` takes over entries a
worker took and never acknowledged (it was killed), once they have been idle for ``claim_idle_ms``. Each round
also moves due retries back onto the stream. When Redis is down the worker waits and tries again; nothing it had
taken is lost, since an entry is acknowledged only after the dispatch has ended or its retry is scheduled.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from resolvers.dispatch.errors import OutboxUnavailable
from resolvers.dispatch.outbox import Claim, Outbox
from resolvers.dispatch.saga import RetryPolicy, advance
from resolvers.dispatch.writers import StepWriter

__all__ = ["Worker", "WorkerOptions", "WorkerStats"]

log = logging.getLogger("minyi.worker")


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerOptions:
    concurrency: int = 32  # dispatches applied at once by one worker
    block_ms: int = 500  # how long one XREADGROUP waits for new entries
    claim_idle_ms: int = 5000  # an entry unacknowledged this long belongs to a dead worker
    lease_ms: int = 15000  # how long a worker holds a dispatch without renewing (renewed after every step)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(slots=True)
class WorkerStats:
    applied: int = 0
    failed: int = 0
    retries: int = 0
    claimed: int = 0


class Worker:
    def __init__(self, outbox: Outbox, writer: StepWriter, options: WorkerOptions, *, name: str | None = None) -> None:
        self.outbox = outbox
        self.writer = writer
        self.options = options
        self.name = name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.stats = WorkerStats()
        self._rng = random.Random()
        self._slots = asyncio.Semaphore(options.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set; then finish the dispatches in hand."""
        log.info("outbox worker %s started", self.name)
        ready = False
        while not stop.is_set():
            try:
                if not ready:
                    await self.outbox.ensure_group()
                    ready = True
                await self.round()
            except (RedisError, OutboxUnavailable, OSError) as exc:
                ready = False
                log.warning("outbox unavailable (%s); trying again", type(exc).__name__)
                await asyncio.sleep(0.5)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        log.info("outbox worker %s stopped: %s", self.name, self.stats)

    async def round(self) -> None:
        await self.outbox.promote_due()
        free = max(1, self.options.concurrency - len(self._tasks))
        claims = await self.outbox.autoclaim(self.name, self.options.claim_idle_ms, free)
        self.stats.claimed += len(claims)
        if not claims:
            block = self.options.block_ms if len(self._tasks) < self.options.concurrency else 50
            claims = await self.outbox.read(self.name, free, block)
        for claim in claims:
            await self._slots.acquire()
            task = asyncio.create_task(self._handle(claim))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _handle(self, claim: Claim) -> None:
        try:
            await self.handle(claim)
        except (RedisError, OutboxUnavailable, OSError) as exc:
            log.warning("dispatch %s left for later: %s", claim.dispatch, type(exc).__name__)
        except Exception:
            log.exception("dispatch %s: unexpected failure; left for another attempt", claim.dispatch)
        finally:
            self._slots.release()

    async def handle(self, claim: Claim) -> None:
        token = f"{self.name}:{uuid.uuid4().hex[:8]}"
        if not await self.outbox.lease(claim.dispatch, token, self.options.lease_ms):
            return  # another worker is applying it; the entry stays pending until it is done with it
        try:
            record = await self.outbox.load(claim.dispatch)
            if record is None or record.terminal:
                await self.outbox.ack(claim)
                return
            before = sum(s.attempts for s in record.steps)

            async def renew() -> None:
                await self.outbox.renew(claim.dispatch, self.options.lease_ms)

            record = await advance(record, self.writer, self.outbox, self.options.retry, rng=self._rng, renew=renew)
            if record.state.value == "APPLIED":
                self.stats.applied += 1
            elif record.state.value == "FAILED":
                self.stats.failed += 1
            elif sum(s.attempts for s in record.steps) > before:
                self.stats.retries += 1
            await self.outbox.ack(claim)
        finally:
            await self.outbox.release(claim.dispatch, token)
