"""A legacy system hangs under 20 concurrent citizen views (SIGSTOP on its stand-in, a real process), then
comes back (SIGCONT): its circuit opens, calls to it are short-circuited instead of waiting for the timeout, every
view is answered — partial, naming the system, never failed — and the circuit closes again once it answers.

Asserted with counters and events only; the figures (p99 and throughput during the hang, time to rejoin) are
printed for the CI log and measured against their targets in ``bench/legacy_hang.py``."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL
from tests.faults.legacy_hang import HUNG, citizen_stack, run_hang

pytestmark = pytest.mark.slow

OFFSET = int(os.environ.get("MINYI_TEST_PORT_OFFSET", "0") or 0) + 150


def _metric(text: str, name: str) -> float:
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f'{name}{{system="{HUNG}"}}')]
    return float(line.rsplit(" ", 1)[1])


def test_a_hung_legacy_system_is_short_circuited_and_rejoins_when_it_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with citizen_stack(tmp_path, REDIS_URL, OFFSET, clients=20) as stack:
        report = asyncio.run(run_hang(stack))
        metrics = asyncio.run(_scrape(f"{stack.subgraph_url}/metrics"))
    with capsys.disabled():  # the figures reach the CI log even when the test passes
        print(f"\n[legacy hang] {report.figures()}")

    assert report.count("failed") == 0  # answers are partial, never failed
    partial = [v for v in report.views if v.kind == "partial"]
    assert partial and all(set(v.codes) == {"LEGACY_UNAVAILABLE"} for v in partial), partial[:3]
    during = report.circuit_during
    assert during["opened"] >= 1 and during["short_circuited"] >= 20
    after = report.circuit_after
    assert after["state"] == "closed" and after["closed"] >= 1
    whole_after = [v for v in report.views if v.kind == "whole" and v.started >= report.resumed_at]
    assert len(whole_after) >= 20
    # the same story in the subgraph's Prometheus series
    assert _metric(metrics, "minyi_legacy_circuit_opened_total") >= 1
    assert _metric(metrics, "minyi_legacy_short_circuited_total") >= 20
    assert _metric(metrics, "minyi_legacy_circuit_closed_total") >= 1
    assert _metric(metrics, "minyi_legacy_circuit_state") == 0


async def _scrape(url: str) -> str:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return await resp.text()
