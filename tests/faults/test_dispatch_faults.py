"""Fault tests with real processes: every accepted write reaches its system of record exactly once.

Each test starts the stand-ins and workers as processes of their own (``minyi legacy``, ``minyi worker``),
breaks something for real (a stand-in killed for 30 s, a worker killed with SIGKILL mid-saga, redis-server killed
between accept and apply, 10 % of legacy requests failing), and reconciles the dispatches against the stand-ins'
own SQLite databases, printing: accepted, applied, failed, duplicates, lost.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest
from redis.asyncio import Redis

from resolvers.dispatch import Action, Command, DispatchService, DispatchState, Outbox
from resolvers.dispatch.service import LegacyAppealReader
from tests.faults.processes import count_rows, redis_server, restart_redis, standin, worker
from tests.faults.reconcile import reconcile_registrations, wait_all_ended
from tests.resolvers.dispatch.harness import DISPATCHER, board_client, clients

pytestmark = pytest.mark.slow

OUTAGE_S = 30


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """The reconciliation line, on the terminal even when the test passes (CI logs show it)."""
    with capsys.disabled():
        print(f"\n[reconciliation] {line}")


def _registration(title: str) -> Command:
    params = {
        "title": title,
        "content": "路灯不亮，夜间出行不便",
        "phone": "13900003333",
        "appealType": "HELP",
        "adminCode": "430105002003",
        "gridCode": "430105002003001",
    }
    return Command(Action.REGISTER, None, params)


async def _accept(service: DispatchService, commands: list[Command]) -> list[str]:
    """Submit all at once (at most 100 in flight on the test's one Redis connection pool)."""
    slots = asyncio.Semaphore(100)

    async def one(command: Command) -> str:
        async with slots:
            submitted = await service.submit(DISPATCHER, command, f"key-{uuid.uuid4().hex}")
        return submitted.record.id

    return list(await asyncio.gather(*(one(c) for c in commands)))


def _service(redis: Redis, hotline_url: str, grid_url: str) -> DispatchService:
    hotline, grid = clients(hotline_url, grid_url)
    return DispatchService(Outbox(redis), LegacyAppealReader(hotline=hotline, grid=grid, board=board_client()))


async def test_a_stand_in_down_for_30_seconds_loses_and_doubles_nothing(
    redis: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import REDIS_URL

    marker = f"停机{uuid.uuid4().hex[:6]}-"
    with standin("hotline", tmp_path / "hotline.sqlite") as hotline, standin("grid", tmp_path / "grid.sqlite") as grid:
        workers = [worker(REDIS_URL, hotline.url, grid.url) for _ in range(2)]
        try:
            service = _service(redis, hotline.url, grid.url)
            ids = await _accept(service, [_registration(f"{marker}{i}") for i in range(40)])
            await asyncio.sleep(0.05)  # some are being written right now
            hotline.kill()
            ids += await _accept(service, [_registration(f"{marker}{i}") for i in range(40, 80)])
            await asyncio.sleep(OUTAGE_S)
            hotline.start()  # same port, same database
            records = await wait_all_ended(service.outbox, ids, 90)
        finally:
            for w in workers:
                w.stop()
        tally = reconcile_registrations(hotline.db, records, len(ids), marker)
    _report(capsys, tally.line("stand-in down 30 s"))
    assert (tally.applied, tally.duplicates, tally.lost) == (80, 0, 0)


async def test_a_worker_killed_mid_saga_is_finished_by_another_without_duplicates(
    redis: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import REDIS_URL

    with standin("hotline", tmp_path / "hotline.sqlite") as hotline, standin("grid", tmp_path / "grid.sqlite") as grid:
        service = _service(redis, hotline.url, grid.url)
        first = worker(REDIS_URL, hotline.url, grid.url)
        try:
            registered = await _accept(service, [_registration(f"中途{i}") for i in range(5)])
            records = await wait_all_ended(service.outbox, registered, 30)
            appeals = [str(r.appeal) for r in records]
            hotline.faults(latency_ms=2500)  # step 2 (the link on the order) will be in flight when the kill comes
            routes = [
                Command(Action.ROUTE_TO_GRID, appeal, {"eventType": "0102", "note": "网格直办"}) for appeal in appeals
            ]
            ids = await _accept(service, routes)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                states = [await service.outbox.load(i) for i in ids]
                if all(r is not None and r.steps[0].result for r in states):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.3)
            first.kill()
            hotline.faults(latency_ms=0)
            second = worker(REDIS_URL, hotline.url, grid.url)
            try:
                ended = await wait_all_ended(service.outbox, ids, 60)
            finally:
                second.stop()
        finally:
            first.kill()
        grid_links = count_rows(
            grid.db, "SELECT number, count(*) FROM grid_link WHERE kind = '网格直办' GROUP BY number"
        )
        order_links = count_rows(hotline.db, "SELECT gdbh, count(*) FROM gd_gl WHERE gllx = '网格直办' GROUP BY gdbh")
        events = count_rows(
            grid.db,
            "SELECT count(*) FROM grid_event WHERE event_src = '12345热线' AND task_num IN "
            "(SELECT task_num FROM grid_link)",
        )
    orders = {a.split(":")[1] for a in appeals}
    applied = [r for r in ended if r.state is DispatchState.APPLIED]
    duplicates = sum(n - 1 for _, n in grid_links + order_links if n > 1) + max(0, events[0][0] - len(orders))
    lost = len(ids) - len(applied)
    _report(
        capsys,
        f"worker SIGKILLed mid-saga: accepted={len(ids)} applied={len(applied)} failed={len(ended) - len(applied)} "
        f"duplicates={duplicates} lost={lost}",
    )
    assert {n for n, _ in grid_links} == orders and {n for n, _ in order_links} == orders
    assert (duplicates, lost) == (0, 0)


async def test_redis_killed_between_accept_and_apply_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = f"重启{uuid.uuid4().hex[:6]}-"
    with (
        standin("hotline", tmp_path / "hotline.sqlite") as hotline,
        standin("grid", tmp_path / "grid.sqlite") as grid,
        redis_server(tmp_path / "redis") as (url, proc),
    ):
        redis = Redis.from_url(url)
        service = _service(redis, hotline.url, grid.url)
        ids = await _accept(service, [_registration(f"{marker}{i}") for i in range(100)])
        await redis.aclose()
        proc = restart_redis(proc, tmp_path / "redis")  # SIGKILL, then the same AOF
        runner = worker(url, hotline.url, grid.url)
        redis = Redis.from_url(url)
        try:
            records = await wait_all_ended(Outbox(redis), ids, 60)
        finally:
            runner.stop()
            await redis.aclose()
            proc.kill()
        tally = reconcile_registrations(hotline.db, records, len(ids), marker)
    _report(capsys, tally.line("redis-server killed between accept and apply"))
    assert (tally.applied, tally.duplicates, tally.lost) == (100, 0, 0)


async def test_a_thousand_concurrent_dispatches_with_ten_percent_failures_reconcile(
    redis: Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import REDIS_URL

    marker = f"千件{uuid.uuid4().hex[:6]}-"
    with (
        standin("hotline", tmp_path / "hotline.sqlite", "--failure-rate", "0.1") as hotline,
        standin("grid", tmp_path / "grid.sqlite") as grid,
    ):
        workers = [worker(REDIS_URL, hotline.url, grid.url, MINYI_MAX_ATTEMPTS="6") for _ in range(2)]
        try:
            service = _service(redis, hotline.url, grid.url)
            ids = await _accept(service, [_registration(f"{marker}{i}") for i in range(1000)])
            records = await wait_all_ended(service.outbox, ids, 180)
        finally:
            for w in workers:
                w.stop()
        tally = reconcile_registrations(hotline.db, records, len(ids), marker)
    _report(capsys, tally.line("1000 concurrent, 10% legacy failures"))
    assert tally.applied + tally.failed == 1000
    assert (tally.duplicates, tally.lost) == (0, 0)
