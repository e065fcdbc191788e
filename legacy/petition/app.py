"""The 信访 stand-in: a SOAP 1.1 web service (XfService) over its own SQLite table, seeded from the synthetic city.

Routes: ``POST /services/XfService`` (SOAP, WS-Security UsernameToken; see :mod:`legacy.petition.service`) and
``GET /services/XfService?wsdl``. The service account is ``minyi-service`` / ``minyi-service-pass``; nothing else
is accepted. Default port 4102 (``minyi legacy petition``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from legacy.petition.seed import seed_rows
from legacy.petition.service import XfService
from legacy.petition.store import SCHEMA, PetitionStore
from legacy.petition.wsdl import wsdl_document
from legacy.standin import StandinOptions, create_standin_app, open_database
from legacy.world import build_world

__all__ = ["SERVICE_PATH", "create_app"]

SERVICE_PATH = "/services/XfService"
SERVICE_ACCOUNTS = {"minyi-service": "minyi-service-pass"}


async def _wsdl(request: web.Request) -> web.Response:
    if "wsdl" not in request.query:
        return web.Response(status=404, text="XfService: append ?wsdl for the service description")
    location = f"{request.scheme}://{request.host}{SERVICE_PATH}"
    return web.Response(text=wsdl_document(location), content_type="text/xml", charset="utf-8")


def create_app(options: StandinOptions, *, clock: Callable[[], datetime] = datetime.now) -> web.Application:
    """The stand-in app; an empty database is seeded from ``build_world(options.seed, people=options.people)``.

    ``clock`` is the system's local time for its workflow steps (tests move it to cross statutory limits).
    """
    conn, _ = open_database(options.db, SCHEMA)
    store = PetitionStore(conn)
    if store.count() == 0:
        world = build_world(options.seed, people=options.people)
        store.insert_many(seed_rows(world, options.seed, world.now))
    service = XfService(store, accounts=SERVICE_ACCOUNTS, clock=clock)
    app = create_standin_app(
        "petition", options, [web.post(SERVICE_PATH, service.handle), web.get(SERVICE_PATH, _wsdl)]
    )

    async def close_database(app: web.Application) -> None:
        conn.close()

    app.on_cleanup.append(close_database)
    return app
