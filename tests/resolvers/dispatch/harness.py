"""A dispatch rig for tests: the hotline and grid stand-ins (and, when a test names them, the board, petition and
suggestion stand-ins) on loopback, the outbox on the test Redis, a
:class:`DispatchService` that accepts and in-process workers that apply."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from redis.asyncio import Redis

from auth.principal import Principal
from resolvers.adapters.board import BoardClient
from resolvers.adapters.grid import GridClient
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.http import AdapterOptions
from resolvers.adapters.petition import PetitionClient
from resolvers.adapters.suggestion import SuggestionClient
from resolvers.dispatch import (
    DispatchService,
    LegacyAppealReader,
    LegacyWriters,
    Outbox,
    RetryPolicy,
    Worker,
    WorkerOptions,
)

__all__ = ["DISPATCHER", "HANDLER", "Rig", "board_client", "clients", "petition_client", "rig_for", "suggestion_client"]

UNREACHABLE = "http://127.0.0.1:9"  # a system a test does not write to

DISPATCHER = Principal.from_claims(
    {"sub": "dispatcher", "roles": ["dispatcher"], "jurisdiction": {"admin_codes": ["430100"], "grid_codes": []}}
)
HANDLER = Principal.from_claims(
    {"sub": "handler", "roles": ["unit_handler"], "unit": "43010503", "jurisdiction": {"admin_codes": ["430105"]}}
)
FAST_RETRY = RetryPolicy(base_s=0.05, cap_s=0.2, max_attempts=5)


@dataclass
class Rig:
    service: DispatchService
    outbox: Outbox
    writers: LegacyWriters
    reader: LegacyAppealReader


def _options(url: str) -> AdapterOptions:
    return AdapterOptions(base_url=url, username="minyi-service", password="minyi-service-pass", timeout_s=5)


def clients(hotline_url: str, grid_url: str) -> tuple[HotlineClient, GridClient]:
    return HotlineClient(_options(hotline_url)), GridClient(_options(grid_url))


def board_client(url: str = UNREACHABLE) -> BoardClient:
    return BoardClient(_options(url))


def suggestion_client(url: str) -> SuggestionClient:
    return SuggestionClient(_options(url))


def petition_client(url: str) -> PetitionClient:
    return PetitionClient(_options(url))


@contextlib.asynccontextmanager
async def rig_for(
    redis: Redis,
    hotline_url: str,
    grid_url: str,
    *,
    board_url: str = UNREACHABLE,
    petition_url: str = UNREACHABLE,
    suggestion_url: str = UNREACHABLE,
    workers: int = 1,
) -> AsyncIterator[Rig]:
    hotline, grid = clients(hotline_url, grid_url)
    board = board_client(board_url)
    petition, suggestion = PetitionClient(_options(petition_url)), SuggestionClient(_options(suggestion_url))
    outbox = Outbox(redis)
    writers = LegacyWriters(hotline=hotline, grid=grid, board=board, petition=petition, suggestion=suggestion)
    reader = LegacyAppealReader(hotline=hotline, grid=grid, board=board, petition=petition, suggestion=suggestion)
    stop = asyncio.Event()
    options = WorkerOptions(block_ms=100, claim_idle_ms=1000, lease_ms=3000, retry=FAST_RETRY)
    running = [asyncio.create_task(Worker(outbox, writers, options).run(stop)) for _ in range(workers)]
    try:
        yield Rig(DispatchService(outbox, reader), outbox, writers, reader)
    finally:
        stop.set()
        await asyncio.gather(*running)
