"""A legacy system that hangs under load, end to end with real processes: the scenario the fault test asserts
and ``bench/legacy_hang.py`` times.

:func:`citizen_stack` starts what a citizen view needs, each a real process with the project's own commands (the
demo's specs, :func:`minyi.demo.demo_processes`): the hotline and grid stand-ins (seeded), their subgraphs, and
the gateway with its embedded login, sharing a Redis; it waits for every health check (a generous deadline: the
machine may be loaded), then logs the demo citizen (杜玲) in once per client. :func:`run_hang` loads it with
``clients`` concurrent citizen views, then stops the hotline stand-in with SIGSTOP (it accepts connections and
never answers, the worst kind of outage), and resumes it with SIGCONT. Every phase ends on an event, not a timer:
the hang lasts until the hotline subgraph's circuit has opened and short-circuited calls (then ``hold_s`` more
seconds of measurement), and the recovery until the circuit has closed and whole views are answered again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from auth.password_login import log_in_through
from auth.users import DEMO_PASSWORD
from minyi.demo import ProcessSpec, demo_processes

__all__ = ["CITIZEN_PHONE", "HangReport", "Stack", "View", "citizen_stack", "run_hang"]

CITIZEN_USER = "citizen"
CITIZEN_PHONE = "19939150008"  # 杜玲, the demo citizen: filings in every system (seed 1)
QUERY = (
    "query CitizenView($phone: String!) { citizen(phone: $phone) { personKey "
    "hotlineTickets { id trackingNo status } gridEvents { id trackingNo status } } }"
)
LABELS = ("legacy hotline", "legacy grid", "subgraph hotline", "subgraph grid", "gateway")
HUNG = "hotline"
START_DEADLINE_S = 240.0  # every process must answer its health check within this (a loaded 2-core machine)
EVENT_DEADLINE_S = 120.0  # the longest wait for an event of the scenario before the run fails


@dataclass(frozen=True, slots=True)
class Stack:
    gateway_url: str
    subgraph_url: str  # the hung system's subgraph (its /health and /metrics)
    hung: subprocess.Popen[bytes]  # the stand-in that hangs
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class View:
    """One citizen view: when it started and ended (monotonic seconds) and what came back."""

    started: float
    ended: float
    kind: str  # "whole" (no errors), "partial" (data with errors), "failed" (no citizen, or not HTTP 200)
    codes: tuple[str, ...] = ()  # extensions.code of its errors
    services: tuple[str, ...] = ()  # extensions.service of its errors


@dataclass
class HangReport:
    views: list[View] = field(default_factory=list)
    steady: tuple[float, float] = (0.0, 0.0)  # the steady window
    stopped_at: float = 0.0  # SIGSTOP
    resumed_at: float = 0.0  # SIGCONT
    ended_at: float = 0.0
    circuit_during: dict[str, Any] = field(default_factory=dict)  # the hung system's breaker at SIGCONT
    circuit_after: dict[str, Any] = field(default_factory=dict)  # and at the end

    def count(self, kind: str) -> int:
        return sum(1 for v in self.views if v.kind == kind)

    def steady_rate(self) -> float:
        start, end = self.steady
        return sum(1 for v in self.views if start <= v.ended < end) / (end - start)

    def hang_window(self, settle_s: float = 2.0) -> tuple[float, float]:
        """From ``settle_s`` after the hang began to its end."""
        return self.stopped_at + settle_s, self.resumed_at

    def hang_rate(self, settle_s: float = 2.0) -> float:
        start, end = self.hang_window(settle_s)
        return sum(1 for v in self.views if start <= v.ended < end) / (end - start)

    def hang_p99_s(self, settle_s: float = 2.0) -> float:
        start, end = self.hang_window(settle_s)
        latencies = sorted(v.ended - v.started for v in self.views if start <= v.started < end)
        return latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")

    def steady_p99_s(self) -> float:
        start, end = self.steady
        latencies = sorted(v.ended - v.started for v in self.views if start <= v.started < end)
        return latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")

    def rejoin_s(self) -> float:
        """From SIGCONT to the end of the first whole view that started after it."""
        after = [v.ended for v in self.views if v.kind == "whole" and v.started >= self.resumed_at]
        return min(after) - self.resumed_at if after else float("nan")

    def figures(self) -> str:
        ratio = self.hang_rate() / self.steady_rate()
        return (
            f"views: {len(self.views)} ({self.count('whole')} whole, {self.count('partial')} partial, "
            f"{self.count('failed')} failed); steady {self.steady_rate():.1f} views/s, p99 "
            f"{self.steady_p99_s() * 1000:.0f} ms; from 2 s after SIGSTOP to SIGCONT "
            f"({self.resumed_at - self.stopped_at - 2:.1f} s): {self.hang_rate():.1f} views/s ({ratio:.0%} of steady), "
            f"p99 {self.hang_p99_s() * 1000:.0f} ms; rejoined {self.rejoin_s():.2f} s after SIGCONT; "
            f"{HUNG} circuit at SIGCONT: {self.circuit_during}; at the end: {self.circuit_after}"
        )


@contextmanager
def citizen_stack(data_dir: Path, redis_url: str, offset: int, *, clients: int = 20, **env: str) -> Iterator[Stack]:
    """The processes of a citizen view over the hotline and grid, up, with ``clients`` logins; stopped on exit.
    ``env`` goes to the subgraphs (e.g. ``MINYI_LEGACY_TIMEOUT_S``)."""
    specs = [s for s in demo_processes(data_dir, 1, redis_url, offset) if s.label in LABELS]
    procs: dict[str, subprocess.Popen[bytes]] = {}
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        for spec in specs:
            extra = env if spec.label.startswith("subgraph") else {}
            with (log_dir / f"{spec.label.replace(' ', '-')}.log").open("wb") as out:  # the child keeps its own
                procs[spec.label] = subprocess.Popen(
                    spec.argv, env={**os.environ, **dict(spec.env), **extra}, stdout=out, stderr=subprocess.STDOUT
                )
        asyncio.run(_all_healthy(specs, procs))
        gateway = next(s for s in specs if s.label == "gateway")
        subgraph = next(s for s in specs if s.label == f"subgraph {HUNG}")
        gateway_url = f"http://127.0.0.1:{gateway.port}"
        tokens = asyncio.run(_tokens(gateway_url, clients))
        yield Stack(gateway_url, f"http://127.0.0.1:{subgraph.port}", procs[f"legacy {HUNG}"], tokens)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)  # a stopped process cannot handle SIGTERM
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _all_healthy(specs: list[ProcessSpec], procs: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        for spec in specs:
            while True:
                proc = procs[spec.label]
                if proc.poll() is not None:
                    raise RuntimeError(f"{spec.label} exited with {proc.returncode} before answering its health check")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{spec.label} did not answer {spec.health_url} in {START_DEADLINE_S:g} s")
                try:
                    async with http.get(spec.health_url) as resp:
                        if resp.status == 200:
                            break
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.2)


async def _tokens(gateway_url: str, count: int) -> tuple[str, ...]:
    tokens = []
    for _ in range(count):
        answer = await log_in_through(
            gateway_url, CITIZEN_USER, DEMO_PASSWORD, redirect_uri=f"{gateway_url}/portal/callback", timeout_s=60
        )
        tokens.append(str(answer["access_token"]))
    return tuple(tokens)


def _view(started: float, status: int, raw: bytes) -> View:
    ended = time.monotonic()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return View(started, ended, "failed")
    citizen = (body.get("data") or {}).get("citizen") if isinstance(body, dict) else None
    if status != 200 or not citizen:
        return View(started, ended, "failed")
    errors = body.get("errors") or []
    if not errors:
        return View(started, ended, "whole")
    extensions = [e.get("extensions") or {} for e in errors]
    return View(
        started,
        ended,
        "partial",
        tuple(str(x.get("code")) for x in extensions),
        tuple(str(x.get("service")) for x in extensions),
    )


async def circuit(stack: Stack, http: aiohttp.ClientSession) -> dict[str, Any]:
    """The hung system's breaker as its subgraph's ``/health`` shows it."""
    async with http.get(f"{stack.subgraph_url}/health") as resp:
        health = orjson.loads(await resp.read())
    (entry,) = [e for e in health["legacy"] if e["system"] == HUNG]
    return dict(entry)


async def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + EVENT_DEADLINE_S
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {EVENT_DEADLINE_S:g} s: {what}")
        await asyncio.sleep(0.1)


async def run_hang(stack: Stack, *, steady_s: float = 5.0, hold_s: float = 4.0) -> HangReport:
    """The scenario: warm up, ``steady_s`` of steady load, SIGSTOP until the circuit opened and short-circuited
    (plus ``hold_s``), SIGCONT until it closed and whole views came back; the views and events in a report."""
    report = HangReport()
    stop = asyncio.Event()
    payload = orjson.dumps({"query": QUERY, "variables": {"phone": CITIZEN_PHONE}, "operationName": "CitizenView"})
    url = f"{stack.gateway_url}/graphql"
    connector = aiohttp.TCPConnector(limit=len(stack.tokens) + 4)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def client(token: str) -> None:
            headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
            while not stop.is_set():
                started = time.monotonic()
                try:
                    async with http.post(url, data=payload, headers=headers) as resp:
                        raw = await resp.read()
                        report.views.append(_view(started, resp.status, raw))
                except (aiohttp.ClientError, TimeoutError):
                    report.views.append(View(started, time.monotonic(), "failed"))

        load = [asyncio.create_task(client(token)) for token in stack.tokens]
        try:
            warm = len(stack.tokens) * 3

            async def warmed() -> bool:
                return report.count("whole") >= warm

            await _until(warmed, f"{warm} whole views before the hang")
            start = time.monotonic()
            await asyncio.sleep(steady_s)
            report.steady = (start, time.monotonic())

            report.stopped_at = time.monotonic()
            stack.hung.send_signal(signal.SIGSTOP)

            async def opened_and_refusing() -> bool:
                state = await circuit(stack, http)
                return bool(state["opened"] >= 1 and state["short_circuited"] >= len(stack.tokens))

            await _until(opened_and_refusing, f"the {HUNG} circuit opened and short-circuited calls")
            await asyncio.sleep(hold_s)
            report.circuit_during = await circuit(stack, http)
            report.resumed_at = time.monotonic()
            stack.hung.send_signal(signal.SIGCONT)

            async def rejoined() -> bool:
                state = await circuit(stack, http)
                back = sum(1 for v in report.views if v.kind == "whole" and v.started >= report.resumed_at)
                return bool(state["state"] == "closed" and state["closed"] >= 1 and back >= len(stack.tokens))

            await _until(rejoined, f"the {HUNG} circuit closed and whole views came back")
        finally:
            if stack.hung.poll() is None:
                stack.hung.send_signal(signal.SIGCONT)
            stop.set()
            await asyncio.gather(*load, return_exceptions=True)
        report.ended_at = time.monotonic()
        report.circuit_after = await circuit(stack, http)
    return report
