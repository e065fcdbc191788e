"""haproxy (from Debian) in front of gateway replicas, as a test starts it: its own config, port and stats page.

The config is what the README's deployment section recommends: round robin over the replicas, an HTTP health
check of ``/health`` every 500 ms (3 failures take a replica out, 2 successes put it back; a loaded replica has
10 s to answer one; a refused connection of real traffic takes it out at once), and a request whose connection to a replica fails (refused: the replica has
stopped accepting, or reset as it closed) tried again on another replica. Without haproxy installed the tests
fail with a message saying how to install it; CI installs it (``.ci/run``).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port

__all__ = ["Haproxy", "haproxy"]

START_DEADLINE_S = 120.0

CONFIG = """
global
    maxconn 2000
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout http-request 30s
    timeout check 10s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    option http-server-close

frontend graphql
    bind 127.0.0.1:{port}
    default_backend gateways

frontend stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats

backend gateways
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server inter 500ms fall 3 rise 2 observe layer4 error-limit 1 on-error mark-down
{servers}
"""


@dataclass(frozen=True, slots=True)
class Haproxy:
    url: str
    stats_url: str

    def server_states(self) -> dict[str, str]:
        """Each replica's state as haproxy sees it (``UP``, ``DOWN``…), from its stats page."""
        with urllib.request.urlopen(f"{self.stats_url};csv", timeout=10) as resp:
            text = resp.read().decode().lstrip("# ")
        return {
            row["svname"]: row["status"]
            for row in csv.DictReader(io.StringIO(text))
            if row["pxname"] == "gateways" and row["svname"] not in ("BACKEND", "FRONTEND")
        }

    def wait_for(self, server: str, state: str, timeout_s: float = START_DEADLINE_S) -> None:
        deadline = time.monotonic() + timeout_s
        while self.server_states().get(server, "").split(" ")[0] != state:
            if time.monotonic() > deadline:
                raise AssertionError(f"haproxy never saw {server} {state}: {self.server_states()}")
            time.sleep(0.1)


def _binary() -> str:
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise AssertionError(
            "haproxy is not installed: these tests run gateway replicas behind it. Install it from Debian "
            "(apt-get install -y haproxy); .ci/run does so in CI."
        )
    return found


@contextmanager
def haproxy(replicas: Sequence[tuple[str, int]], folder: Path) -> Iterator[Haproxy]:
    """haproxy over ``replicas`` (name, port on 127.0.0.1), running until the block ends."""
    binary = _binary()
    port, stats_port = free_port(), free_port()
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} check" for name, p in replicas)
    config = folder / "haproxy.cfg"
    config.write_text(CONFIG.format(port=port, stats_port=stats_port, servers=servers), encoding="utf-8")
    check = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, f"haproxy refused its config: {check.stdout}{check.stderr}"
    with (folder / "haproxy.log").open("ab") as log:
        proc = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    running = Haproxy(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{stats_port}/stats")
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            assert proc.poll() is None, f"haproxy exited with {proc.returncode}"
            try:
                running.server_states()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError("haproxy did not answer on its stats page") from None
                time.sleep(0.1)
        yield running
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
