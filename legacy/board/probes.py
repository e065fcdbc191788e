"""What the board's operators (and tests) can observe: requests in flight, their peak, reads per thread.

``GET /_admin/probes`` answers ``{"in_flight", "max_in_flight", "hold_ms", "detail_reads": {tid: n}}``;
``POST /_admin/probes {"hold_ms": 20}`` zeroes the peak and the reads and sets ``hold_ms``, a pause taken
*inside* the in-flight window (the shared fault latency is taken outside it), so overlapping requests show.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


__all__ = ["PROBES_KEY", "Probes", "probe_routes", "track_in_flight"]


@dataclass(slots=True)
class Probes:
    in_flight: int = 0
    max_in_flight: int = 0
    hold_ms: int = 0
    detail_reads: Counter[int] = field(default_factory=Counter)


PROBES_KEY = web.AppKey("board_probes", Probes)


@web.middleware
async def track_in_flight(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/v1/"):
        return await handler(request)
    probes = request.app[PROBES_KEY]
    probes.in_flight += 1
    probes.max_in_flight = max(probes.max_in_flight, probes.in_flight)
    try:
        if probes.hold_ms:
            await asyncio.sleep(probes.hold_ms / 1000)
        return await handler(request)
    finally:
        probes.in_flight -= 1


async def _show(request: web.Request) -> web.Response:
    probes = request.app[PROBES_KEY]
    return web.json_response(
        {
            "in_flight": probes.in_flight,
            "max_in_flight": probes.max_in_flight,
            "hold_ms": probes.hold_ms,
            "detail_reads": {str(tid): n for tid, n in sorted(probes.detail_reads.items())},
        }
    )


async def _reset(request: web.Request) -> web.Response:
    try:
        body = await request.json() if request.can_read_body else {}
        hold_ms = int(body.get("hold_ms", 0))
    except (ValueError, TypeError, AttributeError):
        return web.json_response({"error": "expected {hold_ms: int}"}, status=400)
    if hold_ms < 0:
        return web.json_response({"error": "hold_ms >= 0"}, status=400)
    probes = request.app[PROBES_KEY]
    probes.max_in_flight = probes.in_flight
    probes.hold_ms = hold_ms
    probes.detail_reads.clear()
    return web.json_response({"hold_ms": hold_ms})


def probe_routes() -> list[web.RouteDef]:
    return [web.get("/_admin/probes", _show), web.post("/_admin/probes", _reset)]
