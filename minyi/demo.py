"""``minyi demo``: every process of the platform on this machine, each a real process, stopped together.

Starts the five legacy stand-ins (seeded SQLite files under ``data_dir``), the five system subgraphs, the
cross-system appeals subgraph (reading all five stand-ins, serving the write mutations), an outbox worker
(``minyi worker``, when Redis answers: the outbox of write-through dispatch lives there) and the federation
gateway over the checked-in ``schema/supergraph.graphql`` (its subgraph URLs rewritten for the port
offset), waits until each answers, prints the URLs, and on Ctrl-C (or SIGTERM) stops them all. The subgraphs share the person
directory through Redis on 127.0.0.1:6379 when one answers; otherwise each keeps its own in memory, and the demo
says so.

The gateway runs the embedded OIDC provider in dev mode (``MINYI_AUTH_DEV=1``) with the demo users in
``data_dir/users.json`` (all with the password :data:`auth.users.DEMO_PASSWORD`); its login sessions and signing
keys are in the same Redis when there is one, in the gateway process otherwise. The demo prints the users and how
to get a token: ``minyi token USER --dev --gateway URL`` logs in through the running gateway, so it works either
way. The subgraphs accept only the gateway's internal tokens: a request without a login is anonymous all the way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from subgraphs.settings import DEFAULT_LEGACY_PORTS, DEFAULT_SUBGRAPH_PORTS

__all__ = ["ProcessSpec", "run_demo"]

log = logging.getLogger("minyi.demo")

SYSTEMS = ("hotline", "petition", "board", "grid", "suggestion")
GATEWAY_PORT = 4000
SUPERGRAPH = Path(__file__).resolve().parent.parent / "schema" / "supergraph.graphql"
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    label: str
    argv: tuple[str, ...]
    port: int
    health_url: str
    env: tuple[tuple[str, str], ...] = ()


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.3) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


def demo_processes(data_dir: Path, seed: int, redis_url: str | None, offset: int = 0) -> list[ProcessSpec]:
    cli = (sys.executable, "-m", "minyi.cli")
    specs = [
        ProcessSpec(
            f"legacy {name}",
            (
                *cli,
                "legacy",
                name,
                "--port",
                str(port + offset),
                "--db",
                str(data_dir / f"{name}.sqlite"),
                "--seed",
                str(seed),
            ),
            port + offset,
            f"http://127.0.0.1:{port + offset}/_admin/stats",
        )
        for name in SYSTEMS
        for port in (DEFAULT_LEGACY_PORTS[name],)
    ]
    # the subgraphs accept only the gateway's internal tokens, verified with the key set it publishes
    jwks = ("MINYI_INTERNAL_JWKS_URL", f"http://127.0.0.1:{GATEWAY_PORT + offset}/internal/jwks")
    redis = (("MINYI_REDIS_URL", redis_url),) if redis_url else ()
    # dev mode: the subgraphs use the public development person-key secret (the demo users' person keys match it)
    env = (*redis, jwks, ("MINYI_DEV", "1"))
    for name in SYSTEMS:
        port = DEFAULT_SUBGRAPH_PORTS[name] + offset
        legacy_url = f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS[name] + offset}"
        specs.append(
            ProcessSpec(
                f"subgraph {name}",
                (*cli, "subgraph", name, "--port", str(port), "--legacy-url", legacy_url),
                port,
                f"http://127.0.0.1:{port}/health",
                env,
            )
        )
    appeals_port = DEFAULT_SUBGRAPH_PORTS["appeals"] + offset
    legacy_urls = [
        arg
        for name in SYSTEMS
        for arg in ("--legacy-url", f"{name}=http://127.0.0.1:{DEFAULT_LEGACY_PORTS[name] + offset}")
    ]
    specs.append(
        ProcessSpec(
            "subgraph appeals",
            (*cli, "subgraph", "appeals", "--port", str(appeals_port), "--systems", " ".join(SYSTEMS), *legacy_urls),
            appeals_port,
            f"http://127.0.0.1:{appeals_port}/health",
            env,
        )
    )
    gateway_port = GATEWAY_PORT + offset
    overrides = [
        arg
        for name in (*SYSTEMS, "appeals")
        for arg in ("--subgraph-url", f"{name}=http://127.0.0.1:{DEFAULT_SUBGRAPH_PORTS[name] + offset}/graphql")
    ]
    specs.append(
        ProcessSpec(
            "gateway",
            # one worker process: the demo is a laptop's, and its process list names every process
            (
                *cli,
                "gateway",
                "--port",
                str(gateway_port),
                "--workers",
                "1",
                "--supergraph",
                str(SUPERGRAPH),
                *overrides,
            ),
            gateway_port,
            f"http://127.0.0.1:{gateway_port}/health",
            # the embedded login in dev mode (`minyi token`), demo users; issuer = http://127.0.0.1:{gateway_port}
            # GraphiQL for browsers at /graphql and the workbench at /portal; the gateway in dev mode, so that
            # GraphiQL may introspect the schema without a login (outside dev mode only the admin role may)
            (
                *redis,
                ("MINYI_AUTH_DEV", "1"),
                ("MINYI_GATEWAY_DEV", "1"),
                ("MINYI_AUTH_USERS_FILE", str(data_dir / "users.json")),
                ("MINYI_GATEWAY_GRAPHIQL", "1"),
            ),
        )
    )
    if redis_url:  # the outbox lives in Redis: without it writes are refused and no worker runs
        specs.append(
            ProcessSpec(
                "outbox worker",
                (
                    *cli,
                    "worker",
                    "--redis-url",
                    redis_url,
                    "--hotline-url",
                    f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS['hotline'] + offset}",
                    "--grid-url",
                    f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS['grid'] + offset}",
                    "--board-url",
                    f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS['board'] + offset}",
                    "--petition-url",
                    f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS['petition'] + offset}",
                    "--suggestion-url",
                    f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS['suggestion'] + offset}",
                ),
                0,
                "",
            )
        )
    return specs


def _wait_healthy(spec: ProcessSpec, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    if not spec.health_url:  # a process without a port (the outbox worker): alive after a moment is enough
        time.sleep(0.5)
        return proc.poll() is None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(spec.health_url, timeout=1) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return False


def _stop_all(procs: list[tuple[ProcessSpec, subprocess.Popen[bytes]]]) -> None:
    for _, proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for spec, proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in time; killing it", spec.label)
            proc.kill()
            proc.wait()


def _print_logins(gateway_port: int, redis_url: str | None) -> None:
    from urllib.parse import urlencode

    from auth.clients import PORTAL_CLIENT_ID
    from auth.users import DEMO_PASSWORD, demo_logins

    base = f"http://127.0.0.1:{gateway_port}"
    query = urlencode(
        {
            "response_type": "code",
            "client_id": PORTAL_CLIENT_ID,
            "redirect_uri": f"{base}/portal/callback",
            "scope": "openid appeals:read",
            "code_challenge": "<S256 of your code_verifier>",
            "code_challenge_method": "S256",
        },
        safe="<>",
    )
    print(f"\nThe agents' workbench (工作台): {base}/portal/   GraphiQL: {base}/graphql (in a browser)")
    print(f"Demo logins (password {DEMO_PASSWORD} for all):")
    for username, name, role, where in demo_logins():
        print(f"  {username:<12} {name}  {role.value:<18} {where}")
    print("A token for the graph (send it as Authorization: Bearer …):")
    print(f"  minyi token dispatcher --dev --gateway {base}")
    print(f"Login page (portal client, PKCE): {base}/oauth/authorize?{query}")
    print(f"Logins, sessions and keys: {'Redis ' + redis_url if redis_url else 'in the gateway process (no Redis)'}\n")


def run_demo(
    *, data_dir: Path, seed: int, port_offset: int = 0, start_timeout_s: float = 180.0, redis_url: str | None = None
) -> int:
    """Run until interrupted; returns the process exit code. ``redis_url``: the Redis every process shares (by
    default the one on 127.0.0.1:6379 when it answers, else none)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if redis_url is None:
        redis_url = REDIS_URL if _redis_answers() else None
    else:
        where = urlsplit(redis_url)
        if not _redis_answers(where.hostname or "127.0.0.1", where.port or 6379):
            print(f"Redis does not answer at {redis_url}", file=sys.stderr)
            return 1
    specs = demo_processes(data_dir, seed, redis_url, port_offset)
    busy = [s for s in specs if s.port and _port_in_use(s.port)]
    if busy:
        for s in busy:
            print(f"port {s.port} ({s.label}) is already in use; stop whatever runs there first", file=sys.stderr)
        return 1
    if redis_url is None:
        print("Redis does not answer on 127.0.0.1:6379: the subgraphs keep their person directory in memory,")
        print("so a citizen looked up in one subgraph is not known to the others. Start redis-server for that.")
    procs: list[tuple[ProcessSpec, subprocess.Popen[bytes]]] = []
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for spec in specs:
            env = {**os.environ, **dict(spec.env)}
            procs.append((spec, subprocess.Popen(spec.argv, env=env)))
        deadline = time.monotonic() + 150  # twelve processes starting at once on a busy machine
        for spec, proc in procs:
            if not _wait_healthy(spec, proc, deadline):
                print(
                    f"{spec.label} did not start within {start_timeout_s:.0f} s (exit code {proc.poll()}); stopping the demo",
                    file=sys.stderr,
                )
                return 1
        print("\nMinyi demo is running (Ctrl-C stops everything):")
        for spec in specs:
            if not spec.health_url:
                print(f"  {spec.label:<18} (no port; applies accepted writes from the outbox in Redis)")
                continue
            url = spec.health_url.rsplit("/", 1)[0] if spec.label.startswith("legacy") else spec.health_url
            url = url.replace("/health", "/graphql").replace("/_admin", "")
            print(f"  {spec.label:<18} {url}")
        _print_logins(GATEWAY_PORT + port_offset, redis_url)
        print(f"  person directory   {'Redis ' + redis_url if redis_url else 'in memory (no Redis)'}")
        sys.stdout.flush()
        while not stopping:
            for spec, proc in procs:
                if proc.poll() is not None:
                    print(f"{spec.label} exited with code {proc.returncode}; stopping the demo", file=sys.stderr)
                    return 1
            time.sleep(0.2)
        print("stopping…")
        return 0
    finally:
        _stop_all(procs)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
