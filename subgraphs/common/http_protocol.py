"""uvicorn's httptools protocol, sending a response's status line and headers with its body in one write.

uvicorn writes the head of a response to the socket as soon as the app sends ``http.response.start``, and the body
in a second write when ``http.response.body`` follows: two ``send`` calls per answer, two TCP segments (the
socket has ``TCP_NODELAY``), and the gateway reading each answer in two wake-ups. A subgraph answers every request
with one whole body right after its start, so :class:`HeadWithBodyProtocol` holds the head back until the first
body write (or the connection closes) and sends both at once. The ASGI spec allows it: a server may wait for the
first body chunk before sending the head. ``100 Continue`` interim answers go out at once, as before, and a
``HEAD`` request, which has no body write, is left as uvicorn sends it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HeadWithBodyProtocol"]

_INTERIM = b"HTTP/1.1 1"  # 100 Continue (uvicorn writes no other 1xx)


class _HeadHeldBack:
    """The transport one request/response cycle writes through: its first (non-interim) write, the response
    head, waits for the next one."""

    __slots__ = ("_head", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self._started = False

    def write(self, data: bytes) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head + data)
        elif not self._started and not data.startswith(_INTERIM):
            self._started = True
            self._head = data
        else:
            self._transport.write(data)

    def close(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HeadWithBodyProtocol(HttpToolsProtocol):
    """See the module docstring; everything else is uvicorn's."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle is not before and cycle.scope["method"] != "HEAD":
            cycle.transport = _HeadHeldBack(self.transport)  # type: ignore[assignment]
