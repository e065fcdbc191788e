"""``minyi gateway`` as a real process for tests, over one subgraph the test controls.

:class:`BoardSubgraph` is the board subgraph as far as the query :data:`BOARD_QUERY` goes (its plan is one fetch
to ``board``), served in a background thread: it counts the requests that arrived and can hold them until
released, so a test knows which requests are in flight. :class:`GatewayProcess` starts the gateway over the
checked-in supergraph with ``board`` pointed at it, and waits for ``/health`` (a generous deadline: the machine
may be loaded); it never sleeps to wait for anything.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

__all__ = ["BOARD_QUERY", "BoardSubgraph", "GatewayProcess", "ask", "parent_of"]

REPO = Path(__file__).resolve().parents[2]
SUPERGRAPH = REPO / "schema" / "supergraph.graphql"
BOARD_QUERY = "query Board($id: ID!) { boardMessage(id: $id) { id } }"
START_DEADLINE_S = 240.0


class BoardSubgraph:
    """Answers every request with the board message it asks for; ``hold()`` keeps requests waiting until ``release()``."""

    def __init__(self) -> None:
        self.arrived = 0
        self.answered = 0
        self._open = threading.Event()
        self._open.set()
        self._cond = threading.Condition()
        self.server: BackgroundServer = serve_aiohttp(self._app)
        self.url = f"{self.server.url}/graphql"

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/graphql", self._graphql)
        return app

    async def _graphql(self, request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        with self._cond:
            self.arrived += 1
            self._cond.notify_all()
        await asyncio.to_thread(self._open.wait)
        self.answered += 1
        return web.json_response({"data": {"boardMessage": {"id": body.get("variables", {}).get("id")}}})

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wait_arrived(self, count: int, timeout_s: float = 120.0) -> bool:
        """Wait until ``count`` requests have arrived; ``False`` (a pause of ``timeout_s``) when they did not."""
        with self._cond:
            return self._cond.wait_for(lambda: self.arrived >= count, timeout_s)

    def kill(self) -> None:
        """SIGKILL to the gateway and every worker of it at once: no chance to finish anything."""
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(60)

    def stop(self) -> None:
        self.release()
        self.server.stop()


@dataclass
class GatewayProcess:
    board_url: str
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    log: Path | None = None
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self) -> GatewayProcess:
        argv = [
            sys.executable, "-m", "minyi.cli", "gateway", "--port", str(self.port), "--supergraph", str(SUPERGRAPH),
            "--subgraph-url", f"board={self.board_url}", *self.args,
        ]  # fmt: skip
        out = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        try:
            environment = {k: v for k, v in {**os.environ, **self.env}.items() if v != ""}  # "": left unset
            self.popen = subprocess.Popen(
                argv, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )  # its own process group: kill() takes the workers with it, as when a machine dies
        finally:
            if self.log is not None and not isinstance(out, int):
                out.close()
        return self

    def wait_healthy(self) -> dict[str, Any]:
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise AssertionError(f"the gateway exited with {self.popen.returncode} before it was healthy")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as resp:
                    health: dict[str, Any] = orjson.loads(resp.read())
                    return health
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"the gateway did not answer /health in {START_DEADLINE_S:g} s") from None
                time.sleep(0.2)

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/health", timeout=30) as resp:
            found: dict[str, Any] = orjson.loads(resp.read())
            return found

    def terminate(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGTERM)

    def wait(self, timeout_s: float = 120.0) -> int:
        assert self.popen is not None
        return self.popen.wait(timeout_s)

    def kill(self) -> None:
        """SIGKILL to the gateway and every worker of it at once: no chance to finish anything."""
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(60)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(60)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def ask(url: str, message: str = "B1", timeout_s: float = 120.0) -> tuple[int, dict[str, Any]]:
    """POST :data:`BOARD_QUERY` for ``message`` on a new connection: the HTTP status and the body. (Requests for
    different messages are distinct subgraph calls: identical ones in flight would share one.)"""
    body = orjson.dumps({"query": BOARD_QUERY, "operationName": "Board", "variables": {"id": message}})
    request = urllib.request.Request(f"{url}/graphql", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as resp:
            return resp.status, orjson.loads(resp.read())
    except urllib.error.HTTPError as error:  # haproxy's own error pages are HTML
        raw = error.read()
        try:
            return error.code, orjson.loads(raw)
        except orjson.JSONDecodeError:
            return error.code, {"raw": raw.decode(errors="replace")[:200]}


def parent_of(pid: int) -> int:
    """The parent pid of ``pid`` (Linux ``/proc``)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
