"""Cross-system lookup through the gateway with every legacy system slow: a citizen's view and the merged search.

Starts, each as its own process on a free port: the five legacy stand-ins (``minyi legacy``) with every answer
delayed ``--latency-ms`` (50), the appeals subgraph and the gateway (dev login; a city-wide supervisor's token). Before
measuring, one person is given 20 appeals over four systems (hotline, petition, grid, suggestion) through the
stand-ins' own interfaces. Then, one request at a time, ``--runs`` times each:

- ``citizen(phone:) { summary, appeals { nodes { id system status receivedAt timeline } } }`` — target < 120 ms;
- ``appeals(first: 20) { nodes { id system status receivedAt } }`` over five systems — target < 120 ms;
- baseline: one direct request to one delayed stand-in (the floor any read through it pays).

Prints p50/p90 per query and the ratio to the baseline. Usage: ``.venv/bin/python bench/lookup.py [--runs 30]``.
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
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resolvers.adapters.grid import GridClient, GridReport  # noqa: E402
from resolvers.adapters.hotline import HotlineClient  # noqa: E402
from resolvers.adapters.http import AdapterOptions, close_shared_session  # noqa: E402
from resolvers.adapters.petition import NewPetition, PetitionClient  # noqa: E402
from resolvers.adapters.suggestion import SuggestionClient  # noqa: E402

CLI = (sys.executable, "-m", "minyi.cli")
SYSTEMS = ("hotline", "petition", "board", "grid", "suggestion")
PHONE = "13607318820"
VIEW = """query($phone: String!) { citizen(phone: $phone) {
  summary { totalCount bySystem { system count } }
  appeals(first: 20) { nodes { id system status receivedAt timeline { number reached at } } } } }"""
SEARCH = "{ appeals(first: 20) { nodes { id system status receivedAt } unavailableSystems } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, deadline_s: float = 180) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


async def _file_twenty(legacy: dict[str, str]) -> None:
    """20 appeals of one person over four systems, through each stand-in's own interface."""

    def options(name: str) -> AdapterOptions:
        return AdapterOptions(base_url=legacy[name], username="minyi-service", password="minyi-service-pass")

    hotline, petition = HotlineClient(options("hotline")), PetitionClient(options("petition"))
    grid, suggestion = GridClient(options("grid")), SuggestionClient(options("suggestion"))
    for n in range(6):
        await hotline.register(
            {"lxdh": PHONE, "ldr": "王先生", "sqlx": "投诉", "bt": f"噪音扰民{n}", "nr": "夜间施工噪音"}
        )
    for n in range(5):
        await petition.register(
            NewPetition(form="来信", petitioner_name="王某", phone=PHONE, address="长沙市开福区某路1号",
                        content=f"反映拆迁补偿问题{n}", purpose="申诉求决类", location_code="430105002003")
        )  # fmt: skip
    for n in range(5):
        await grid.report(
            GridReport(source="公众", description=f"小区门口暴露垃圾{n}", major_code="01", minor_code="02",
                       cell_grid_code="430105002003001", reporter_name="王某", reporter_phone=PHONE, reflect_type="投诉")
        )  # fmt: skip
    for n in range(4):
        await suggestion.submit({"jybt": f"增设公交站{n}", "jynr": "建议增设公交站", "jyrxm": "王某", "lxdh": PHONE,
                                 "jylb": "交通运输"})  # fmt: skip
    await close_shared_session()


async def _measure(url: str, token: str, query: str, variables: dict[str, str], runs: int) -> tuple[list[float], Any]:
    headers = {"Authorization": f"Bearer {token}"}
    times: list[float] = []
    body: Any = None
    async with aiohttp.ClientSession() as http:
        for n in range(runs + 3):
            started = time.perf_counter()
            async with http.post(url, json={"query": query, "variables": variables}, headers=headers) as r:
                body = await r.json(content_type=None)
            elapsed = time.perf_counter() - started
            if "errors" in body:
                raise SystemExit(f"the query failed: {body['errors']}")
            if n >= 3:  # the first three warm the plan cache and the connections
                times.append(elapsed)
    return times, body


async def _baseline(url: str, runs: int) -> list[float]:
    times: list[float] = []
    async with aiohttp.ClientSession() as http:
        for _ in range(runs):
            started = time.perf_counter()
            async with http.get(url) as r:
                await r.read()
            times.append(time.perf_counter() - started)
    return times


def _row(name: str, times: list[float], floor: float) -> str:
    p50 = statistics.median(times) * 1000
    p90 = sorted(times)[int(len(times) * 0.9) - 1] * 1000
    return f"| {name} | {p50:.0f} ms | {p90:.0f} ms | {p50 / (floor * 1000):.1f}× |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="minyi-bench-lookup-"))
    ports = {name: _free_port() for name in (*SYSTEMS, "appeals", "gateway")}
    legacy = {name: f"http://127.0.0.1:{ports[name]}" for name in SYSTEMS}
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    env = {**os.environ, "MINYI_DEV": "1", "MINYI_INTERNAL_JWKS_URL": f"{gateway}/internal/jwks", "MINYI_REDIS_URL": ""}
    procs: list[subprocess.Popen[bytes]] = []

    def start(argv: tuple[str, ...], extra: dict[str, str] | None = None) -> None:
        procs.append(
            subprocess.Popen(argv, env={**env, **(extra or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )

    try:
        for name in SYSTEMS:
            start((*CLI, "legacy", name, "--port", str(ports[name]), "--db", str(data / f"{name}.sqlite")))
        for name in SYSTEMS:
            _wait(f"{legacy[name]}/_admin/stats")
        asyncio.run(_file_twenty(legacy))  # before the delay: setting up is not measured
        for name in SYSTEMS:
            request = urllib.request.Request(
                f"{legacy[name]}/_admin/faults", data=f'{{"latency_ms": {args.latency_ms}}}'.encode(), method="POST",
                headers={"content-type": "application/json"},
            )  # fmt: skip
            urllib.request.urlopen(request, timeout=5).close()
        urls = [arg for name in SYSTEMS for arg in ("--legacy-url", f"{name}={legacy[name]}")]
        start((*CLI, "subgraph", "appeals", "--port", str(ports["appeals"]), *urls))
        users = data / "users.json"  # a supervisor over the whole city, who may read anyone's view
        subprocess.run(
            (*CLI, "users", "add", "city-supervisor", "--name", "市督办", "--role", "supervisor", "--password",
             "bench-pass-2026", "--admin-code", "430100", "--file", str(users)),
            env=env, capture_output=True, check=True,
        )  # fmt: skip
        start(
            (*CLI, "gateway", "--port", str(ports["gateway"]), "--supergraph", str(ROOT / "schema/supergraph.graphql"),
             "--subgraph-url", f"appeals=http://127.0.0.1:{ports['appeals']}/graphql"),
            {"MINYI_AUTH_DEV": "1", "MINYI_AUTH_USERS_FILE": str(users)},
        )  # fmt: skip
        _wait(f"http://127.0.0.1:{ports['appeals']}/health")
        _wait(f"{gateway}/health")
        token = subprocess.run(
            (*CLI, "token", "city-supervisor", "--password", "bench-pass-2026", "--dev", "--gateway", gateway),
            env={**env, "MINYI_AUTH_DEV": "1"}, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        view, seen = asyncio.run(_measure(f"{gateway}/graphql", token, VIEW, {"phone": PHONE}, args.runs))
        search, found = asyncio.run(_measure(f"{gateway}/graphql", token, SEARCH, {}, args.runs))
        floor = statistics.median(asyncio.run(_baseline(f"{legacy['hotline']}/api/gd/list", args.runs)))  # 401, delayed
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data, ignore_errors=True)
    summary = seen["data"]["citizen"]["summary"]
    systems = ", ".join(f"{c['system']} {c['count']}" for c in summary["bySystem"])
    print(f"the citizen's view: {summary['totalCount']} appeals ({systems}); the search: "
          f"{len(found['data']['appeals']['nodes'])} appeals")  # fmt: skip
    print(
        f"every legacy system delayed {args.latency_ms} ms; {args.runs} requests each, one at a time; cpus={os.cpu_count()}"
    )
    print("| query | p50 | p90 | p50 / baseline |")
    print("|---|---|---|---|")
    print(_row("baseline: one direct request to one delayed stand-in", [floor], floor))
    print(_row("citizen { summary appeals(first: 20) { … timeline } } (20 appeals, 4 systems)", view, floor))
    print(_row("appeals(first: 20) over five systems", search, floor))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
