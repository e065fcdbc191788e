"""A private redis-server for a test run: started on a free loopback port when no ``MINYI_TEST_REDIS_URL`` is
configured, so the README's test command needs no Redis running beforehand (and never touches one on 6379).

:func:`start_private_redis` runs ``redis-server`` without persistence in a temporary folder and waits for it to
answer ``PING``; :class:`RedisServerMissing` says how to install the binary when it is not on ``PATH``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTALL_HINT", "PrivateRedis", "RedisServerMissing", "start_private_redis"]

INSTALL_HINT = (
    "install redis-server (Debian/Ubuntu: `sudo apt-get install redis-server`; Fedora: `sudo dnf install redis`; "
    "macOS: `brew install redis`), or point MINYI_TEST_REDIS_URL at a Redis whose database the tests may empty"
)


class RedisServerMissing(RuntimeError):
    """``redis-server`` is not on ``PATH``."""


@dataclass
class PrivateRedis:
    process: subprocess.Popen[bytes]
    port: int
    folder: tempfile.TemporaryDirectory[str]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/15"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.folder.cleanup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_private_redis(binary: str = "redis-server") -> PrivateRedis:
    """A fresh redis-server on a free port, answering; raises :class:`RedisServerMissing` or ``RuntimeError``."""
    found = shutil.which(binary)
    if found is None:
        raise RedisServerMissing(f"the tests need redis-server and it is not installed: {INSTALL_HINT}")
    folder = tempfile.TemporaryDirectory(prefix="minyi-test-redis-")
    port = _free_port()
    argv = [found, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    argv += ["--dir", folder.name, "--logfile", str(Path(folder.name) / "redis.log")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = PrivateRedis(process, port, folder)
    for _ in range(200):  # waiting for a process to come up: up to 20 s on a loaded machine
        if _answers(port):
            return server
        if process.poll() is not None:
            break
        time.sleep(0.1)
    log = Path(folder.name, "redis.log")
    detail = log.read_text(errors="replace")[-500:] if log.exists() else ""
    server.stop()
    raise RuntimeError(f"the private redis-server on port {port} did not start: {detail}")
