"""Parallel branches: four subgraphs each delayed 100 ms; a query that reaches all four answers in the slowest
branch's time, not the sum.

Starts, as separate processes on loopback: four delayed subgraphs in one process (``bench/delayed_subgraphs.py``)
and the gateway (``minyi gateway``) over a generated four-subgraph supergraph. Measures, with ``--requests``
sequential requests each (after a warm-up that also caches the plans):

- the baseline: one direct call to one delayed subgraph (the slowest branch, as all four are equally slow);
- through the gateway, one root field of one subgraph (one fetch: the gateway's own added time);
- through the gateway, four root fields, one per subgraph (four fetches in parallel positions);
- through the gateway, a list from subgraph ``a`` with fields from ``b``, ``c`` and ``d`` (one root fetch, then
  three entity fetches in parallel: the critical path is two delays).

The issue expects the four-branch query under 150 ms with 100 ms subgraphs; this reports, it does not assert.
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
from join_header import HEADER

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("a", "b", "c", "d")

SINGLE = "{ branchA { id label } }"
FOUR_ROOTS = "{ branchA { id label } branchB { id label } branchC { id label } branchD { id label } }"
ENTITY_JUMPS = "{ items { id fieldB fieldC fieldD } }"


def supergraph_sdl(port: int) -> str:
    """The join/v0.3 supergraph of ``bench/delayed_subgraphs.py`` with subgraph ``a`` on ``port``."""
    graphs = "\n".join(
        f'  {n.upper()} @join__graph(name: "{n}", url: "http://127.0.0.1:{port + i}/graphql")'
        for i, n in enumerate(NAMES)
    )
    branches = "\n\n".join(
        f"type Branch{n.upper()} @join__type(graph: {n.upper()}) {{\n  id: ID!\n  label: String\n}}" for n in NAMES
    )
    item_types = "\n".join(f'  @join__type(graph: {n.upper()}, key: "id")' for n in NAMES)
    item_fields = "\n".join(f"  field{n.upper()}: String @join__field(graph: {n.upper()})" for n in NAMES[1:])
    query_types = "\n".join(f"  @join__type(graph: {n.upper()})" for n in NAMES)
    query_fields = "\n".join(f"  branch{n.upper()}: Branch{n.upper()} @join__field(graph: {n.upper()})" for n in NAMES)
    return (
        f"{HEADER}\nenum join__Graph {{\n{graphs}\n}}\n\n{branches}\n\n"
        f"type Item\n{item_types}\n{{\n  id: ID!\n{item_fields}\n}}\n\n"
        f"type Query\n{query_types}\n{{\n{query_fields}\n  items: [Item] @join__field(graph: A)\n}}\n"
    )


def _pinned(argv: list[str], core: int) -> list[str]:
    if shutil.which("taskset") and len(os.sched_getaffinity(0)) >= 2:
        return ["taskset", "-c", str(core), *argv]
    return argv


async def _wait(session: aiohttp.ClientSession, url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(url) as resp:
                if resp.status < 500:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def _time(session: aiohttp.ClientSession, url: str, query: str, requests: int, warmup: int) -> list[float]:
    """Latencies in ms of ``requests`` sequential requests, after ``warmup`` unmeasured ones."""
    body = orjson.dumps({"query": query})
    latencies: list[float] = []
    for i in range(warmup + requests):
        started = time.perf_counter()
        async with session.post(url, data=body, headers={"content-type": "application/json"}) as resp:
            payload = orjson.loads(await resp.read())
        elapsed = (time.perf_counter() - started) * 1000
        if resp.status != 200 or payload.get("errors") or not payload.get("data"):
            raise RuntimeError(f"bad answer from {url} to {query}: {resp.status} {payload!r:.300}")
        if i >= warmup:
            latencies.append(elapsed)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="sequential requests per row")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--delay-ms", type=float, default=100)
    parser.add_argument("--gateway-port", type=int, default=4910)
    parser.add_argument("--subgraph-port", type=int, default=4911, help="subgraph a; b, c, d take the next three")
    args = parser.parse_args()

    gateway_url = f"http://127.0.0.1:{args.gateway_port}/graphql"
    direct_url = f"http://127.0.0.1:{args.subgraph_port}/graphql"
    python = sys.executable
    rows: list[tuple[str, int, list[float]]] = []  # label, delays on the critical path, latencies
    with tempfile.TemporaryDirectory() as tmp:
        supergraph = Path(tmp) / "supergraph.graphql"
        supergraph.write_text(supergraph_sdl(args.subgraph_port))
        subs = subprocess.Popen(
            _pinned(
                [
                    python,
                    str(ROOT / "bench" / "delayed_subgraphs.py"),
                    "--port",
                    str(args.subgraph_port),
                    "--delay-ms",
                    str(args.delay_ms),
                ],
                1,
            )
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
        try:
            async with aiohttp.ClientSession() as session:
                for i in range(len(NAMES)):
                    await _wait(session, f"http://127.0.0.1:{args.subgraph_port + i}/health")
                await _wait(session, f"http://127.0.0.1:{args.gateway_port}/health")
                for label, levels, url, query in (
                    ("client → subgraph a (slowest branch, baseline)", 1, direct_url, SINGLE),
                    ("gateway: one root field (1 fetch)", 1, gateway_url, SINGLE),
                    ("gateway: four root fields (4 parallel fetches)", 1, gateway_url, FOUR_ROOTS),
                    ("gateway: root list + 3 parallel entity fetches", 2, gateway_url, ENTITY_JUMPS),
                ):
                    rows.append((label, levels, await _time(session, url, query, args.requests, args.warmup)))
        finally:
            for proc in (gw, subs):
                proc.terminate()
                proc.wait(10)

    baseline = statistics.median(rows[0][2])
    print(f"\nsubgraphs delayed {args.delay_ms:g} ms each; {args.requests} sequential requests per row\n")
    print("| path | critical path ms (baseline × delays) | median ms | min ms | max ms | median − critical path ms |")
    print("|---|---|---|---|---|---|")
    for label, levels, latencies in rows:
        median = statistics.median(latencies)
        critical = levels * baseline
        print(
            f"| {label} | {critical:.1f} | {median:.1f} | {min(latencies):.1f} | {max(latencies):.1f} "
            f"| {median - critical:+.1f} |"
        )
    four = statistics.median(rows[2][2])
    print(
        f"\nfour parallel branches: {four:.1f} ms against the slowest branch's {baseline:.1f} ms "
        f"(the issue expects under {1.5 * args.delay_ms:g} ms; the sum of the branches would be "
        f"{4 * args.delay_ms:g} ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
