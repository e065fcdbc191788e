"""``minyi gateway`` and ``minyi plan`` as a user runs them: real processes, a supergraph from a file or a URL."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from aiohttp import web

from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
CLI = (sys.executable, "-m", "minyi.cli")


def minyi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def supergraph_server() -> Iterator[BackgroundServer]:
    """Serves the checked-in supergraph at /supergraph.graphql; anything else is 404."""

    def make() -> web.Application:
        app = web.Application()

        async def sdl(request: web.Request) -> web.Response:
            return web.Response(text=SUPERGRAPH.read_text(encoding="utf-8"))

        app.router.add_get("/supergraph.graphql", sdl)
        return app

    server = serve_aiohttp(make)
    yield server
    server.stop()


def test_an_unreachable_supergraph_url_is_a_clear_error_and_a_failing_exit() -> None:
    done = minyi("gateway", "--supergraph", f"http://127.0.0.1:{free_port()}/supergraph.graphql")
    assert done.returncode == 1
    assert "cannot load the supergraph: cannot fetch the supergraph from" in done.stderr


def test_a_supergraph_url_answering_404_is_refused(supergraph_server: BackgroundServer) -> None:
    done = minyi("gateway", "--supergraph", f"{supergraph_server.url}/nothing-here")
    assert done.returncode == 1
    assert "answered HTTP 404" in done.stderr


def test_an_invalid_supergraph_file_is_refused(tmp_path: Path) -> None:
    missing = minyi("gateway", "--supergraph", str(tmp_path / "absent.graphql"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    bogus = tmp_path / "bogus.graphql"
    bogus.write_text("type Query { hello: String }", encoding="utf-8")
    refused = minyi("gateway", "--supergraph", str(bogus))
    assert refused.returncode == 1 and "not a supergraph" in refused.stderr


def test_an_override_for_an_unknown_subgraph_is_refused() -> None:
    done = minyi("gateway", "--supergraph", str(SUPERGRAPH), "--subgraph-url", "fax=http://127.0.0.1:1/graphql")
    assert done.returncode == 1
    assert "no subgraph named 'fax'" in done.stderr


def test_the_gateway_serves_a_supergraph_fetched_from_a_url(supergraph_server: BackgroundServer) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "gateway", "--supergraph", f"{supergraph_server.url}/supergraph.graphql", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 30
        while health is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                    health = orjson.loads(resp.read())
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        assert health is not None, proc.stderr.read() if proc.poll() is not None and proc.stderr else "no answer"
        assert health["status"] == "ok"
        assert health["schema"] == hashlib.sha256(SUPERGRAPH.read_bytes()).hexdigest()
    finally:
        proc.terminate()
        proc.wait(15)
        if proc.stderr is not None:
            proc.stderr.close()


def test_plan_prints_the_query_plan() -> None:
    query = '{ citizen(phone: "13800000000") { hotlineTickets { id } petitions { id } } }'
    done = minyi("plan", "--supergraph", str(SUPERGRAPH), query)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("QueryPlan {")
    assert 'Fetch(service: "hotline")' in done.stdout and 'Fetch(service: "petition")' in done.stdout


def test_plan_refuses_an_invalid_query() -> None:
    done = minyi("plan", "--supergraph", str(SUPERGRAPH), "{ nope }")
    assert done.returncode == 1
    assert "Cannot query field 'nope'" in done.stderr
