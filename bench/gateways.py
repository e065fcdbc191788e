"""Side by side: this gateway, Hive Gateway, Hive Gateway with the Rust query planner and Apollo Gateway.

One run, one command. The four subgraphs of the public gateway benchmarks (``bench/store_subgraphs.py``: accounts,
products, inventory, reviews) run in one process on core 1 with the load generator; each gateway in turn runs alone
on core 0 (``taskset``) over the same supergraph (composed by ``minyi compose`` from the subgraphs' SDL), with
in-flight merging of identical subgraph requests on and off where the gateway has it (Apollo Gateway has none).
Two queries: the deep one of the public benchmark (users and top products, five levels of reviews, authors and
products; an answer of about 80 KB) and a one-fetch query (``topProducts``). ``--rounds`` rounds go through every
gateway in turn, so peers and this gateway meet the same machine load; the table gives the median over rounds.

The Node peers are benchmark-only dependencies: the script installs them with ``npm install`` (pinned versions,
:data:`NODE_PACKAGES`) into ``--node-dir`` (default ``~/.cache/minyi-bench/node``), outside the repository; Node
20+ must be on the PATH. The load generator is ``wrk`` (Debian: ``apt-get install wrk``), one thread, pinned to core 1.

Per gateway and query: requests/s, p50/p95/p99 latency, the gateway's peak RSS (VmHWM, summed over its processes),
its CPU ms per request (user + system of the gateway's process tree over the load), the subgraph fetches one request
makes (the plan's fetches, counted by the subgraphs), the errors under load (answers with an HTTP status other than
2xx/3xx, socket errors and timeouts, summed over rounds; requests/s counts good answers only), and ours / peer for
requests/s. Every gateway's answer is compared with this gateway's before it is measured: a fast wrong answer
measures nothing.

This gateway runs twice: as pure Python and with its executor compiled by mypyc (``minyi-compiled``; what
``bash scripts/native.sh`` builds), each from its own copy of ``gateway/`` in the run's temporary directory, so an
in-place build of the checkout changes neither; the compiled copy is built first (about a minute; gcc and the
Python headers needed, else that variant is left out). The last two columns give pure / peer and compiled / peer
(on the pure rows: compiled / pure).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SUBGRAPHS = ("accounts", "products", "inventory", "reviews")
NODE_PACKAGES = {
    "@graphql-hive/gateway": "2.15.1",
    "@graphql-hive/router-runtime": "1.4.23",
    "@apollo/gateway": "2.14.4",
    "@apollo/server": "5.5.1",
    "graphql": "16.12.0",
}

DEEP_QUERY = """fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users { ...User reviews { ...Review product { ...Product reviews { ...Review author { ...User reviews { ...Review
    product { ...Product } } } } } } }
  topProducts { ...Product reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } } }
}"""
ONE_FETCH_QUERY = "{ topProducts { upc name price } }"
QUERIES = {"deep": DEEP_QUERY, "one-fetch": ONE_FETCH_QUERY}

WRK_SCRIPT = """wrk.method = "POST"
wrk.body = [[BODY]]
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'MINYI {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "errors": %d, '
      .. '"status_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""

APOLLO_SERVER = """import { readFileSync } from 'node:fs'
import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import { ApolloGateway } from '@apollo/gateway'
const [supergraph, port] = process.argv.slice(2)
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraph, 'utf8') })
const server = new ApolloServer({ gateway, csrfPrevention: false, introspection: false })
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } })
console.log('apollo gateway on ' + url)
"""

HIVE_CONFIG = """import { defineConfig } from '@graphql-hive/gateway'
IMPORT
export const gatewayConfig = defineConfig({
  supergraph: SUPERGRAPH,
  port: PORT,
  host: '127.0.0.1',
  fork: 1,
  logging: 'error',
  transportEntries: { '*.http': { options: { deduplicateInflightRequests: DEDUPE } } },
  EXTRA
})
"""


@dataclass(frozen=True, slots=True)
class Variant:
    gateway: str  # "minyi", "minyi-compiled", "hive", "hive-rust", "apollo"
    merging: bool

    @property
    def label(self) -> str:
        names = {
            "minyi": "this gateway",
            "minyi-compiled": "this gateway compiled",
            "hive": "Hive Gateway",
            "hive-rust": "Hive Gateway + Rust QP",
            "apollo": "Apollo Gateway",
        }
        if self.gateway == "apollo":
            return "Apollo Gateway (no merging)"
        return f"{names[self.gateway]}, merging {'on' if self.merging else 'off'}"


VARIANTS = (
    Variant("minyi", True),
    Variant("minyi-compiled", True),
    Variant("hive", True),
    Variant("hive-rust", True),
    Variant("minyi", False),
    Variant("minyi-compiled", False),
    Variant("hive", False),
    Variant("hive-rust", False),
    Variant("apollo", False),
)


@dataclass(frozen=True, slots=True)
class Measure:
    variant: Variant
    query: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms: float
    rss_mb: float
    fetches: int
    errors: int = 0  # answers that were not HTTP 2xx/3xx, and socket errors and timeouts

    @property
    def rate(self) -> float:
        """Good answers per second: the errors are not counted."""
        return self.requests / self.seconds


CAN_PIN = shutil.which("taskset") is not None and {0, 1} <= os.sched_getaffinity(0)


def _pinned(argv: Sequence[str], core: int) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if CAN_PIN else list(argv)


def _free(port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(f"port {port} is in use; choose other ports (--port)") from None


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a Node gateway may fork workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def _cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _post(url: str, body: bytes, timeout: float = 30) -> bytes:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return bytes(response.read())


def _wait(url: str, body: bytes, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            _post(url, body, timeout=5)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def install_node_packages(node_dir: Path) -> None:
    node_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"name": "minyi-bench-peers", "private": True, "dependencies": NODE_PACKAGES}
    package_json = node_dir / "package.json"
    wanted = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    installed = all((node_dir / "node_modules" / name / "package.json").exists() for name in NODE_PACKAGES)
    if installed and package_json.exists() and package_json.read_bytes() == wanted:
        return
    package_json.write_bytes(wanted)
    print(f"installing {', '.join(f'{k}@{v}' for k, v in NODE_PACKAGES.items())} into {node_dir}", flush=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=node_dir, check=True)


def compose_supergraph(work: Path, subgraph_port: int) -> Path:
    """``work``/supergraph.graphql: the four subgraphs of ``bench/store_subgraphs.py`` from ``subgraph_port`` on,
    composed by ``minyi compose`` from their SDL."""
    config = work / "subgraphs.toml"
    lines = []
    for offset, name in enumerate(SUBGRAPHS):
        sdl = work / f"{name}.graphql"
        sdl_text = subprocess.run(
            [sys.executable, str(BENCH / "store_subgraphs.py"), "--print-sdl", name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        sdl.write_text(sdl_text)
        url = f"http://127.0.0.1:{subgraph_port + offset}/graphql"
        lines += [f"[subgraphs.{name}]", f'url = "{url}"', f'sdl = "{sdl}"', ""]
    config.write_text("\n".join(lines))
    supergraph = work / "supergraph.graphql"
    subprocess.run(
        [sys.executable, "-m", "minyi.cli", "compose", "--config", str(config), "-o", str(supergraph)],
        cwd=ROOT,
        check=True,
    )
    return supergraph


def start_subgraphs(port: int, core: int | None) -> subprocess.Popen[bytes]:
    """``bench/store_subgraphs.py`` on ``port`` and the next three (pinned to ``core`` if given), once it answers."""
    argv = [sys.executable, str(BENCH / "store_subgraphs.py"), "--port", str(port)]
    subgraphs = subprocess.Popen(argv if core is None else _pinned(argv, core))
    try:
        for offset in range(len(SUBGRAPHS)):
            _wait(f"http://127.0.0.1:{port + offset}/graphql", orjson.dumps({"query": "{ __typename }"}), subgraphs)
    except BaseException:
        subgraphs.terminate()
        subgraphs.wait(10)
        raise
    return subgraphs


def copy_gateway(work: Path, compiled: bool) -> Path:
    """A copy of this checkout's ``gateway/`` package (without any compiled modules) in ``work``, its executor
    compiled by ``scripts/native_build.py`` when ``compiled``: run ``-m minyi.cli`` from there and ``gateway`` is
    imported from it (the other packages from the checkout)."""
    folder = work / ("compiled" if compiled else "pure")
    ignored = shutil.ignore_patterns("__pycache__", "*.so", "native.json")
    shutil.copytree(ROOT / "gateway", folder / "gateway", ignore=ignored)
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")  # the build's mypy configuration
    if compiled:
        build = [sys.executable, str(ROOT / "scripts" / "native_build.py"), "build", "--root", str(folder)]
        subprocess.run(build, check=True, stdout=subprocess.DEVNULL)
    return folder


def _gateway_argv(variant: Variant, supergraph: Path, port: int, node_dir: Path, work: Path) -> tuple[list[str], Path]:
    if variant.gateway in ("minyi", "minyi-compiled"):
        argv = [sys.executable, "-m", "minyi.cli", "gateway", "--supergraph", str(supergraph), "--port", str(port)]
        folder = work / ("compiled" if variant.gateway == "minyi-compiled" else "pure")
        return (argv if variant.merging else [*argv, "--no-merge-inflight"]), folder
    if variant.gateway == "apollo":
        script = node_dir / "apollo-gateway.mjs"
        script.write_text(APOLLO_SERVER)
        return ["node", str(script), str(supergraph), str(port)], node_dir
    rust = variant.gateway == "hive-rust"
    folder = node_dir / f"hive-{'rust' if rust else 'js'}-{'dedupe' if variant.merging else 'plain'}"
    folder.mkdir(exist_ok=True)
    config = (
        HIVE_CONFIG.replace(
            "IMPORT", "import { unifiedGraphHandler } from '@graphql-hive/router-runtime'" if rust else ""
        )
        .replace("SUPERGRAPH", orjson.dumps(str(supergraph)).decode())
        .replace("PORT", str(port))
        .replace("DEDUPE", "true" if variant.merging else "false")
        .replace("EXTRA", "unifiedGraphHandler," if rust else "")
    )
    (folder / "gateway.config.mjs").write_text(config)
    binary = node_dir / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
    return ["node", str(binary), "supergraph"], folder


async def _wrk(url: str, script: Path, seconds: float, connections: int, core: int | None = 1) -> dict[str, int]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "20s", "-s", str(script), url]
    argv = argv if core is None else _pinned(argv, core)
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    lines = [line for line in out.decode().splitlines() if line.startswith("MINYI ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {out.decode()} {err.decode()}")
    summary: dict[str, int] = orjson.loads(lines[-1].removeprefix("MINYI "))
    return summary


def _fetches(stats_url: str, gateway_url: str, body: bytes) -> int:
    _post(stats_url, b"")
    _post(gateway_url, body)
    counts = orjson.loads(urllib.request.urlopen(stats_url, timeout=5).read())
    return int(sum(counts.values()))


def _data(raw: bytes) -> object:
    answer = orjson.loads(raw)
    if answer.get("errors"):
        raise RuntimeError(f"errors in the answer: {answer['errors']!r:.300}")
    return answer.get("data")


async def measure(
    variant: Variant, args: argparse.Namespace, supergraph: Path, work: Path, expected: dict[str, object]
) -> list[Measure]:
    port = args.port
    _free(port)
    argv, cwd = _gateway_argv(variant, supergraph, port, args.node_dir, work)
    env = {**os.environ, "NODE_ENV": "production"}
    log = (work / f"{variant.gateway}-{int(variant.merging)}.log").open("wb")
    proc = subprocess.Popen(_pinned(argv, 0), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/graphql"
    stats_url = f"http://127.0.0.1:{args.subgraph_port}/_stats"
    results = []
    try:
        bodies = {name: orjson.dumps({"query": query}) for name, query in QUERIES.items()}
        _wait(url, bodies["one-fetch"], proc)
        fetches: dict[str, int] = {}
        for name, body in bodies.items():  # before any load: nothing else reaches the subgraphs meanwhile
            data = _data(_post(url, body))
            if name in expected and data != expected[name]:
                raise RuntimeError(f"{variant.label} answers the {name} query differently from this gateway")
            expected.setdefault(name, data)
            fetches[name] = _fetches(stats_url, url, body)
        for name, body in bodies.items():
            script = work / f"{name}.lua"
            script.write_text(WRK_SCRIPT.replace("BODY", body.decode()))
            await _wrk(url, script, args.warmup, args.connections)
            pids = _tree(proc.pid)
            cpu_before = _cpu_seconds(pids)
            summary = await _wrk(url, script, args.duration, args.connections)
            cpu = _cpu_seconds(_tree(proc.pid)) - cpu_before
            if not summary["requests"]:
                raise RuntimeError(f"{variant.label}: no {name} request finished in {args.duration:g} s")
            results.append(
                Measure(
                    variant=variant,
                    query=name,
                    requests=summary["requests"] - summary["status_errors"],
                    seconds=summary["duration_us"] / 1e6,
                    p50_ms=summary["p50_us"] / 1000,
                    p95_ms=summary["p95_us"] / 1000,
                    p99_ms=summary["p99_us"] / 1000,
                    cpu_ms=cpu * 1000 / summary["requests"],
                    rss_mb=_peak_rss_mb(_tree(proc.pid)),
                    fetches=fetches[name],
                    errors=summary["errors"] + summary["status_errors"],
                )
            )
            print(_row(results[-1]), flush=True)
    finally:
        for pid in reversed(_tree(proc.pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    return results


def _row(m: Measure, ratio: str = "") -> str:
    return (
        f"| {m.query} | {m.variant.label} | {m.rate:,.1f} | {m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.p99_ms:.1f} | "
        f"{m.rss_mb:.0f} | {m.cpu_ms:.2f} | {m.fetches} | {m.errors} |{ratio}"
    )


def _median(measures: Sequence[Measure]) -> Measure:
    first = measures[0]
    return Measure(
        variant=first.variant,
        query=first.query,
        requests=int(statistics.median(m.requests for m in measures)),
        seconds=statistics.median(m.seconds for m in measures),
        p50_ms=statistics.median(m.p50_ms for m in measures),
        p95_ms=statistics.median(m.p95_ms for m in measures),
        p99_ms=statistics.median(m.p99_ms for m in measures),
        cpu_ms=statistics.median(m.cpu_ms for m in measures),
        rss_mb=max(m.rss_mb for m in measures),
        fetches=first.fetches,
        errors=sum(m.errors for m in measures),
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="passes through every gateway (medians over them)")
    parser.add_argument("--duration", type=float, default=15, help="seconds of measured load per gateway and query")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=20, help="concurrent connections of wrk")
    parser.add_argument("--port", type=int, default=4940, help="the gateway under test")
    parser.add_argument("--subgraph-port", type=int, default=4950, help="accounts; the next three ports follow")
    parser.add_argument("--node-dir", type=Path, default=Path.home() / ".cache" / "minyi-bench" / "node")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=("minyi", "minyi-compiled", "hive", "hive-rust", "apollo"),
        help="gateways to run (default all)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    variants = [v for v in VARIANTS if not args.only or v.gateway in args.only]
    if any(not v.gateway.startswith("minyi") for v in variants):
        if shutil.which("node") is None:
            parser.error("Node.js 20+ is needed for the peers (or --only minyi)")
        install_node_packages(args.node_dir)
    for port in range(args.subgraph_port, args.subgraph_port + len(SUBGRAPHS)):
        _free(port)
    if CAN_PIN:
        os.sched_setaffinity(0, {1})

    with tempfile.TemporaryDirectory(prefix="minyi-gateways-") as tmp:
        work = Path(tmp)
        supergraph = compose_supergraph(work, args.subgraph_port)
        copy_gateway(work, compiled=False)
        if any(v.gateway == "minyi-compiled" for v in variants):
            try:
                copy_gateway(work, compiled=True)
            except (OSError, subprocess.CalledProcessError) as error:
                print(f"the compiled executor could not be built ({error}): measuring pure Python only", flush=True)
                variants = [v for v in variants if v.gateway != "minyi-compiled"]
        subgraphs = start_subgraphs(args.subgraph_port, core=1)
        measures: list[Measure] = []
        expected: dict[str, object] = {}
        try:
            print(
                "| query | gateway | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB | CPU ms/req | fetches | errors |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|")
            for _ in range(args.rounds):
                for variant in variants:
                    measures += await measure(variant, args, supergraph, work, expected)
        finally:
            subgraphs.terminate()
            subgraphs.wait(10)

    print(
        f"\nmedian over {args.rounds} rounds; wrk -t1 -c{args.connections}, {args.duration:g} s per load after "
        f"{args.warmup:g} s of warm-up; "
        + ("gateway on core 0, wrk and subgraphs on core 1" if CAN_PIN else "no pinning (taskset or 2 cores missing)")
    )
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}; Node {_node_version()}; Python {sys.version.split()[0]}")
    print(
        "\n| query | gateway | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB | CPU ms/req | fetches | errors "
        "| pure / this | compiled / this |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for query in QUERIES:
        for merging in (True, False):
            ours = {}
            for gateway in ("minyi", "minyi-compiled"):
                found = [m for m in measures if m.query == query and m.variant == Variant(gateway, merging)]
                if found:
                    ours[gateway] = _median(found)
            for variant in variants:
                if variant.merging != merging and variant.gateway != "apollo":
                    continue
                found = [m for m in measures if m.query == query and m.variant == variant]
                if not found:
                    continue
                median = _median(found)
                ratio = ""
                for gateway in ("minyi", "minyi-compiled"):
                    mine = ours.get(gateway)
                    same = variant.gateway == gateway
                    ratio += " – |" if mine is None or same else f" {mine.rate / median.rate:.2f}× |"
                print(_row(median, ratio))


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


def _node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "absent"


if __name__ == "__main__":
    asyncio.run(main())
