"""``minyi gateway --workers 2`` against one worker, on the same machine, load and subgraphs.

One run, one command. The four subgraphs of the public gateway benchmarks (``bench/store_subgraphs.py``, one
process, answering from memory) and a private ``redis-server`` (the workers share plans and logins through it) run
for the whole run; the gateway is started with ``--workers 1`` and then ``--workers 2``, in alternation over
``--rounds`` rounds, so that both meet the same machine load. Each is loaded by ``wrk`` (one thread,
``--connections``) with the deep query and the one-fetch query of ``bench/gateways.py``, ``--warmup`` seconds
before ``--duration`` measured seconds. Nothing is pinned: on a 2-core machine the load generator, the subgraphs
and Redis share the cores with the gateway's workers, so their CPU is measured too.

Per worker count and query (medians over rounds): requests/s, p50/p99, the gateway's CPU ms per request (user +
system of the parent and its workers), the cores busy in the gateway, in the subgraphs + Redis and in wrk (CPU
seconds per second of load), the cores busy in other processes of the machine (from /proc/stat: what else runs
on it), and for 2 workers the split of the gateway's CPU between the workers (how evenly the kernel's
``SO_REUSEPORT`` spread the connections). The summary gives 2 workers / 1 worker for requests/s, and beside it
the ratio of the cores the gateway actually had (what it could use beside the load generator and the subgraphs):
a ratio below 2× with the gateway's cores ratio also below 2× is the machine, not the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
from dispatch import _wait_redis
from gateways import (
    QUERIES,
    ROOT,
    SUBGRAPHS,
    WRK_SCRIPT,
    _cpu_model,
    _cpu_seconds,
    _data,
    _free,
    _post,
    _tree,
    _wait,
    _wrk,
    compose_supergraph,
    start_subgraphs,
)
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

WORKER_COUNTS = (1, 2)


@dataclass(frozen=True, slots=True)
class Measure:
    workers: int
    query: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    gateway_cpu_s: float
    worker_cpu_s: tuple[float, ...]  # each worker's, largest first
    subgraphs_cpu_s: float  # the subgraphs' process and redis-server
    wrk_cpu_s: float
    machine_busy_s: float  # every core's non-idle time over the load

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.gateway_cpu_s * 1000 / self.requests

    def cores(self, cpu_s: float) -> float:
        return cpu_s / self.seconds

    @property
    def other_s(self) -> float:
        return max(0.0, self.machine_busy_s - self.gateway_cpu_s - self.subgraphs_cpu_s - self.wrk_cpu_s)

    @property
    def split(self) -> str:
        total = sum(self.worker_cpu_s)
        if len(self.worker_cpu_s) < 2 or total <= 0:
            return "–"
        return " / ".join(f"{100 * cpu / total:.0f}%" for cpu in self.worker_cpu_s)


def _machine_busy_s() -> float:
    """Non-idle time of all cores (user, nice, system, irq, softirq) from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:8]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _listeners(port: int) -> int:
    """Sockets listening on ``port`` (with ``SO_REUSEPORT`` one per worker), from /proc/net/tcp and tcp6."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def measure(
    workers: int,
    args: argparse.Namespace,
    supergraph: Path,
    work: Path,
    env: dict[str, str],
    helpers: Sequence[int],
    expected: dict[str, object],
    progress: Progress,
    task: TaskID,
) -> list[Measure]:
    _free(args.port)
    argv = [sys.executable, "-m", "minyi.cli", "gateway", "--supergraph", str(supergraph), "--port", str(args.port)]
    log = (work / f"gateway-{workers}.log").open("ab")
    if not args.merging:
        argv.append("--no-merge-inflight")
    proc = subprocess.Popen([*argv, "--workers", str(workers)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{args.port}/graphql"
    results = []
    try:
        bodies = {name: orjson.dumps({"query": query}) for name, query in QUERIES.items()}
        _wait(url, bodies["one-fetch"], proc)
        while _listeners(args.port) < workers:  # every worker bound, not only the first: wrk connects once
            if proc.poll() is not None:
                raise RuntimeError(f"the gateway with {workers} workers exited with {proc.returncode}")
            await asyncio.sleep(0.2)
        for name, body in bodies.items():
            data = _data(_post(url, body))
            if data != expected.setdefault(name, data):
                raise RuntimeError(f"{workers} workers answer the {name} query differently from 1 worker")
            script = work / f"{name}.lua"
            script.write_text(WRK_SCRIPT.replace("BODY", body.decode()))
            progress.update(task, description=f"{workers} worker(s), {name}: warm-up {args.warmup:g} s")
            await _wrk(url, script, args.warmup, args.connections, core=None)
            progress.update(task, description=f"{workers} worker(s), {name}: measuring {args.duration:g} s")
            pids = _tree(proc.pid)
            children = [pid for pid in pids if pid != proc.pid] if workers > 1 else [proc.pid]
            before = (
                _cpu_seconds(pids),
                [_cpu_seconds([pid]) for pid in children],
                _cpu_seconds(helpers),
                _children_cpu_s(),
                _machine_busy_s(),
            )
            summary = await _wrk(url, script, args.duration, args.connections, core=None)
            busy = _machine_busy_s() - before[4]
            wrk_cpu = _children_cpu_s() - before[3]  # the only child reaped meanwhile: wrk
            worker_cpu = [_cpu_seconds([pid]) - cpu for pid, cpu in zip(children, before[1], strict=True)]
            measured = Measure(
                workers=workers,
                query=name,
                requests=summary["requests"],
                seconds=summary["duration_us"] / 1e6,
                p50_ms=summary["p50_us"] / 1000,
                p99_ms=summary["p99_us"] / 1000,
                gateway_cpu_s=_cpu_seconds(pids) - before[0],
                worker_cpu_s=tuple(sorted(worker_cpu, reverse=True)),
                subgraphs_cpu_s=_cpu_seconds(helpers) - before[2],
                wrk_cpu_s=wrk_cpu,
                machine_busy_s=busy,
            )
            if not measured.requests:
                raise RuntimeError(f"{workers} workers: no {name} request finished in {args.duration:g} s")
            results.append(measured)
            progress.console.print(_row(measured), markup=False, highlight=False)
            progress.advance(task)
    finally:
        proc.send_signal(signal.SIGTERM)  # the parent stops its workers
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            for pid in reversed(_tree(proc.pid)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.wait()
        log.close()
    return results


HEADER = (
    "| query | workers | req/s | p50 ms | p99 ms | gateway CPU ms/req | cores: gateway | subgraphs + redis | wrk "
    "| other processes | worker CPU split |"
)


def _row(m: Measure) -> str:
    return (
        f"| {m.query} | {m.workers} | {m.rate:,.1f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {m.cpu_ms:.2f} | "
        f"{m.cores(m.gateway_cpu_s):.2f} | {m.cores(m.subgraphs_cpu_s):.2f} | {m.cores(m.wrk_cpu_s):.2f} | "
        f"{m.cores(m.other_s):.2f} | {m.split} |"
    )


def _median(measures: Sequence[Measure]) -> Measure:
    """The round of median requests/s (one round's figures together, not a mix of rounds)."""
    ranked = sorted(measures, key=lambda m: m.rate)
    return ranked[(len(ranked) - 1) // 2]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="passes through 1 and 2 workers (medians over them)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of measured load per run and query")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections of wrk")
    parser.add_argument("--port", type=int, default=4960, help="the gateway under test")
    parser.add_argument("--subgraph-port", type=int, default=4970, help="accounts; the next three ports follow")
    parser.add_argument("--redis-port", type=int, default=4980, help="the private redis-server")
    parser.add_argument(
        "--merging",
        choices=("on", "off"),
        default="on",
        help="in-flight merging of identical subgraph requests (off: --no-merge-inflight)",
    )
    args = parser.parse_args()
    args.merging = args.merging == "on"
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed (Debian: apt-get install {tool})")
    for port in (*range(args.subgraph_port, args.subgraph_port + len(SUBGRAPHS)), args.redis_port, args.port):
        _free(port)

    measures: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="minyi-workers-") as tmp:
        work = Path(tmp)
        supergraph = compose_supergraph(work, args.subgraph_port)
        redis = subprocess.Popen(
            ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        subgraphs = None
        try:
            _wait_redis(args.redis_port)
            subgraphs = start_subgraphs(args.subgraph_port, core=None)
            env = {**os.environ, "MINYI_REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0"}
            expected: dict[str, object] = {}
            console = Console(stderr=True)
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("starting", total=args.rounds * len(WORKER_COUNTS) * len(QUERIES))
                progress.console.print(HEADER, markup=False, highlight=False)
                for _ in range(args.rounds):
                    for workers in WORKER_COUNTS:
                        helpers = [subgraphs.pid, redis.pid]
                        measures += await measure(
                            workers, args, supergraph, work, env, helpers, expected, progress, task
                        )
        finally:
            for proc in (subgraphs, redis):
                if proc is not None:
                    proc.terminate()
                    proc.wait(10)

    print(
        f"\nmedian over {args.rounds} rounds (the round of median req/s); wrk -t1 -c{args.connections}, "
        f"{args.duration:g} s per load after {args.warmup:g} s of warm-up; nothing pinned: gateway, subgraphs, "
        f"redis-server and wrk share the cores; in-flight merging {'on' if args.merging else 'off'}"
    )
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}; Python {sys.version.split()[0]}")
    print(f"\n{HEADER}\n|" + "---|" * (HEADER.count("|") - 1))
    for query in QUERIES:
        for workers in WORKER_COUNTS:
            print(_row(_median([m for m in measures if m.query == query and m.workers == workers])))
    print("\n| query | req/s: 2 workers / 1 | gateway cores: 2 workers / 1 | CPU ms/req: 2 workers / 1 |")
    print("|---|---|---|---|")
    for query in QUERIES:
        one = _median([m for m in measures if m.query == query and m.workers == 1])
        two = _median([m for m in measures if m.query == query and m.workers == 2])
        rates = statistics.median(
            t.rate / o.rate
            for o, t in zip(
                [m for m in measures if m.query == query and m.workers == 1],
                [m for m in measures if m.query == query and m.workers == 2],
                strict=True,
            )
        )
        print(
            f"| {query} | {two.rate / one.rate:.2f}× (median of per-round ratios {rates:.2f}×) | "
            f"{two.cores(two.gateway_cpu_s) / one.cores(one.gateway_cpu_s):.2f}× | {two.cpu_ms / one.cpu_ms:.2f}× |"
        )


if __name__ == "__main__":
    asyncio.run(main())
