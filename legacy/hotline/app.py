"""``create_app(options)``: the hotline stand-in as an aiohttp application (``minyi legacy hotline``, port 4101).

The database is seeded from the synthetic city when empty. Besides the shared admin routes of
:mod:`legacy.standin`, the hotline's operator console has ``POST /_admin/expire-sessions`` (every session ends
now) and ``POST /_admin/session-ttl {"ttl_s": N}`` (the TTL of sessions opened from now on).
"""

from __future__ import annotations

from aiohttp import web

from legacy.hotline.limits import TimeLimits
from legacy.hotline.routes import HotlineApi
from legacy.hotline.seed import seed_tickets
from legacy.hotline.sessions import DEFAULT_TTL_S, SessionStore
from legacy.hotline.store import SCHEMA, HotlineStore
from legacy.standin import StandinOptions, create_standin_app, open_database
from legacy.world import build_world

__all__ = ["API_KEY", "create_app"]

API_KEY = web.AppKey("hotline_api", HotlineApi)


def create_app(
    options: StandinOptions,
    *,
    session_ttl_s: float = DEFAULT_TTL_S,
    limits: TimeLimits | None = None,
) -> web.Application:
    conn, empty = open_database(options.db, SCHEMA)
    store = HotlineStore(conn)
    rules = limits or TimeLimits()
    if empty or store.count() == 0:
        world = build_world(options.seed, people=options.people)
        units, tickets = seed_tickets(world, options.seed, rules)
        store.save_all(tickets, units)
    api = HotlineApi(store, SessionStore(session_ttl_s), rules)
    routes = [
        *api.routes(),
        web.post("/_admin/expire-sessions", _expire_sessions),
        web.post("/_admin/session-ttl", _session_ttl),
    ]
    app = create_standin_app("hotline", options, routes)
    app[API_KEY] = api

    async def close_database(app: web.Application) -> None:
        conn.close()

    app.on_cleanup.append(close_database)
    return app


async def _expire_sessions(request: web.Request) -> web.Response:
    expired = request.app[API_KEY].sessions.expire_all()
    return web.json_response({"expired": expired})


async def _session_ttl(request: web.Request) -> web.Response:
    try:
        ttl = float((await request.json())["ttl_s"])
    except (ValueError, TypeError, KeyError):
        return web.json_response({"error": 'expected {"ttl_s": number}'}, status=400)
    if ttl <= 0:
        return web.json_response({"error": "ttl_s must be positive"}, status=400)
    request.app[API_KEY].sessions.ttl_s = ttl
    return web.json_response({"ttl_s": ttl})
