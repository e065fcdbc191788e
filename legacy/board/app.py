"""``minyi legacy board``: the message-board stand-in as an aiohttp application (protocol in :mod:`legacy.board`)."""

from __future__ import annotations

from aiohttp import web

from legacy.board.probes import PROBES_KEY, Probes, probe_routes, track_in_flight
from legacy.board.protocol import STORE_KEY, protocol_routes
from legacy.board.seed import forum_rows, thread_rows
from legacy.board.store import SCHEMA, BoardStore
from legacy.board.waf import waf
from legacy.standin import StandinOptions, create_standin_app, open_database
from legacy.world import World, build_world

__all__ = ["create_app", "open_store"]


def open_store(options: StandinOptions, world: World | None = None) -> BoardStore:
    """The board's database, seeded from the world (``options.seed``, ``options.people``) when empty."""
    conn, empty = open_database(options.db, SCHEMA)
    store = BoardStore(conn)
    if empty:
        city = world or build_world(options.seed, people=options.people)
        store.load(forum_rows(), thread_rows(city, options.seed))
    return store


def create_app(options: StandinOptions, *, world: World | None = None) -> web.Application:
    """The stand-in; ``world`` lets tests seed from the city they already built (same seed gives the same data)."""
    store = open_store(options, world)
    app = create_standin_app(
        "board", options, [*protocol_routes(), *probe_routes()], middlewares=[track_in_flight, waf]
    )
    app[STORE_KEY] = store
    app[PROBES_KEY] = Probes()

    async def close(app: web.Application) -> None:
        store.close()

    app.on_cleanup.append(close)
    return app
