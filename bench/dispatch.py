"""Write-through dispatch through the gateway: sustained dispatches per second and accept → APPLIED latency.

    .venv/bin/python bench/dispatch.py [--dispatches 600] [--concurrency 32] [--workers 2]

Starts its own processes, each with the project's own command: a redis-server (AOF, ``appendfsync everysec``) on a
free port, the hotline and grid stand-ins (``minyi legacy``), the appeals subgraph, the gateway (dev login) and
``--workers`` outbox workers (``minyi worker``). It logs in as the demo dispatcher through the gateway, sends
``--dispatches`` ``registerAppeal`` mutations with ``--concurrency`` clients, each with its own idempotency key,
and then reads every dispatch back from the outbox. Reported: mutations per second at the gateway (accepted),
dispatches APPLIED per second (first accept to last APPLIED), and the p50/p99 time from accept (the dispatch's
acceptance time) to APPLIED (when its last step was written). Not a test: it prints the table and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resolvers.dispatch import DispatchState, Outbox  # noqa: E402

CLI = (sys.executable, "-m", "minyi.cli")
MUTATION = """mutation Register($input: RegisterAppealInput!) {
  registerAppeal(input: $input) { dispatch { id state } userErrors { code message } }
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, deadline_s: float = 120) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def _wait_redis(port: int) -> None:
    end = time.monotonic() + 20
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _drive(url: str, token: str, count: int, concurrency: int) -> tuple[list[str], float, list[float]]:
    ids: list[str] = []
    latencies: list[float] = []
    slots = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {token}"}

    async def one(http: aiohttp.ClientSession, i: int) -> None:
        variables = {
            "input": {
                "title": f"压测诉求{i}",
                "content": "小区路灯不亮",
                "phone": "13800005555",
                "appealType": "HELP",
                "idempotencyKey": uuid.uuid4().hex,
            }
        }
        async with slots:
            started = time.perf_counter()
            async with http.post(url, json={"query": MUTATION, "variables": variables}, headers=headers) as resp:
                body: Any = await resp.json(content_type=None)
            latencies.append(time.perf_counter() - started)
        payload = (body.get("data") or {}).get("registerAppeal") or {}
        if payload.get("dispatch"):
            ids.append(payload["dispatch"]["id"].removeprefix("dispatch:"))
        else:
            print("refused:", body, file=sys.stderr)

    started = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(one(http, i) for i in range(count)))
    return ids, time.perf_counter() - started, latencies


async def _outcome(redis_url: str, ids: list[str], timeout_s: float) -> list[Any]:
    redis = Redis.from_url(redis_url)
    outbox = Outbox(redis)
    end = time.monotonic() + timeout_s
    try:
        while True:
            records = [await outbox.load(i) for i in ids]
            if all(r is not None and r.terminal for r in records) or time.monotonic() > end:
                return records
            await asyncio.sleep(0.5)
    finally:
        await redis.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dispatches", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("needs redis-server on PATH")
    data = Path(tempfile.mkdtemp(prefix="minyi-bench-dispatch-"))
    ports = {name: _free_port() for name in ("redis", "hotline", "grid", "appeals", "gateway")}
    redis_url = f"redis://127.0.0.1:{ports['redis']}/0"
    legacy = {name: f"http://127.0.0.1:{ports[name]}" for name in ("hotline", "grid")}
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    env = {
        **os.environ,
        "MINYI_REDIS_URL": redis_url,
        "MINYI_INTERNAL_JWKS_URL": f"{gateway}/internal/jwks",
        "MINYI_DEV": "1",  # the subgraph's development person-key secret
    }
    procs: list[subprocess.Popen[bytes]] = []

    def start(argv: tuple[str, ...], extra: dict[str, str] | None = None) -> None:
        procs.append(
            subprocess.Popen(argv, env={**env, **(extra or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )

    try:
        start(("redis-server", "--port", str(ports["redis"]), "--bind", "127.0.0.1", "--dir", str(data),
               "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"))  # fmt: skip
        _wait_redis(ports["redis"])
        for name in ("hotline", "grid"):
            start((*CLI, "legacy", name, "--port", str(ports[name]), "--db", str(data / f"{name}.sqlite")))
        for name in ("hotline", "grid"):
            _wait(f"{legacy[name]}/_admin/stats")
        start(
            (*CLI, "subgraph", "appeals", "--port", str(ports["appeals"]), "--systems", "hotline grid",
             "--legacy-url", f"hotline={legacy['hotline']}", "--legacy-url", f"grid={legacy['grid']}")
        )  # fmt: skip
        start(
            (*CLI, "gateway", "--port", str(ports["gateway"]), "--supergraph", str(ROOT / "schema/supergraph.graphql"),
             "--subgraph-url", f"appeals=http://127.0.0.1:{ports['appeals']}/graphql"),
            {"MINYI_AUTH_DEV": "1", "MINYI_AUTH_USERS_FILE": str(data / "users.json")},
        )  # fmt: skip
        for _ in range(args.workers):
            start(
                (
                    *CLI,
                    "worker",
                    "--redis-url",
                    redis_url,
                    "--hotline-url",
                    legacy["hotline"],
                    "--grid-url",
                    legacy["grid"],
                )
            )
        _wait(f"http://127.0.0.1:{ports['appeals']}/health")
        _wait(f"{gateway}/health")
        token = subprocess.run(
            (*CLI, "token", "dispatcher", "--dev", "--gateway", gateway),
            env={**env, "MINYI_AUTH_DEV": "1"}, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        asyncio.run(_drive(f"{gateway}/graphql", token, 20, 4))  # warm-up
        ids, elapsed, latencies = asyncio.run(_drive(f"{gateway}/graphql", token, args.dispatches, args.concurrency))
        records = asyncio.run(_outcome(redis_url, ids, 300))
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data, ignore_errors=True)
    applied = [r for r in records if r is not None and r.state is DispatchState.APPLIED]
    lags = [
        (datetime.fromisoformat(r.updated_at) - datetime.fromisoformat(r.created_at)).total_seconds() for r in applied
    ]
    first = min(datetime.fromisoformat(r.created_at) for r in applied)
    last = max(datetime.fromisoformat(r.updated_at) for r in applied)
    span = max((last - first).total_seconds(), 1e-9)
    print(f"dispatches={args.dispatches} concurrency={args.concurrency} workers={args.workers} cpus={os.cpu_count()}")
    print("| measure | value |")
    print("|---|---|")
    print(f"| mutations accepted through the gateway | {len(ids)} ({len(ids) / elapsed:.0f}/s) |")
    print(
        f"| mutation latency p50 / p99 | {statistics.median(latencies) * 1000:.0f} ms / {_pct(latencies, 0.99) * 1000:.0f} ms |"
    )
    print(f"| dispatches APPLIED | {len(applied)} of {len(ids)} |")
    print(f"| sustained dispatches APPLIED per second | {len(applied) / span:.0f}/s |")
    print(
        f"| accept → APPLIED p50 / p99 | {statistics.median(lags) * 1000:.0f} ms / {_pct(lags, 0.99) * 1000:.0f} ms |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
