"""Gateway overhead: CPU per request and added latency, on a cached plan, under concurrent load.

Starts, as separate processes on loopback: one small federated subgraph (``bench/peer_subgraph.py``) and the
gateway (``minyi gateway``) over a one-subgraph supergraph; pins the gateway to one core when ``taskset`` exists.
A load generator (this process, on the other core) first calls the subgraph directly (the baseline), then the
gateway with the same query, each with ``--concurrency`` clients for ``--requests`` requests. The gateway's CPU
time comes from /proc/<pid>/stat (user + system) before and after its run.

Output: a table with requests/s, median and p99 latency for both paths, the added median latency, and the gateway's
CPU milliseconds per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
QUERY = "{ topProducts { upc name price } }"
SUPERGRAPH = """schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import

enum join__Graph {
  PRODUCTS @join__graph(name: "products", url: "URL")
}

enum link__Purpose {
  SECURITY
  EXECUTION
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


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


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


async def _load(url: str, requests: int, concurrency: int) -> tuple[float, list[float]]:
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

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies


def _pinned(argv: list[str], core: int) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if shutil.which("taskset") and os.cpu_count() else argv


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--gateway-port", type=int, default=4900)
    parser.add_argument("--subgraph-port", type=int, default=4901)
    args = parser.parse_args()

    subgraph_url = f"http://127.0.0.1:{args.subgraph_port}/graphql"
    gateway_url = f"http://127.0.0.1:{args.gateway_port}/graphql"
    with tempfile.TemporaryDirectory() as tmp:
        supergraph = Path(tmp) / "supergraph.graphql"
        supergraph.write_text(SUPERGRAPH.replace("URL", subgraph_url))
        python = sys.executable
        sub = subprocess.Popen(
            _pinned([python, str(ROOT / "bench" / "peer_subgraph.py"), "--port", str(args.subgraph_port)], 1)
        )
        gw = subprocess.Popen(
            _pinned(
                [
                    python,
                    "-m",
                    "gateway.cli",
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
        try:
            await _wait(f"http://127.0.0.1:{args.subgraph_port}/health")
            await _wait(f"http://127.0.0.1:{args.gateway_port}/health")
            await _load(subgraph_url, args.warmup, args.concurrency)
            direct_s, direct = await _load(subgraph_url, args.requests, args.concurrency)
            await _load(gateway_url, args.warmup, args.concurrency)
            cpu_before = _cpu_seconds(gw.pid)
            via_s, via = await _load(gateway_url, args.requests, args.concurrency)
            cpu_ms = (_cpu_seconds(gw.pid) - cpu_before) * 1000 / args.requests
        finally:
            for proc in (gw, sub):
                proc.terminate()
                proc.wait(10)

    def row(name: str, total: float, lat: list[float]) -> str:
        lat = sorted(lat)
        p50 = statistics.median(lat) * 1000
        p99 = lat[int(len(lat) * 0.99) - 1] * 1000
        return f"| {name} | {len(lat) / total:,.0f} | {p50:.2f} | {p99:.2f} |"

    print(f"\n{args.requests} requests, {args.concurrency} concurrent clients, query {QUERY!r}\n")
    print("| path | req/s | median ms | p99 ms |")
    print("|---|---|---|---|")
    print(row("client → subgraph (baseline)", direct_s, direct))
    print(row("client → gateway → subgraph", via_s, via))
    added = (statistics.median(via) - statistics.median(direct)) * 1000
    print(f"\nadded median latency: {added:.2f} ms; gateway CPU per request: {cpu_ms:.3f} ms")


if __name__ == "__main__":
    asyncio.run(main())
