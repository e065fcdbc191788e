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

The load generator is ``wrk`` (Debian: ``apt-get install wrk``), one thread per client (``-t`` = ``-c`` =
``--concurrency``): wrk's Lua has no per-connection state, so each thread holds one connection, and its ``init``
gives it one client's ``Authorization`` header and body (the bench writes the script into its temporary directory).
Its ``response`` counts the answers that are not 200 or carry ``"errors"``; these and wrk's socket errors and
timeouts are the errors. Latency is wrk's (p50 and p99 of every view answered). Before the load, every citizen's
view is asked once and checked whole. ``--load aiohttp`` drives the same views with the older aiohttp client in
this process; ``--load both`` loads each stack with both, in turn.

A process's CPU time is user + system from /proc/<pid>/stat before and after the load; "per view" divides it by
the views answered. The load generator runs on the same cores: its CPU (wrk's, from the rusage of the reaped
child; the aiohttp client's, this process's) is reported in a column of its own, not in the stack's. Output:
views/s, p50/p99 latency, errors, CPU ms per view of the gateway, the four subgraphs together, the four stand-ins
together and the load generator, the cores the stack and the load generator kept busy, and the cores the machine's
other processes kept busy meanwhile (its non-idle time in /proc/stat less theirs: on a shared machine, what the
stack had to share); then the medians over the rounds and the ratios (this checkout / baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import os
import resource
import shutil
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
LOADER = "load generator"
# the demo's access tokens live 10 minutes; a stack started long before its turn (the baseline's start, a loaded
# machine) logs its clients in again, so that no round meets expired tokens
RELOGIN_AFTER_S = 300
_LOADERS = {
    "wrk": "wrk, one thread and connection per client",
    "aiohttp": "the aiohttp client in the bench's process",
}

# One wrk thread per client, each with one connection (-t = -c): setup() numbers the threads, init() gives thread i
# client i's request; response() counts answers that are not 200 or carry "errors"; done() prints one JSON line.
WRK_SCRIPT = """local clients = {CLIENTS}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("client", #threads)
end
function init(args)
  bad = 0
  local c = clients[(client - 1) % #clients + 1]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. c[1]
  wrk.body = c[2]
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_answers = 0
  for _, thread in ipairs(threads) do bad_answers = bad_answers + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'MINYI {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "bad": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad_answers,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class Round:
    stack: str  # the stack's name, and the load generator's with --load both
    views: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_view: dict[str, float]  # per process label, per kind and the load generator's
    other_cores: float  # the cores the machine's other processes kept busy meanwhile (/proc/stat)

    @property
    def rate(self) -> float:
        return self.views / self.seconds

    @property
    def stack_cores(self) -> float:
        """The cores the stack and the load generator kept busy."""
        return sum(self.cpu_ms_per_view[kind] for kind in (*KINDS, LOADER)) * self.rate / 1000


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
    logged_in_at: float  # time.monotonic() of the clients' logins


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


def _processes_of(source: Path, data_dir: Path, seed: int, redis_url: str, offset: int) -> list[ProcessSpec]:
    """The demo's processes as the revision at ``source`` starts them: its own ``minyi.demo.demo_processes``, asked
    in a child process with that revision on the path (a baseline may predate options, subgraphs or ports that this
    checkout's demo has)."""
    if source.resolve() == ROOT.resolve():
        return demo_processes(data_dir, seed, redis_url, offset)
    script = (
        "import dataclasses, json, sys\n"
        "from pathlib import Path\n"
        "from minyi.demo import demo_processes\n"
        "specs = demo_processes(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))\n"
        "print(json.dumps([dataclasses.asdict(spec) for spec in specs]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), str(seed), redis_url, str(offset)],
        cwd=source,
        env={**os.environ, "PYTHONPATH": str(source)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [
        ProcessSpec(
            spec["label"],
            tuple(spec["argv"]),
            spec["port"],
            spec["health_url"],
            tuple((name, value) for name, value in spec.get("env", ())),
        )
        for spec in orjson.loads(out.strip().splitlines()[-1])
    ]


def _database(redis_url: str, after: int) -> str:
    """``redis_url`` with its database number moved on by ``after`` (``redis://h:p/5`` and 1: ``.../6``)."""
    if after == 0:
        return redis_url
    base, _, number = redis_url.rpartition("/")
    if not number.isdigit() or base.endswith("/"):  # no database in the URL: database 0
        return f"{redis_url.rstrip('/')}/{after}"
    return f"{base}/{int(number) + after}"


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
    specs = [spec for spec in _processes_of(source, data_dir, seed, redis_url, offset) if spec.health_url]
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


async def _check(stack: Stack, lenient: bool = False) -> None:
    """Every citizen's view must answer without errors, with data from as many systems as the person filed in:
    a fast wrong answer measures nothing. ``lenient`` (the baseline): a view without errors that answers fewer
    systems is reported, not refused — an older revision may not find a person in every system this one does."""
    checked: set[str] = set()
    for token, person in stack.clients:
        if person.username in checked:
            continue
        checked.add(person.username)
        body = await _one(stack, token, person)
        citizen = (body.get("data") or {}).get("citizen") or {}
        fields = ("hotlineTickets", "petitions", "boardMessages", "gridEvents")
        filled = sum(1 for f in fields if citizen.get(f))
        if lenient and "errors" not in body and 0 < filled < person.systems:
            empty = ", ".join(f for f in fields if not citizen.get(f))
            print(
                f"{stack.name}: the view of {person.username} answers {filled} of {person.systems} systems "
                f"(none in {empty}): this revision does less work per view than this checkout",
                flush=True,
            )
        elif "errors" in body or filled != person.systems:
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


def _lua(text: str) -> str:
    if "]==]" in text:
        raise ValueError(f"cannot quote {text!r:.80} for Lua")
    return f"[==[{text}]==]"


def wrk_script(clients: Sequence[tuple[str, Citizen]]) -> str:
    """The wrk script whose thread i asks client i's view with client i's token."""
    rows = ", ".join(
        "{" + _lua(token) + ", " + _lua(orjson.dumps({"query": QUERY, "variables": {"phone": c.phone}}).decode()) + "}"
        for token, c in clients
    )
    return WRK_SCRIPT.replace("{CLIENTS}", "{" + rows + "}")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy_s() -> float:
    """Non-idle time of all cores (user, nice, system, irq, softirq) from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:8]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _other_cores(busy_s: float, wall_s: float, stack_s: float, loader_s: float) -> float:
    return max(0.0, busy_s - stack_s - loader_s) / wall_s


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _load(stack: Stack, seconds: float, loader: str, work: Path) -> Round:
    return await (_load_wrk(stack, seconds, work) if loader == "wrk" else _load_aiohttp(stack, seconds))


async def _load_wrk(stack: Stack, seconds: float, work: Path) -> Round:
    script = work / f"views-{stack.pids['gateway']}.lua"
    script.write_text(wrk_script(stack.clients))
    count = len(stack.clients)
    argv = ["wrk", f"-t{count}", f"-c{count}", f"-d{max(1, round(seconds))}s", "--timeout", "20s", "-s", str(script)]
    before = {label: _cpu_seconds(pid) for label, pid in stack.pids.items()}
    loader_before = _children_cpu_s()
    busy_before, wall_before = _machine_busy_s(), time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *argv, f"{stack.gateway_url}/graphql", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    busy, wall = _machine_busy_s() - busy_before, time.perf_counter() - wall_before
    after = {label: _cpu_seconds(pid) for label, pid in stack.pids.items()}
    loader_cpu = _children_cpu_s() - loader_before  # the only child reaped meanwhile: wrk
    lines = [line for line in out.decode().splitlines() if line.startswith("MINYI ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {out.decode()} {err.decode()}")
    summary: dict[str, int] = orjson.loads(lines[-1].removeprefix("MINYI "))
    views = summary["requests"]
    if not views:
        raise RuntimeError(f"{stack.name}: no view answered in {seconds:g} s")
    return Round(
        stack=stack.name,
        views=views,
        errors=summary["bad"] + summary["socket_errors"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        cpu_ms_per_view={**_per_view(before, after, views), LOADER: loader_cpu * 1000 / views},
        other_cores=_other_cores(busy, wall, sum(after.values()) - sum(before.values()), loader_cpu),
    )


async def _load_aiohttp(stack: Stack, seconds: float) -> Round:
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
        loader_before = _own_cpu_s()
        busy_before = _machine_busy_s()
        started = time.perf_counter()
        await asyncio.gather(*(client(token, citizen) for token, citizen in stack.clients))
        elapsed = time.perf_counter() - started
        busy = _machine_busy_s() - busy_before
        loader_cpu = _own_cpu_s() - loader_before
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
        cpu_ms_per_view={**_per_view(before, after, views), LOADER: loader_cpu * 1000 / views},
        other_cores=_other_cores(busy, elapsed, sum(after.values()) - sum(before.values()), loader_cpu),
    )


def _per_view(before: dict[str, float], after: dict[str, float], views: int) -> dict[str, float]:
    per_label = {label: (after[label] - before[label]) * 1000 / views for label in before}
    per_kind = {kind: sum(ms for label, ms in per_label.items() if _kind(label) == kind) for kind in KINDS}
    return {**per_label, **per_kind}


def _row(number: int, result: Round) -> str:
    cpu = " | ".join(f"{result.cpu_ms_per_view[kind]:.2f}" for kind in (*KINDS, LOADER))
    return (
        f"| {number} | {result.stack} | {result.views:,} | {result.rate:.1f} | {result.p50_ms:.0f} | "
        f"{result.p99_ms:.0f} | {result.errors} | {cpu} | {result.stack_cores:.2f} | {result.other_cores:.2f} |"
    )


def _summary(rounds: Sequence[Round]) -> dict[str, float]:
    summary = {
        "views/s": statistics.median(r.rate for r in rounds),
        "p50 ms": statistics.median(r.p50_ms for r in rounds),
        "p99 ms": statistics.median(r.p99_ms for r in rounds),
        "cores busy: stack + load generator": statistics.median(r.stack_cores for r in rounds),
        "cores busy: other processes": statistics.median(r.other_cores for r in rounds),
    }
    for key in (*KINDS, LOADER, *sorted(k for k in rounds[0].cpu_ms_per_view if k not in (*KINDS, LOADER))):
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
    parser.add_argument(
        "--load",
        choices=("wrk", "aiohttp", "both"),
        default="wrk",
        help="the load generator: wrk, one thread per client (default); the aiohttp client in this process; both, "
        "in turn on each stack",
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
    loaders = ("wrk", "aiohttp") if args.load == "both" else (args.load,)
    if "wrk" in loaders and shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk); --load aiohttp runs without it")
    citizens = citizens_of(args.seed, args.citizens)
    load_before = os.getloadavg()

    procs: list[subprocess.Popen[bytes]] = []
    stacks: list[Stack] = []
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory(prefix="minyi-stack-") as tmp:
        try:
            sources = [("this checkout", ROOT, args.port_offset)]
            if args.baseline:
                base = _source_of(args.baseline, Path(tmp) / "baseline")
                sources.append((f"baseline {args.baseline}", base, args.port_offset + 20))
            # each stack its own Redis database: the person directory one revision learns is not another's
            redis_urls = {name: _database(args.redis_url, number) for number, (name, _, _) in enumerate(sources)}
            for name, source, offset in sources:
                data_dir = Path(tmp) / f"data-{offset}"
                data_dir.mkdir()
                merging = (args.merging if name == "this checkout" else args.baseline_merging) == "on"
                url, pids = await _start(
                    name, source, offset, redis_urls[name], args.seed, data_dir, procs, citizens, merging
                )
                stack = Stack(name, url, pids, await _clients(url, args.concurrency, citizens), time.monotonic())
                await _check(stack, lenient=name != "this checkout")
                for loader in loaders:
                    await _load(stack, args.warmup, loader, Path(tmp))
                stacks.append(stack)
            for _ in range(args.rounds):
                for number, stack in enumerate(stacks):
                    if time.monotonic() - stack.logged_in_at > RELOGIN_AFTER_S:
                        clients = await _clients(stack.gateway_url, args.concurrency, citizens)
                        stack = stacks[number] = dataclasses.replace(
                            stack, clients=clients, logged_in_at=time.monotonic()
                        )
                    for loader in loaders:
                        result = await _load(stack, args.duration, loader, Path(tmp))
                        if len(loaders) > 1:
                            result = dataclasses.replace(result, stack=f"{stack.name}, {loader}")
                        rounds.append(result)
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
        f"{args.rounds} rounds per stack, {os.cpu_count()} cores; CPU per view summed over each kind's processes; "
        f"load generator: {' and '.join(_LOADERS[loader] for loader in loaders)}; load average (1, 5, 15 min) "
        + " ".join(f"{v:.2f}" for v in load_before)
        + " before, "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
        + " after"
    )
    print(
        "\n| round | stack | views | views/s | p50 ms | p99 ms | errors | gateway CPU ms/view | subgraphs CPU ms/view "
        "| stand-ins CPU ms/view | load generator CPU ms/view | cores: stack + load generator | cores: other processes |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for number, result in enumerate(rounds, 1):
        print(_row(number, result))
    summaries = {
        name: _summary([r for r in rounds if r.stack == name]) for name in dict.fromkeys(r.stack for r in rounds)
    }
    names = list(summaries)
    print("\n| median | " + " | ".join(names) + (" | ratio |" if len(names) == 2 else " |"))
    print("|---|" + "---|" * (len(names) + (1 if len(names) == 2 else 0)))
    for metric in dict.fromkeys(m for name in names for m in summaries[name]):  # a baseline may lack a system
        values = [summaries[name].get(metric) for name in names]
        cells = " | ".join("–" if v is None else f"{v:.1f}" if v >= 10 else f"{v:.2f}" for v in values)
        first, last = values[0], values[-1]
        ratio = f" | {first / last:.2f}×" if len(values) == 2 and first is not None and last else ""
        print(f"| {metric} | {cells}{ratio} |")


if __name__ == "__main__":
    asyncio.run(main())
