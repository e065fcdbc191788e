"""What every legacy stand-in shares: options, request counting, injected faults, SQLite, serving.

A stand-in is an aiohttp application with its own SQLite database and its own native protocol. Around the
protocol routes this module adds:

- a request counter, by route, that tests read at ``GET /_admin/stats`` (admin routes are not counted);
- injected latency and failure rate, set at start-up (``--latency-ms``, ``--failure-rate``) or at run time with
  ``POST /_admin/faults {"latency_ms": 300, "failure_rate": 0.2}``; a failed request answers HTTP 503;
- ``POST /_admin/faults {"hold": true}`` holds every new request, unanswered, until faults are set again without
  ``hold``; ``GET /_admin/stats`` says how many are ``held`` now, so a test can tell that a caller gave up on the
  system (its timeout) while the system still had the call;
- ``POST /_admin/reset`` zeroes the counters;
- the user each call was made for, by the ``X-Acting-User`` header (代办人, sent by the credential broker), counted
  by user at ``GET /_admin/acting-users`` (``{"by_user": {...}, "last": ...}``; reset with the counters). A
  protocol that carries the user elsewhere (the board's signed form field, the petition service's SOAP header)
  records it with :func:`record_acting_user` once the request is authenticated.

The admin routes stand for the operator's console of the real system; product code never calls them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

__all__ = [
    "COUNTER_KEY",
    "FAULTS_KEY",
    "NAME_KEY",
    "Faults",
    "StandinOptions",
    "create_standin_app",
    "open_database",
    "record_acting_user",
    "run_standin",
]

log = logging.getLogger("minyi.legacy")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True, kw_only=True)
class StandinOptions:
    """How one stand-in runs. ``db`` of ``None`` means a private in-memory database."""

    host: str = "127.0.0.1"
    port: int = 0
    db: Path | None = None
    seed: int = 1
    people: int = 400
    latency_ms: int = 0
    failure_rate: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must not be negative")


@dataclass(slots=True)
class Faults:
    latency_ms: int = 0
    failure_rate: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    released: asyncio.Event = field(default_factory=asyncio.Event)  # cleared while requests are held
    held: int = 0

    def __post_init__(self) -> None:
        self.released.set()


COUNTER_KEY = web.AppKey("request_counter", Counter[str])
FAULTS_KEY = web.AppKey("faults", Faults)
NAME_KEY = web.AppKey("standin_name", str)
ACTING_KEY = web.AppKey("acting_users", Counter[str])
LAST_ACTING_KEY = web.AppKey("last_acting_user", list[str | None])
ACTING_HEADER = "X-Acting-User"


@web.middleware
async def _count_and_inject(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_admin/"):
        return await handler(request)
    counter = request.app[COUNTER_KEY]
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else request.path
    counter["total"] += 1
    counter[f"{request.method} {route}"] += 1
    record_acting_user(request.app, request.headers.get(ACTING_HEADER))
    faults = request.app[FAULTS_KEY]
    if not faults.released.is_set():
        faults.held += 1
        try:
            await faults.released.wait()
        finally:
            faults.held -= 1
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    if faults.failure_rate and faults.rng.random() < faults.failure_rate:
        return web.Response(status=503, text="Service Unavailable (injected)")
    return await handler(request)


def record_acting_user(app: web.Application, subject: str | None) -> None:
    """Count one call made for ``subject`` (nothing when the call names no user)."""
    if subject:
        app[ACTING_KEY][subject] += 1
        app[LAST_ACTING_KEY][0] = subject


async def _stats(request: web.Request) -> web.Response:
    counter = request.app[COUNTER_KEY]
    by_route = {k: v for k, v in counter.items() if k != "total"}
    held = request.app[FAULTS_KEY].held
    return web.json_response({"requests": counter["total"], "by_route": by_route, "held": held})


async def _acting_users(request: web.Request) -> web.Response:
    by_user = {k: v for k, v in request.app[ACTING_KEY].items() if k}
    return web.json_response({"by_user": by_user, "last": request.app[LAST_ACTING_KEY][0]})


async def _reset(request: web.Request) -> web.Response:
    request.app[COUNTER_KEY].clear()
    request.app[ACTING_KEY].clear()
    request.app[LAST_ACTING_KEY][0] = None
    return web.json_response({"ok": True})


async def _set_faults(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        latency = int(body.get("latency_ms", 0))
        rate = float(body.get("failure_rate", 0.0))
        hold = body.get("hold", False)
    except (ValueError, TypeError, AttributeError):
        hold = None
    if hold is None or not isinstance(hold, bool):
        return web.json_response({"error": "expected {latency_ms: int, failure_rate: float, hold: bool}"}, status=400)
    if latency < 0 or not 0.0 <= rate <= 1.0:
        return web.json_response({"error": "latency_ms >= 0 and 0 <= failure_rate <= 1"}, status=400)
    faults = request.app[FAULTS_KEY]
    faults.latency_ms, faults.failure_rate = latency, rate
    if hold:
        faults.released.clear()
    else:
        faults.released.set()
    return web.json_response({"latency_ms": latency, "failure_rate": rate, "hold": hold})


def create_standin_app(
    name: str,
    options: StandinOptions,
    routes: Iterable[web.AbstractRouteDef],
    *,
    middlewares: Iterable[Callable[..., Awaitable[web.StreamResponse]]] = (),
) -> web.Application:
    """An aiohttp app serving ``routes`` behind the counter and the fault injector."""
    app = web.Application(middlewares=[_count_and_inject, *middlewares], client_max_size=2 * 1024 * 1024)
    app[COUNTER_KEY] = Counter()
    app[ACTING_KEY] = Counter()
    last: list[str | None] = [None]
    app[LAST_ACTING_KEY] = last
    app[FAULTS_KEY] = Faults(options.latency_ms, options.failure_rate, random.Random(options.seed))
    app.router.add_get("/_admin/stats", _stats)
    app.router.add_post("/_admin/reset", _reset)
    app.router.add_get("/_admin/acting-users", _acting_users)
    app.router.add_post("/_admin/faults", _set_faults)
    app.router.add_routes(list(routes))
    app[NAME_KEY] = name
    return app


def open_database(path: Path | None, schema: str) -> tuple[sqlite3.Connection, bool]:
    """Open (or create) the stand-in's SQLite file; returns the connection and whether it was empty."""
    target = ":memory:" if path is None else str(path)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL" if path is not None else "PRAGMA journal_mode=MEMORY")
    conn.execute("PRAGMA foreign_keys=ON")
    tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    conn.executescript(schema)
    return conn, tables == 0


def run_standin(app: web.Application, options: StandinOptions) -> None:
    """Serve until interrupted (the ``minyi legacy`` command)."""
    name = app[NAME_KEY]
    log.info("legacy %s stand-in on http://%s:%d", name, options.host, options.port)
    web.run_app(app, host=options.host, port=options.port, print=None, access_log=None, handle_signals=True)
