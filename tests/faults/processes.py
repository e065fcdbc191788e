"""Real processes for the fault tests: legacy stand-ins, outbox workers and a redis-server of their own, each
started with the project's own commands and stopped (or killed) by the test that started it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.servers import free_port

__all__ = ["Proc", "Standin", "count_rows", "redis_server", "standin", "worker"]

CLI = (sys.executable, "-m", "minyi.cli")


@dataclass
class Proc:
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Proc:
        self.popen = subprocess.Popen(
            self.argv, env={**os.environ, **self.env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return self

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_http(url: str, proc: Proc, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.popen is not None and proc.popen.poll() is None, f"{proc.argv} exited"
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout_s}s")


@dataclass
class Standin:
    name: str
    port: int
    db: Path
    extra: tuple[str, ...] = ()
    proc: Proc | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Standin:
        argv = (*CLI, "legacy", self.name, "--port", str(self.port), "--db", str(self.db), *self.extra)
        self.proc = Proc(argv).start()
        _wait_http(f"{self.url}/_admin/stats", self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()

    def faults(self, **body: Any) -> None:
        import json

        request = urllib.request.Request(
            f"{self.url}/_admin/faults", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).close()


@contextmanager
def standin(name: str, db: Path, *extra: str) -> Iterator[Standin]:
    server = Standin(name, free_port(), db, extra).start()
    try:
        yield server
    finally:
        server.kill()


def worker(redis_url: str, hotline: str, grid: str, **env: str) -> Proc:
    settings = {
        "MINYI_RETRY_BASE_S": "0.3",
        "MINYI_RETRY_CAP_S": "3",
        "MINYI_MAX_ATTEMPTS": "40",
        "MINYI_WORKER_CLAIM_IDLE_MS": "1500",
        "MINYI_WORKER_LEASE_MS": "3000",
        **env,
    }
    argv = (*CLI, "worker", "--redis-url", redis_url, "--hotline-url", hotline, "--grid-url", grid)
    return Proc(argv, settings).start()


@contextmanager
def redis_server(data: Path) -> Iterator[tuple[str, Proc]]:
    """A redis-server of the test's own, with AOF fsynced on every write, on a free port; restartable with
    :func:`restart_redis` (same port, same directory)."""
    port = free_port()
    proc = _redis(port, data)
    try:
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        proc.kill()


def _redis(port: int, data: Path) -> Proc:
    data.mkdir(parents=True, exist_ok=True)
    argv = (
        "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data), "--save", "",
        "--appendonly", "yes", "--appendfsync", "always",
    )  # fmt: skip
    proc = Proc(argv).start()
    deadline = time.monotonic() + 10
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("redis-server did not start")


def restart_redis(proc: Proc, data: Path) -> Proc:
    port = int(proc.argv[proc.argv.index("--port") + 1])
    proc.kill()
    return _redis(port, data)


def count_rows(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()
