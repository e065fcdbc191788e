"""``minyi gateway --workers N``: N processes serve one port, and SIGTERM is a graceful shutdown — stop accepting,
finish the requests in flight within the bound, exit. Real processes; every wait is for an event."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest

from tests.conftest import REDIS_URL
from tests.support.gateway_process import BoardSubgraph, GatewayProcess, ask, parent_of

pytestmark = pytest.mark.slow

SHARED = {"MINYI_REDIS_URL": REDIS_URL}  # workers share login sessions and keys through Redis


@pytest.fixture
def board() -> Iterator[BoardSubgraph]:
    subgraph = BoardSubgraph()
    yield subgraph
    subgraph.stop()


@pytest.fixture
def started(board: BoardSubgraph, tmp_path: Path) -> Iterator[list[GatewayProcess]]:
    running: list[GatewayProcess] = []
    yield running
    for gateway in running:
        gateway.stop()


def _gateway(
    board: BoardSubgraph, started: list[GatewayProcess], tmp_path: Path, *args: str, **env: str
) -> GatewayProcess:
    gateway = GatewayProcess(board.url, env=dict(env), args=args, log=tmp_path / "gateway.log").start()
    started.append(gateway)
    gateway.wait_healthy()
    return gateway


def _every_worker_answers(gateway: GatewayProcess, workers: int) -> set[int]:
    """The workers' pids, once each has answered /health (the kernel spreads new connections over them)."""
    seen: set[int] = set()
    for _ in range(2000):
        seen.add(gateway.health()["process"])
        if len(seen) == workers:
            break
    assert len(seen) == workers
    return seen


def _refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:  # queued at a listener as it closed: not refused yet, probe again
        return False


def test_the_port_is_served_by_n_worker_processes_whose_metrics_add_up(
    board: BoardSubgraph, started: list[GatewayProcess], tmp_path: Path
) -> None:
    gateway = _gateway(board, started, tmp_path, "--workers", "2", **SHARED)
    seen = _every_worker_answers(gateway, 2)
    assert {parent_of(pid) for pid in seen} == {gateway.pid}  # both are workers of the one gateway command

    for _ in range(12):
        status, body = ask(gateway.url)
        assert status == 200 and body == {"data": {"boardMessage": {"id": "B1"}}}
    with urllib.request.urlopen(f"{gateway.url}/metrics", timeout=30) as resp:
        metrics = resp.read().decode()
    (line,) = [ln for ln in metrics.splitlines() if ln.startswith('minyi_gateway_requests_total{operation="Board"')]
    assert float(line.rsplit(" ", 1)[1]) == 12  # a scrape of either worker counts the requests of both


def test_sigterm_stops_accepting_then_finishes_the_requests_in_flight_and_exits(
    board: BoardSubgraph, started: list[GatewayProcess], tmp_path: Path
) -> None:
    gateway = _gateway(board, started, tmp_path, "--workers", "2", **SHARED)
    board.hold()
    with ThreadPoolExecutor(4) as pool:
        answers = [pool.submit(ask, gateway.url, f"B{n}") for n in range(4)]
        assert board.wait_arrived(4)  # four requests in flight in the gateway

        gateway.terminate()
        for _ in range(1200):
            if _refuses_connections(gateway.port):
                break
            time.sleep(0.05)  # between probes
        assert _refuses_connections(gateway.port)  # no longer accepting…
        assert gateway.popen is not None and gateway.popen.poll() is None  # …yet still running: requests in flight
        board.release()
        results = [answer.result() for answer in answers]
    assert results == [(200, {"data": {"boardMessage": {"id": f"B{n}"}}}) for n in range(4)]
    assert gateway.wait() == 0


def test_requests_still_running_at_the_shutdown_bound_are_cut_and_the_gateway_exits(
    board: BoardSubgraph, started: list[GatewayProcess], tmp_path: Path
) -> None:
    gateway = _gateway(board, started, tmp_path, "--workers", "2", MINYI_GATEWAY_SHUTDOWN_TIMEOUT_S="1", **SHARED)
    board.hold()
    with ThreadPoolExecutor(2) as pool:
        answers = [pool.submit(ask, gateway.url, f"B{n}") for n in range(2)]
        assert board.wait_arrived(2)
        gateway.terminate()
        code = gateway.wait()  # returns while the subgraph still holds both requests: the bound, not the answers
        assert board.answered == 0
        board.release()
        outcomes = [answer.exception() or answer.result() for answer in answers]
    assert code == 0
    for outcome in outcomes:  # cut: the connection closed, or an error answer (HTTP 500) without the data
        if not isinstance(outcome, BaseException):
            _status, body = outcome
            assert (body.get("data") or {}).get("boardMessage") is None, outcome


def test_without_redis_the_gateway_serves_from_one_process(
    board: BoardSubgraph, started: list[GatewayProcess], tmp_path: Path
) -> None:
    gateway = _gateway(board, started, tmp_path, "--workers", "2", MINYI_REDIS_URL="", MINYI_AUTH_REDIS_URL="")
    assert gateway.health()["process"] == gateway.pid
    assert "one worker process, not 2" in (tmp_path / "gateway.log").read_text()


def test_with_a_drain_period_health_says_draining_while_requests_are_still_served(
    board: BoardSubgraph, started: list[GatewayProcess], tmp_path: Path
) -> None:
    gateway = _gateway(board, started, tmp_path, "--workers", "2", MINYI_GATEWAY_DRAIN_S="600", **SHARED)
    _every_worker_answers(gateway, 2)  # both workers serve before the SIGTERM
    gateway.terminate()
    seen: set[int] = set()
    for _ in range(2000):  # until both workers answer 503 draining
        try:
            gateway.health()
        except urllib.error.HTTPError as error:
            assert error.code == 503
            seen.add(orjson.loads(error.read())["process"])
            if len(seen) == 2:
                break
        time.sleep(0.05)
    assert len(seen) == 2
    assert ask(gateway.url, "B7") == (200, {"data": {"boardMessage": {"id": "B7"}}})  # still serving
    gateway.terminate()  # a second SIGTERM: no more draining
    assert gateway.wait() == 0
