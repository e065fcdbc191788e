"""Gateway overhead: CPU per request and added latency, on a cached plan, under concurrent load.

Starts, as separate processes on loopback: one small federated subgraph (``bench/peer_subgraph.py``) and the
gateway (``minyi gateway``) over a one-subgraph supergraph. The gateway is pinned to core 0, the load generator and
the subgraph to core 1 (``taskset``; this process pins itself), so the client never takes the gateway's CPU.

Each of ``--runs`` rounds first loads the subgraph directly (the baseline), then the gateway with the same query
(one subgraph fetch, a plan cached by the warm-up), ``--concurrency`` clients each. The load generator is ``wrk``
(with a Lua script for the POST) when installed, else an aiohttp client in this process (``--client`` chooses);
the output says which. A process's CPU time is user + system from /proc/<pid>/stat before and after its load.

Output: one row per round and path (requests/s, median and p99 latency, CPU ms per request of the process that
answered, and for the gateway the busy time of core 0 per request: an upper bound that adds the kernel's loopback
work done in softirq, which no process is charged for), then the medians over the rounds: the gateway's CPU ms per
request (the issue's acceptance: under 0.4 ms) and the median latency the gateway adds over the direct call. Under
saturation (``wrk`` keeps every client busy) that latency is mostly queueing, so each round also times
``--latency-requests`` sequential requests of one client on both paths: the latency the gateway adds when idle.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson
from join_header import HEADER

ROOT = Path(__file__).resolve().parent.parent
QUERY = "{ topProducts { upc name price } }"
EXPECTED = {"data": {"topProducts": [{"upc": f"p{i}", "name": f"Product {i}", "price": 100 + i} for i in range(5)]}}
SUPERGRAPH = (
    HEADER
    + """
enum join__Graph {
  PRODUCTS @join__graph(name: "products", url: "URL")
}

type Product @join__type(graph: PRODUCTS, key: "upc") {
  upc: String!
  name: String
  price: Int
}

type Query @join__type(graph: PRODUCTS) {
  topProducts: [Product]
}
"""
)

# wrk: POST the body; at the end print one line of JSON that this script reads (latencies in microseconds).
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = [[BODY]]
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'MINYI {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "status_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float  # of the process that answered
    core_ms_per_request: float | None = None  # busy time of the gateway's core, kernel network work included

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime, all threads


def _core_busy_seconds(core: int) -> float:
    """Non-idle time of ``core`` (user, nice, system, irq, softirq; not steal) from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in line.split()[1:8])
            return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    raise RuntimeError(f"no cpu{core} in /proc/stat")


# Decided once, before this process pins itself to core 1 (after which it sees one core).
CAN_PIN = shutil.which("taskset") is not None and {0, 1} <= os.sched_getaffinity(0)


def _pinned(argv: list[str], core: int) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if CAN_PIN else argv


def _ensure_free(port: int) -> None:
    """Refuse a port something already listens on: its answers would be measured instead of ours."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: connections in TIME_WAIT are fine
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(f"port {port} is in use; stop what listens there or choose another port") from None


async def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def _check(url: str, *, exact: bool) -> None:
    """One request through ``url`` must answer the expected data (``exact``: nothing more, as a gateway shapes it;
    else the canned subgraph answer, which carries ``__typename`` too): a fast wrong answer measures nothing."""
    async with aiohttp.ClientSession() as session, session.post(url, json={"query": QUERY}) as resp:
        body = orjson.loads(await resp.read())
    data = body.get("data") or {}
    if not exact:
        data = {"topProducts": [{k: v for k, v in p.items() if k != "__typename"} for p in data.get("topProducts", ())]}
    if resp.status != 200 or "errors" in body or {"data": data} != EXPECTED:
        raise RuntimeError(f"unexpected answer from {url}: {resp.status} {body!r:.300}")


async def _python_load(url: str, requests: int, concurrency: int, pid: int) -> LoadResult:
    body = orjson.dumps({"query": QUERY})
    headers = {"content-type": "application/json"}
    latencies: list[float] = []
    remaining = requests
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as resp:
                    payload = await resp.read()
                    if resp.status != 200 or b'"errors"' in payload:
                        raise RuntimeError(f"bad answer from {url}: {resp.status} {payload[:200]!r}")
                latencies.append(time.perf_counter() - started)

        cpu_before = _cpu_seconds(pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(pid) - cpu_before
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        seconds=seconds,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        cpu_ms_per_request=cpu * 1000 / len(latencies),
    )


async def _wrk_load(url: str, seconds: float, concurrency: int, pid: int, script: Path) -> LoadResult:
    argv = _pinned(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script), url], 1)
    cpu_before = _cpu_seconds(pid)
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    cpu = _cpu_seconds(pid) - cpu_before
    lines = [line for line in out.decode().splitlines() if line.startswith("MINYI ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {out.decode()} {err.decode()}")
    summary = orjson.loads(lines[-1].removeprefix("MINYI "))
    if summary["errors"] or summary["status_errors"]:
        raise RuntimeError(f"wrk saw errors against {url}: {summary}")
    return LoadResult(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        cpu_ms_per_request=cpu * 1000 / summary["requests"],
    )


def _row(run: int, path: str, result: LoadResult) -> str:
    core = f"{result.core_ms_per_request:.3f}" if result.core_ms_per_request is not None else "–"
    return (
        f"| {run} | {path} | {result.requests:,} | {result.rate:,.0f} | {result.p50_ms:.2f} | {result.p99_ms:.2f} "
        f"| {result.cpu_ms_per_request:.3f} | {core} |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="rounds of baseline + gateway; medians are over these")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    parser.add_argument("--duration", type=float, default=5, help="seconds per load (wrk)")
    parser.add_argument("--requests", type=int, default=10000, help="requests per load (python client)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=2000, help="requests through each path before measuring")
    parser.add_argument(
        "--latency-requests", type=int, default=1000, help="sequential one-client requests per path and run (0: skip)"
    )
    parser.add_argument("--gateway-port", type=int, default=4900)
    parser.add_argument("--subgraph-port", type=int, default=4901)
    args = parser.parse_args()

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (Debian: apt-get install wrk); use --client python")
    pinned = CAN_PIN
    if pinned:
        os.sched_setaffinity(0, {1})  # the python client, and the orchestration, stay off the gateway's core

    _ensure_free(args.subgraph_port)
    _ensure_free(args.gateway_port)
    subgraph_url = f"http://127.0.0.1:{args.subgraph_port}/graphql"
    gateway_url = f"http://127.0.0.1:{args.gateway_port}/graphql"
    rows: list[str] = []
    gateway_cpu: list[float] = []
    added: list[float] = []
    busy: list[float] = []  # how busy the gateway's core was under load (its process's share when not pinned)
    unloaded: list[tuple[float, float]] = []  # one client: (direct median ms, via-gateway median ms) per run
    with tempfile.TemporaryDirectory() as tmp:
        supergraph = Path(tmp) / "supergraph.graphql"
        supergraph.write_text(SUPERGRAPH.replace("URL", subgraph_url))
        script = Path(tmp) / "post.lua"
        script.write_text(WRK_SCRIPT.replace("BODY", orjson.dumps({"query": QUERY}).decode()))
        python = sys.executable
        sub = subprocess.Popen(
            _pinned([python, str(ROOT / "bench" / "peer_subgraph.py"), "--port", str(args.subgraph_port)], 1)
        )
        gw = subprocess.Popen(
            _pinned(
                [
                    python,
                    "-m",
                    "minyi.cli",
                    "gateway",
                    "--supergraph",
                    str(supergraph),
                    "--port",
                    str(args.gateway_port),
                ],
                0,
            ),
            cwd=ROOT,
        )

        async def load(url: str, pid: int) -> LoadResult:
            core_before = _core_busy_seconds(0) if pinned else 0.0
            if client == "wrk":
                result = await _wrk_load(url, args.duration, args.concurrency, pid, script)
            else:
                result = await _python_load(url, args.requests, args.concurrency, pid)
            if pinned and pid == gw.pid:
                core_ms = (_core_busy_seconds(0) - core_before) * 1000 / result.requests
                result = dataclasses.replace(result, core_ms_per_request=core_ms)
            return result

        try:
            await _wait(f"http://127.0.0.1:{args.subgraph_port}/health")
            await _wait(f"http://127.0.0.1:{args.gateway_port}/health")
            await _check(subgraph_url, exact=False)
            await _check(gateway_url, exact=True)
            await _python_load(subgraph_url, args.warmup, args.concurrency, sub.pid)
            await _python_load(gateway_url, args.warmup, args.concurrency, gw.pid)
            for run in range(1, args.runs + 1):
                direct = await load(subgraph_url, sub.pid)
                via = await load(gateway_url, gw.pid)
                rows.append(_row(run, "client → subgraph (baseline)", direct))
                rows.append(_row(run, "client → gateway → subgraph", via))
                gateway_cpu.append(via.cpu_ms_per_request)
                core_ms = via.core_ms_per_request or via.cpu_ms_per_request
                busy.append(core_ms * via.rate / 1000)
                added.append(via.p50_ms - direct.p50_ms)
                if args.latency_requests > 0:
                    alone = await _python_load(subgraph_url, args.latency_requests, 1, sub.pid)
                    alone_via = await _python_load(gateway_url, args.latency_requests, 1, gw.pid)
                    unloaded.append((alone.p50_ms, alone_via.p50_ms))
        finally:
            for proc in (gw, sub):
                proc.terminate()
                proc.wait(10)

    load_desc = f"{args.duration:g} s each" if client == "wrk" else f"{args.requests} requests each"
    print(
        f"\nload generator: {'wrk (Lua POST script)' if client == 'wrk' else 'python aiohttp client'}, "
        f"{args.concurrency} concurrent clients, {load_desc}; query {QUERY!r}"
    )
    print(
        "pinning: gateway on core 0, client and subgraph on core 1"
        if pinned
        else "pinning: none (taskset missing or fewer than 2 cores) — the client competes with the gateway"
    )
    print(
        "\n| run | path | requests | req/s | median ms | p99 ms | CPU ms/req (answering process) | core 0 busy ms/req |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"\nmedian over {args.runs} runs, {args.concurrency} clients: gateway CPU per request "
        f"{statistics.median(gateway_cpu):.3f} ms (min {min(gateway_cpu):.3f}, max {max(gateway_cpu):.3f}; "
        f"acceptance: under 0.4 ms); added median latency {statistics.median(added):.2f} ms with the gateway's "
        f"core {statistics.median(busy):.0%} busy ("
        + (
            "saturated: the added latency is mostly queueing)"
            if statistics.median(busy) > 0.9
            else "not saturated: the load generator is the limit)"
        )
    )
    if unloaded:
        direct_ms = statistics.median(d for d, _ in unloaded)
        via_ms = statistics.median(v for _, v in unloaded)
        print(
            f"one client, {args.latency_requests} sequential requests per run (python client): median "
            f"{direct_ms:.3f} ms direct, {via_ms:.3f} ms via the gateway, added {via_ms - direct_ms:.3f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main())
