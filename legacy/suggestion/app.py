"""``create_app(options)``: the suggestion stand-in as an aiohttp application (``minyi legacy suggestion``, 4105)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from legacy.standin import StandinOptions, create_standin_app, open_database
from legacy.suggestion.protocol import CLOCK_KEY, DB_KEY, LOAD_KEY, LoadTracker, admin_routes, middlewares, routes
from legacy.suggestion.seed import suggestion_rows
from legacy.suggestion.store import SCHEMA, insert_rows
from legacy.world import World, build_world

__all__ = ["create_app"]


def create_app(
    options: StandinOptions,
    *,
    world: World | None = None,
    now: datetime | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> web.Application:
    """The seeded stand-in. ``world`` lets tests seed from the city they already built; otherwise it is built
    from ``options`` with ``now`` as its anchor. ``clock`` stamps new suggestions and workflow steps."""
    conn, empty = open_database(options.db, SCHEMA)
    if empty:
        city = world or build_world(options.seed, people=options.people, now=now)
        insert_rows(conn, suggestion_rows(city, options.seed))
    app = create_standin_app("suggestion", options, [*routes, *admin_routes], middlewares=middlewares)
    app[DB_KEY] = conn
    app[LOAD_KEY] = LoadTracker()
    app[CLOCK_KEY] = clock

    async def close_database(app: web.Application) -> None:
        conn.close()

    app.on_cleanup.append(close_database)
    return app
