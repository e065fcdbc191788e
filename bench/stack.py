"""The whole demo stack under load: concurrent citizen views with real login tokens, CPU per view per process kind.

Starts what ``minyi demo`` starts — four legacy stand-ins (seeded SQLite files), four subgraphs, the gateway with
its embedded login in dev mode — as separate processes on ``--port-offset`` (never the demo's own ports), with the
person directory and login sessions in ``--redis-url``. Logs ``--concurrency`` clients in through the gateway's
login (each login a session of its own, each client its own access token), then every client asks its citizen's
view — the person's appeals in all four systems, one query — again and again.

``--citizens 1`` (the default): every client is the demo citizen (杜玲), one user, so the gateway's in-flight
merging lets identical views in flight share subgraph calls. ``--citizens K``: the clients are K different people
of the seeded city, client i logging in as citizen i mod K, so with K = ``--concurrency`` no two views in flight are
alike and merging cannot help. The K citizens are people of the stand-ins' synthetic city (``--seed``) with the
most of the four systems filed in (the 6 of seed 1 with all four first, the demo citizen among them, then people
with three, then two), each added to the gateway's user file (``users.json`` in the stack's data directory) as
``citizen`` (the demo citizen) or ``citizen-<pid>`` with the demo password and the person key of their phone.
``--merging off`` turns merging off in this checkout's gateway, to measure what every view costs on its own.

With ``--baseline REF`` the same stack is also started from the git revision REF (``git archive`` into a temporary
directory, run with this interpreter and its installed dependencies) and the two stacks are loaded in turn,
``--rounds`` times each, alternating, so both meet the same machine load; the table has one row per round.

A process's CPU time is user + system from /proc/<pid>/stat before and after the load; "per view" divides it by
the views answered. The load generator (an aiohttp client in this process) runs on the same cores and is not
counted. Output: views/s, p50/p99 latency, errors, and CPU ms per view of the gateway, the four subgraphs together
and the four stand-ins together; then the medians over the rounds and the ratios (this checkout / baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auth.password_login import log_in_through  # noqa: E402
from auth.principal import Role  # noqa: E402
from auth.user_store import RedisUserStore  # noqa: E402
from auth.users import DEMO_PASSWORD, User, UserStore, demo_users, hash_password  # noqa: E402
from legacy.world import build_world  # noqa: E402
from minyi.demo import ProcessSpec, demo_processes  # noqa: E402
from resolvers.domain import person_key  # noqa: E402
from resolvers.persons import connect_redis  # noqa: E402
from subgraphs.settings import DEV_PERSON_KEY_SECRET  # noqa: E402

CITIZEN_USER = "citizen"
CITIZEN_PHONE = "19939150008"  # 杜玲, the demo citizen: filings in all four systems
VIEW_SYSTEMS = ("hotline", "petition", "board", "grid")
APPEAL_FIELDS = "id trackingNo title status sourceStatus receivedAt deadline petitioner { name phone personKey }"
QUERY = (
    "query CitizenView($phone: String!) { citizen(phone: $phone) { personKey "
    + " ".join(
        f"{field} {{ {APPEAL_FIELDS} leadUnit {{ code name }} }}"
        for field in ("hotlineTickets", "petitions", "boardMessages", "gridEvents")
    )
    + " } }"
)
KINDS = ("gateway", "subgraphs", "stand-ins")


@dataclass(frozen=True, slots=True)
class Round:
    stack: str
    views: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_view: dict[str, float]  # per process label and per kind

    @property
    def rate(self) -> float:
        return self.views / self.seconds


@dataclass(frozen=True, slots=True)
class Citizen:
    username: str
    name: str
    phone: str
    systems: int  # how many of the view's four systems hold filings of this person


@dataclass(frozen=True, slots=True)
class Stack:
    name: str
    gateway_url: str
    pids: dict[str, int]  # process label ("subgraph board") -> pid
    clients: list[tuple[str, Citizen]]  # one per client: its access token and whose view it asks


def citizens_of(seed: int, count: int) -> list[Citizen]:
    """``count`` people of the synthetic city of ``seed``, those filed in the most of the view's systems first
    (the demo citizen first of all), then by person number."""
    world = build_world(seed)
    systems: dict[int, set[str]] = {}
    for filing in world.filings:
        if filing.system in VIEW_SYSTEMS:
            systems.setdefault(filing.person.pid, set()).add(filing.system)
    people = sorted(
        (p for p in world.persons if p.pid in systems),
        key=lambda p: (p.phone != CITIZEN_PHONE, -len(systems[p.pid]), p.pid),
    )
    if len(people) < count:
        raise SystemExit(f"the city of seed {seed} has only {len(people)} people with filings")
    return [
        Citizen(CITIZEN_USER if p.phone == CITIZEN_PHONE else f"citizen-{p.pid}", p.name, p.phone, len(systems[p.pid]))
        for p in people[:count]
    ]


async def _add_citizens(data_dir: Path, redis_url: str | None, citizens: Sequence[Citizen]) -> None:
    """The demo users and one citizen user per person of ``citizens``, with the demo password, where the gateway
    reads its users: the Redis hash ``minyi:users`` with Redis (seeded with the demo users first), else the file."""
    secret = DEV_PERSON_KEY_SECRET.encode()  # the demo's subgraphs run in dev mode
    hashed = hash_password(DEMO_PASSWORD)
    users = {u.username: u for u in demo_users()}
    for c in citizens:
        if c.username not in users:
            key = person_key(secret, phone=c.phone)
            users[c.username] = User(c.username, c.name, (Role.CITIZEN,), hashed, person_key=key)
    UserStore(data_dir / "users.json", users.values()).save()
    if redis_url:
        redis = connect_redis(redis_url)
        try:
            await RedisUserStore(redis, dev=True).seed(users.values())
        finally:
            await redis.aclose()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kind(label: str) -> str:
    if label.startswith("legacy"):
        return "stand-ins"
    return "subgraphs" if label.startswith("subgraph") else "gateway"


def _source_of(ref: str, into: Path) -> Path:
    """The tracked files of ``ref``, unpacked into ``into``."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


async def _wait_healthy(url: str, proc: subprocess.Popen[bytes], deadline: float) -> None:
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
            try:
                async with session.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def _start(
    name: str,
    source: Path,
    offset: int,
    redis_url: str,
    seed: int,
    data_dir: Path,
    procs: list[subprocess.Popen[bytes]],
    citizens: Sequence[Citizen],
    merging: bool = True,
) -> tuple[str, dict[str, int]]:
    # the demo's processes that serve a port: the outbox worker (writes only) has no part in a view
    specs = [spec for spec in demo_processes(data_dir, seed, redis_url, offset) if spec.health_url]
    await _add_citizens(data_dir, redis_url, citizens)
    env_base = {**os.environ, "PYTHONPATH": str(source)}
    started: list[tuple[ProcessSpec, subprocess.Popen[bytes]]] = []
    for spec in specs:
        argv = [
            str(source / "schema" / "supergraph.graphql") if a.endswith("supergraph.graphql") else a for a in spec.argv
        ]
        if spec.label == "gateway" and not merging:
            argv.append("--no-merge-inflight")
        proc = subprocess.Popen(argv, cwd=source, env={**env_base, **dict(spec.env)}, stdout=subprocess.DEVNULL)
        procs.append(proc)
        started.append((spec, proc))
    deadline = time.monotonic() + 300  # a shared machine under load starts slowly
    for spec, proc in started:
        await _wait_healthy(spec.health_url, proc, deadline)
    pids = {spec.label: proc.pid for spec, proc in started}
    gateway = next(spec for spec in specs if spec.label == "gateway")
    print(f"{name}: {len(started)} processes up, gateway on port {gateway.port}", flush=True)
    return f"http://127.0.0.1:{gateway.port}", pids


async def _clients(gateway_url: str, count: int, citizens: Sequence[Citizen]) -> list[tuple[str, Citizen]]:
    clients = []
    for number in range(count):
        citizen = citizens[number % len(citizens)]
        answer = await log_in_through(
            gateway_url,
            citizen.username,
            DEMO_PASSWORD,
            redirect_uri=f"{gateway_url}/portal/callback",
            scope="openid appeals:read",
        )
        clients.append((str(answer["access_token"]), citizen))
    return clients


async def _check(stack: Stack) -> None:
    """Every citizen's view must answer without errors, with data from as many systems as the person filed in:
    a fast wrong answer measures nothing."""
    checked: set[str] = set()
    for token, person in stack.clients:
        if person.username in checked:
            continue
        checked.add(person.username)
        body = await _one(stack, token, person)
        citizen = (body.get("data") or {}).get("citizen") or {}
        fields = ("hotlineTickets", "petitions", "boardMessages", "gridEvents")
        filled = sum(1 for f in fields if citizen.get(f))
        if "errors" in body or filled != person.systems:
            raise RuntimeError(
                f"{stack.name}: the view of {person.username} is not whole ({filled} of {person.systems} systems): "
                f"{body!r:.400}"
            )


async def _one(stack: Stack, token: str, citizen: Citizen) -> dict[str, Any]:
    payload = orjson.dumps({"query": QUERY, "variables": {"phone": citizen.phone}})
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{stack.gateway_url}/graphql", data=payload, headers=headers) as resp,
    ):
        result: dict[str, Any] = orjson.loads(await resp.read())
        return result


async def _load(stack: Stack, seconds: float) -> Round:
    url = f"{stack.gateway_url}/graphql"
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=len(stack.clients))
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client(token: str, citizen: Citizen) -> None:
            nonlocal errors
            payload = orjson.dumps({"query": QUERY, "variables": {"phone": citizen.phone}})
            headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                async with session.post(url, data=payload, headers=headers) as resp:
                    body = await resp.read()
                if resp.status != 200 or b'"errors"' in body:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        before = {label: _cpu_seconds(pid) for label, pid in stack.pids.items()}
        started = time.perf_counter()
        await asyncio.gather(*(client(token, citizen) for token, citizen in stack.clients))
        elapsed = time.perf_counter() - started
        after = {label: _cpu_seconds(pid) for label, pid in stack.pids.items()}
    latencies.sort()
    views = len(latencies)
    return Round(
        stack=stack.name,
        views=views,
        errors=errors,
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[max(0, int(views * 0.99) - 1)] * 1000,
        cpu_ms_per_view=_per_view(before, after, views),
    )


def _per_view(before: dict[str, float], after: dict[str, float], views: int) -> dict[str, float]:
    per_label = {label: (after[label] - before[label]) * 1000 / views for label in before}
    per_kind = {kind: sum(ms for label, ms in per_label.items() if _kind(label) == kind) for kind in KINDS}
    return {**per_label, **per_kind}


def _row(number: int, result: Round) -> str:
    cpu = " | ".join(f"{result.cpu_ms_per_view[kind]:.2f}" for kind in KINDS)
    return (
        f"| {number} | {result.stack} | {result.views:,} | {result.rate:.1f} | {result.p50_ms:.0f} | "
        f"{result.p99_ms:.0f} | {result.errors} | {cpu} |"
    )


def _summary(rounds: Sequence[Round]) -> dict[str, float]:
    summary = {
        "views/s": statistics.median(r.rate for r in rounds),
        "p50 ms": statistics.median(r.p50_ms for r in rounds),
        "p99 ms": statistics.median(r.p99_ms for r in rounds),
    }
    for key in (*KINDS, *sorted(k for k in rounds[0].cpu_ms_per_view if k not in KINDS)):
        summary[f"{key} CPU ms/view"] = statistics.median(r.cpu_ms_per_view[key] for r in rounds)
    return summary


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--port-offset",
        type=int,
        default=int(os.environ.get("MINYI_TEST_PORT_OFFSET", "0") or 0) + 50,
        help="added to the demo's ports (default: MINYI_TEST_PORT_OFFSET + 50); the baseline uses offset + 20",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("MINYI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis for the person directory and login sessions (default: MINYI_TEST_REDIS_URL)",
    )
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent clients, each with its own login")
    parser.add_argument(
        "--citizens",
        type=int,
        default=1,
        help="how many different citizens the clients log in as (1: all the demo citizen, so merging can share "
        "views in flight; --concurrency: each client its own person, so it cannot)",
    )
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per round and stack")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load per stack before measuring")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1, help="the stand-ins' seed (the demo's default)")
    parser.add_argument("--baseline", metavar="REF", help="also run the stack of this git revision, alternating")
    parser.add_argument(
        "--merging",
        choices=("on", "off"),
        default="on",
        help="in-flight merging in this checkout's gateway (off: --no-merge-inflight; with one citizen, identical "
        "views in flight share their subgraph calls while it is on)",
    )
    parser.add_argument(
        "--baseline-merging",
        choices=("on", "off"),
        default="on",
        help="in-flight merging in the baseline's gateway (off needs a revision that has --no-merge-inflight)",
    )
    args = parser.parse_args()
    if not 1 <= args.citizens <= args.concurrency:
        parser.error("--citizens is between 1 and --concurrency")
    citizens = citizens_of(args.seed, args.citizens)

    procs: list[subprocess.Popen[bytes]] = []
    stacks: list[Stack] = []
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory(prefix="minyi-stack-") as tmp:
        try:
            sources = [("this checkout", ROOT, args.port_offset)]
            if args.baseline:
                base = _source_of(args.baseline, Path(tmp) / "baseline")
                sources.append((f"baseline {args.baseline}", base, args.port_offset + 20))
            for name, source, offset in sources:
                data_dir = Path(tmp) / f"data-{offset}"
                data_dir.mkdir()
                merging = (args.merging if name == "this checkout" else args.baseline_merging) == "on"
                url, pids = await _start(
                    name, source, offset, args.redis_url, args.seed, data_dir, procs, citizens, merging
                )
                stack = Stack(name, url, pids, await _clients(url, args.concurrency, citizens))
                await _check(stack)
                await _load(stack, args.warmup)
                stacks.append(stack)
            for _ in range(args.rounds):
                for stack in stacks:
                    rounds.append(await _load(stack, args.duration))
                    print(_row(len(rounds), rounds[-1]), flush=True)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()

    who = (
        f"each its own login as {CITIZEN_USER}"
        if args.citizens == 1
        else f"each its own login, as {args.citizens} different citizens ({', '.join(c.username for c in citizens)})"
    )
    print(
        f"\n{args.concurrency} concurrent clients ({who}), merging {args.merging} (baseline: {args.baseline_merging}), {args.duration:g} s per round, "
        f"{args.rounds} rounds per stack, {os.cpu_count()} cores; CPU per view summed over each kind's processes"
    )
    print(
        "\n| round | stack | views | views/s | p50 ms | p99 ms | errors | gateway CPU ms/view | subgraphs CPU ms/view | stand-ins CPU ms/view |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for number, result in enumerate(rounds, 1):
        print(_row(number, result))
    summaries = {stack.name: _summary([r for r in rounds if r.stack == stack.name]) for stack in stacks}
    names = list(summaries)
    print("\n| median | " + " | ".join(names) + (" | ratio |" if len(names) == 2 else " |"))
    print("|---|" + "---|" * (len(names) + (1 if len(names) == 2 else 0)))
    for metric in summaries[names[0]]:
        values = [summaries[name][metric] for name in names]
        cells = " | ".join(f"{v:.1f}" if v >= 10 else f"{v:.2f}" for v in values)
        ratio = f" | {values[0] / values[1]:.2f}×" if len(values) == 2 and values[1] else ""
        print(f"| {metric} | {cells}{ratio} |")


if __name__ == "__main__":
    asyncio.run(main())
