"""``create_app(options)``: the grid stand-in as an aiohttp application (``minyi legacy grid``, port 4104)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from legacy.grid.protocol import CLOCK_KEY, DB_KEY, LOAD_KEY, TOKENS_KEY, LoadTracker, middlewares, routes
from legacy.grid.store import SCHEMA, seed_events
from legacy.grid.tokens import DEFAULT_TTL_S, TokenStore
from legacy.standin import StandinOptions, create_standin_app, open_database
from legacy.world import build_world

__all__ = ["create_app"]


def create_app(
    options: StandinOptions,
    *,
    token_ttl_s: int = DEFAULT_TTL_S,
    now: datetime | None = None,
    token_clock: Callable[[], float] = time.monotonic,
    clock: Callable[[], datetime] = datetime.now,
) -> web.Application:
    """The seeded stand-in. ``now`` anchors the synthetic city (default: the present); ``token_ttl_s`` is the
    access-token lifetime and ``token_clock`` the clock tokens expire by; ``clock`` stamps the workflow steps."""
    conn, empty = open_database(options.db, SCHEMA)
    if empty:
        seed_events(conn, build_world(options.seed, people=options.people, now=now))
    app = create_standin_app("grid", options, routes, middlewares=middlewares)
    app[DB_KEY] = conn
    app[TOKENS_KEY] = TokenStore(ttl_s=token_ttl_s, clock=token_clock)
    app[LOAD_KEY] = LoadTracker()
    app[CLOCK_KEY] = clock

    async def close_database(app: web.Application) -> None:
        conn.close()

    app.on_cleanup.append(close_database)
    return app
