"""W3C Trace Context through a subgraph: the gateway's ``traceparent`` becomes the context of the request's work,
so every legacy call made for it carries the same trace on (:class:`resolvers.adapters.http.LegacyHttp`
injects it).

The subgraphs record no spans of their own: the legacy calls are children of the gateway's ``fetch <subgraph>``
span, which is enough to follow one citizen's request from the gateway to each system of record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["TraceContextMiddleware"]

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

_propagator = TraceContextTextMapPropagator()


class TraceContextMiddleware:
    """ASGI middleware: a request with ``traceparent`` runs with the caller's trace context attached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        carrier: dict[str, str] = {}
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name in (b"traceparent", b"tracestate"):
                    carrier[name.decode("latin-1")] = value.decode("latin-1")
        if not carrier:
            await self.app(scope, receive, send)
            return
        token = otel_context.attach(_propagator.extract(carrier))
        try:
            await self.app(scope, receive, send)
        finally:
            otel_context.detach(token)
