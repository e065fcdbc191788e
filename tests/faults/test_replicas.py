"""Two gateway replicas (each ``--workers 2``) behind haproxy, sharing Redis, under steady load: a rolling restart
of both loses no request, and SIGKILL of one costs at most the requests it had in flight, which the test counts.

Real processes throughout (haproxy from Debian, the gateways as ``minyi gateway``); the subgraph behind them is
the test's own (:class:`~tests.support.gateway_process.BoardSubgraph`), one per replica, so that the test knows
which requests each replica has in flight. Every wait is for an event: a health check, haproxy's view of a
replica, a count of answers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL
from tests.support.gateway_process import BoardSubgraph, GatewayProcess, ask
from tests.support.haproxy import Haproxy, haproxy

pytestmark = pytest.mark.slow

CLIENTS = 8
SHARED = {
    "MINYI_REDIS_URL": REDIS_URL,  # login sessions, signing keys, the internal key: one for all replicas
    "MINYI_GATEWAY_SUBGRAPH_TIMEOUT_S": "120",  # requests held at the subgraph by the test wait for it
    # on SIGTERM, /health answers 503 for 3 s while still serving: haproxy (3 failed checks 500 ms apart) takes
    # the replica out before its port closes, so no connection is left in a closing listener's queue
    "MINYI_GATEWAY_DRAIN_S": "3",
}


@dataclass
class Load:
    """``CLIENTS`` clients asking through haproxy, one request after the other, each for its own message."""

    url: str
    sent: int = 0
    ok: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def client(self, number: int) -> None:
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            message = f"C{number}-{sequence}"
            with self.lock:
                self.sent += 1
            try:
                status, body = ask(self.url, message)
                good = status == 200 and body == {"data": {"boardMessage": {"id": message}}}
                reason = "" if good else f"HTTP {status}: {body!r:.200}"
            except OSError as error:
                good, reason = False, repr(error)
            with self.changed:
                if good:
                    self.ok += 1
                else:
                    self.failed += 1
                    self.failures.append(reason)
                self.changed.notify_all()

    def wait_until(self, check: Callable[[Load], bool], what: str, timeout_s: float = 240.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: check(self), timeout_s):
                raise AssertionError(f"never: {what} (sent {self.sent}, ok {self.ok}, failed {self.failed})")

    def more_answers(self, count: int) -> None:
        target = self.ok + count
        self.wait_until(lambda load: load.ok >= target, f"{count} more answers")


def _refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True
    except ConnectionResetError:  # queued as the port closed: probe again
        return False


@contextmanager
def steady_load(url: str) -> Iterator[Load]:
    load = Load(url)
    with ThreadPoolExecutor(CLIENTS) as pool:
        running = [pool.submit(load.client, n) for n in range(CLIENTS)]
        try:
            load.more_answers(50)  # steady before anything happens
            yield load
        finally:
            load.stop.set()
            for client in running:
                client.result()


def _replica(name: str, board: BoardSubgraph, folder: Path, port: int | None = None) -> GatewayProcess:
    gateway = GatewayProcess(board.url, env=SHARED, args=("--workers", "2"), log=folder / f"{name}.log")
    if port is not None:
        gateway.port = port
    return gateway.start()


@contextmanager
def replicas(folder: Path, boards: dict[str, BoardSubgraph]) -> Iterator[tuple[dict[str, GatewayProcess], Haproxy]]:
    running = {name: _replica(name, board, folder) for name, board in boards.items()}
    try:
        for gateway in running.values():
            gateway.wait_healthy()
        with haproxy([(name, g.port) for name, g in running.items()], folder) as lb:
            for name in running:
                lb.wait_for(name, "UP")
            yield running, lb
    finally:
        for gateway in running.values():
            gateway.stop()
        for board in boards.values():
            board.stop()


def test_a_rolling_restart_of_both_replicas_loses_no_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = BoardSubgraph()
    with replicas(tmp_path, {"r1": board, "r2": board}) as (running, lb), steady_load(lb.url) as load:
        for name in ("r1", "r2"):
            old = running[name]
            old.terminate()  # drain, stop accepting, finish what is in flight, exit
            lb.wait_for(name, "DOWN")  # while it drains
            assert old.wait() == 0
            load.more_answers(20)  # served by the other replica alone meanwhile
            running[name] = _replica(name, board, tmp_path, port=old.port)
            running[name].wait_healthy()
            lb.wait_for(name, "UP")
            load.more_answers(50)
    with capsys.disabled():  # the counts reach the CI log even when the test passes
        print(f"\n[replicas] rolling restart of 2: {load.sent} requests sent, {load.ok} answered, {load.failed} lost")
    assert load.failed == 0, load.failures[:5]
    assert load.ok == load.sent


def test_sigkill_of_one_replica_costs_at_most_its_requests_in_flight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    boards = {"r1": BoardSubgraph(), "r2": BoardSubgraph()}  # one each: who has what in flight is known
    with replicas(tmp_path, boards) as (running, lb), steady_load(lb.url) as load:
        for board in boards.values():
            board.hold()

        def held(board: BoardSubgraph) -> int:
            return board.arrived - board.answered

        for _ in range(4800):  # nothing completes while both hold: poll the subgraphs (up to 240 s)
            if held(boards["r1"]) + held(boards["r2"]) == CLIENTS:
                break
            time.sleep(0.05)
        assert held(boards["r1"]) + held(boards["r2"]) == CLIENTS  # every client has a request in flight
        in_flight = {name: held(board) for name, board in boards.items()}
        answered_before = load.ok
        running["r1"].kill()
        for _ in range(2400):  # until the kernel has closed r1's port: nothing can be queued there any more
            if _refused(running["r1"].port):
                break
            time.sleep(0.05)
        assert _refused(running["r1"].port)
        for board in boards.values():
            board.release()
        lb.wait_for("r1", "DOWN")
        load.more_answers(100)  # the survivor serves everything
    lost = load.failed
    with capsys.disabled():  # the counts reach the CI log even when the test passes
        print(
            f"\n[replicas] SIGKILL of r1 with {in_flight['r1']} requests in flight there ({in_flight['r2']} at r2): "
            f"{load.sent} requests sent, {load.ok} answered ({load.ok - answered_before} after the kill), "
            f"{lost} lost; {in_flight['r1'] - lost} of r1's were sent again by haproxy to r2"
        )
    assert lost <= in_flight["r1"], load.failures
    assert load.ok + load.failed == load.sent
