"""``minyi gateway --workers N``: one replica served by N processes on one port, and its graceful shutdown.

The parent process serves nothing: it starts N workers — the same command line again, marked as workers by
``MINYI_GATEWAY_WORKER_OF`` in their environment — and each worker binds the port itself with ``SO_REUSEPORT``,
so the kernel spreads new connections over them (no shared accept lock, no proxy in between). The workers'
Prometheus series live in files of one directory (``PROMETHEUS_MULTIPROC_DIR``, made by the parent), so a scrape
of any worker answers for all of them (:mod:`gateway.metrics`).

SIGHUP goes on to every worker (``--subgraphs``: recompose now). Shutdown: on SIGTERM (or SIGINT) the parent sends SIGTERM to every worker; each one — after ``drain_s`` seconds
of answering ``/health`` with 503 while still serving, when set (:class:`DrainingServer`) — stops accepting, finishes
the requests in flight within its bound (``shutdown_timeout_s``, uvicorn's graceful shutdown), then exits; a
worker still running ``shutdown_timeout_s + KILL_GRACE_S`` later is killed. A worker that dies on its own takes
the replica down — the others are stopped the same way and the parent exits 1 — so that the platform (systemd,
Kubernetes) restarts it while the load balancer's health checks send traffic to the other replicas.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from types import FrameType

import uvicorn

__all__ = ["KILL_GRACE_S", "WORKER_ENV", "DrainingServer", "reuse_port_socket", "run_workers"]

log = logging.getLogger("minyi.gateway")

WORKER_ENV = "MINYI_GATEWAY_WORKER_OF"  # set in a worker's environment: the parent's pid
METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"
KILL_GRACE_S = 10.0


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` that other processes may bind too (``SO_REUSEPORT``)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


class DrainingServer(uvicorn.Server):
    """uvicorn's server, draining first when ``drain_s`` > 0: on SIGTERM it calls ``on_drain`` (``/health`` then
    answers 503, so that the load balancer stops sending), serves on for ``drain_s`` seconds, and only then stops
    accepting and finishes its requests in flight. A second signal shuts down at once (gracefully)."""

    def __init__(self, config: uvicorn.Config, *, drain_s: float = 0.0, on_drain: Callable[[], None]) -> None:
        super().__init__(config)
        self._drain_s = drain_s
        self._on_drain = on_drain
        self._draining = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._drain_s <= 0 or self._draining:
            super().handle_exit(sig, frame)
            return
        self._draining = True
        self._on_drain()
        log.info("draining for %g s before closing the port", self._drain_s)
        later = threading.Timer(self._drain_s, super().handle_exit, (sig, None))
        later.daemon = True
        later.start()


def run_workers(
    count: int, argv: Sequence[str], env: Mapping[str, str], *, shutdown_timeout_s: float, drain_s: float = 0.0
) -> int:
    """Run ``argv`` as ``count`` worker processes until SIGTERM/SIGINT or until one dies; the exit code."""
    metrics_dir = tempfile.mkdtemp(prefix="minyi-gateway-metrics-")
    worker_env = {**env, WORKER_ENV: str(os.getpid()), METRICS_ENV: metrics_dir}
    stopping = threading.Event()
    exited = threading.Event()
    workers: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():  # a second signal: on to the workers (a draining worker then shuts down at once)
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
        stopping.set()
        exited.set()

    def child_exited(signum: int, frame: FrameType | None) -> None:
        exited.set()

    def reload(signum: int, frame: FrameType | None) -> None:  # SIGHUP: every worker recomposes
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGHUP)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    previous[signal.SIGCHLD] = signal.signal(signal.SIGCHLD, child_exited)
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, reload)
    try:
        for _ in range(count):
            workers.append(subprocess.Popen(list(argv), env=dict(worker_env)))
        log.info("gateway: %d worker processes (pids %s)", count, ", ".join(str(w.pid) for w in workers))
        died: subprocess.Popen[bytes] | None = None
        while died is None and not stopping.is_set():
            exited.wait(1.0)
            exited.clear()
            died = next((w for w in workers if w.poll() is not None), None)
        if died is not None and not stopping.is_set():
            log.error("gateway worker %d exited with %s: stopping the replica", died.pid, died.returncode)
        else:
            log.info("gateway: stopping %d workers (in-flight requests get up to %g s)", count, shutdown_timeout_s)
        codes = _stop(workers, drain_s + shutdown_timeout_s + KILL_GRACE_S)
        return 1 if died is not None and not stopping.is_set() else max(codes, default=0)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _stop(workers, KILL_GRACE_S)
        shutil.rmtree(metrics_dir, ignore_errors=True)  # the series of this run of the replica


def _stop(workers: list[subprocess.Popen[bytes]], bound_s: float) -> list[int]:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    codes = []
    for worker in workers:
        try:
            codes.append(worker.wait(bound_s))
        except subprocess.TimeoutExpired:
            log.warning("gateway worker %d did not stop within %g s: killed", worker.pid, bound_s)
            worker.kill()
            codes.append(worker.wait())
    return [0 if code in (0, -signal.SIGTERM) else 1 for code in codes]
