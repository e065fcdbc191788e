"""``minyi compose``, ``minyi check`` and ``minyi gateway --subgraphs`` as an integrator runs them: real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from schema.breaking import find_schema_changes
from schema.supergraph import load_supergraph
from tests.gateway import recompose
from tests.support.servers import BackgroundServer, free_port, serve_asgi

REPO = Path(__file__).resolve().parents[2]
CLI = (sys.executable, "-m", "minyi.cli")


def minyi(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd)


def write_files_config(folder: Path, **subgraphs: str) -> Path:
    """A config whose subgraphs read their SDL from copies of the recompose fixtures (name = fixture file)."""
    lines = []
    for name, fixture in subgraphs.items():
        (folder / f"{name}.graphql").write_text(recompose.sdl(fixture), encoding="utf-8")
        lines.append(f'[subgraphs.{name}]\nurl = "http://127.0.0.1:4009/graphql"\nsdl = "{name}.graphql"\n')
    config = folder / "subgraphs.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def test_compose_refuses_a_config_it_cannot_read(tmp_path: Path) -> None:
    missing = minyi("compose", "--config", str(tmp_path / "absent.toml"))
    assert missing.returncode == 1
    assert "cannot read the subgraphs: subgraph config" in missing.stderr and "does not exist" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[subgraphs.mailbox]\nurl = 'mailbox'\n", encoding="utf-8")
    refused = minyi("check", "--config", str(bad))
    assert refused.returncode == 1
    assert "[subgraphs.mailbox]: url must be an http(s) URL, not 'mailbox'" in refused.stderr


def test_gateway_takes_a_supergraph_or_subgraphs_not_both(tmp_path: Path) -> None:
    both = minyi("gateway", "--supergraph", "schema/supergraph.graphql", "--subgraphs", "subgraphs.toml")
    assert both.returncode == 2 and "either --supergraph or --subgraphs" in both.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("poll_interval_s = 1\n", encoding="utf-8")
    refused = minyi("gateway", "--subgraphs", str(bad), "--port", str(free_port()))
    assert refused.returncode == 1
    assert f"cannot compose the subgraphs of {bad}" in refused.stderr and "names no subgraphs" in refused.stderr


def test_compose_writes_the_projects_supergraph_offline(tmp_path: Path) -> None:
    output = tmp_path / "supergraph.graphql"
    done = minyi("compose", "--config", "subgraphs.toml", "-o", str(output))
    assert done.returncode == 0, done.stderr
    assert f"composed hotline, petition, board, grid, appeals, suggestion into {output}" in done.stderr
    composed = load_supergraph(output.read_text(encoding="utf-8"))
    assert dict(composed.subgraph_urls) == {
        name: f"http://127.0.0.1:{port}/graphql"
        for name, port in (
            ("hotline", 4001),
            ("petition", 4002),
            ("board", 4003),
            ("grid", 4004),
            ("appeals", 4005),
            ("suggestion", 4006),
        )
    }
    checked_in = load_supergraph((REPO / "schema" / "supergraph.graphql").read_text(encoding="utf-8"))
    assert find_schema_changes(checked_in.api_schema, composed.api_schema) == ()


def test_check_of_the_projects_subgraphs_against_the_checked_in_supergraph_passes() -> None:
    done = minyi("check", "--config", "subgraphs.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the subgraphs compose (hotline, petition, board, grid, appeals, suggestion)" in done.stdout
    assert "no breaking changes" in done.stdout


def test_check_against_the_previous_release_lists_its_renames_as_deprecations_not_removals() -> None:
    previous = REPO / "tests" / "schema" / "fixtures" / "supergraph-previous-release.graphql"
    done = minyi("check", "--config", "subgraphs.toml", "--against", str(previous))
    report = done.stdout
    assert "~ [FIELD_DEPRECATED] HotlineTicket.cityState is deprecated (Use sourceStatus.)" in report, report
    assert "~ [FIELD_DEPRECATED] BoardMessage.typeName is deprecated" in report
    assert "~ [ARG_DEPRECATED] Query.hotlineTickets(status:) is deprecated (Use filter.)" in report
    assert "REMOVED]" not in report
    # the one breaking change of the release (the hotline's text reply became the shared reply object) fails it
    assert "1 breaking change:" in report and "HotlineTicket.reply changed type" in report
    assert done.returncode == 1


def test_compose_reports_every_error_located_and_exits_1(tmp_path: Path) -> None:
    config = write_files_config(tmp_path, alpha="alpha", beta="beta_broken")
    done = minyi("compose", "--config", str(config), "-o", str(tmp_path / "out.graphql"))
    assert done.returncode == 1
    assert "composition failed with" in done.stderr
    assert "[INVALID_FIELD_SHARING]" in done.stderr and "Item.name" in done.stderr
    assert not (tmp_path / "out.graphql").exists()


def test_check_passes_when_nothing_breaks(tmp_path: Path) -> None:
    config = write_files_config(tmp_path, alpha="alpha", beta="beta")
    against = tmp_path / "checked-in.graphql"
    against.write_text(recompose.sdl("supergraph_alpha_beta"), encoding="utf-8")
    done = minyi("check", "--config", str(config), "--against", str(against))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no breaking changes" in done.stdout


def test_check_fails_on_removed_fields_with_a_readable_report(tmp_path: Path) -> None:
    config = write_files_config(tmp_path, alpha="alpha", beta="beta")  # gamma is gone
    against = tmp_path / "checked-in.graphql"
    against.write_text(recompose.sdl("supergraph_alpha_beta_gamma"), encoding="utf-8")
    done = minyi("check", "--config", str(config), "--against", str(against))
    assert done.returncode == 1
    assert "2 breaking changes:" in done.stdout
    assert "[FIELD_REMOVED] Field Item.stock was removed" in done.stdout
    assert "[FIELD_REMOVED] Field Query.warehouse was removed" in done.stdout


def test_check_fails_on_composition_errors(tmp_path: Path) -> None:
    config = write_files_config(tmp_path, alpha="alpha", beta="beta_broken")
    done = minyi("check", "--config", str(config), "--against", str(REPO / "schema" / "supergraph.graphql"))
    assert done.returncode == 1 and "[INVALID_FIELD_SHARING]" in done.stderr


@pytest.fixture
def live_subgraphs() -> Iterator[dict[str, BackgroundServer]]:
    servers = {
        "alpha": serve_asgi(recompose.alpha),
        "beta": serve_asgi(recompose.beta),
        "gamma": serve_asgi(recompose.gamma),
    }
    yield servers
    for server in servers.values():
        server.stop()


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return orjson.loads(resp.read())


def _post(url: str, query: str) -> Any:
    request = urllib.request.Request(
        url, data=orjson.dumps({"query": query}), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return orjson.loads(resp.read())


def _wait_for(probe: Any, proc: subprocess.Popen[str], what: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            answer = probe()
        except (urllib.error.URLError, OSError):
            answer = None
        if answer is not None:
            return answer
        time.sleep(0.1)
    pytest.fail(f"{what}: " + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "no answer"))


def test_the_gateway_composes_its_subgraphs_and_recomposes_on_sighup(
    tmp_path: Path, live_subgraphs: dict[str, BackgroundServer]
) -> None:
    config = tmp_path / "subgraphs.toml"

    def write(*names: str) -> None:
        config.write_text(
            "poll_interval_s = 3600\n"
            + "".join(f'[subgraphs.{n}]\nurl = "{live_subgraphs[n].url}/graphql"\n' for n in names),
            encoding="utf-8",
        )

    write("alpha", "beta")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [*CLI, "gateway", "--subgraphs", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = _wait_for(lambda: _get(f"{base}/health"), proc, "the gateway did not start")
        assert first["status"] == "ok"
        assert _post(f"{base}/graphql", "{ items { id price } }") == {
            "data": {"items": [{"id": "1", "price": 10}, {"id": "2", "price": 20}]}
        }
        write("alpha", "beta", "gamma")
        os.kill(proc.pid, signal.SIGHUP)

        def recomposed() -> Any:
            health = _get(f"{base}/health")
            return health if health["schema"] != first["schema"] else None

        changed = _wait_for(recomposed, proc, "SIGHUP did not recompose")
        assert changed["status"] == "ok"
        assert _post(f"{base}/graphql", "{ warehouse }") == {"data": {"warehouse": "north"}}
    finally:
        proc.terminate()
        proc.wait(15)
        if proc.stderr is not None:
            proc.stderr.close()
