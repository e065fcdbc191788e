"""A :class:`~gateway.executor.fetcher.Fetcher` that measures and traces each subgraph request it passes on.

For every request: the ``subgraph_fetch_duration_seconds`` histogram, ``subgraph_errors_total`` when it failed or
answered with GraphQL errors (:mod:`gateway.metrics`), and — with a tracer — a client span ``fetch <subgraph>``,
child of the span current in the executor's task, whose context goes to the subgraph in ``traceparent``
(:mod:`gateway.tracing`). The executor never knows: it sees a plain fetcher.
"""

from __future__ import annotations

import time
from dataclasses import replace

from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from gateway.executor.fetcher import Fetcher, SubgraphRequest, SubgraphResponse
from gateway.metrics import GatewayMetrics
from gateway.tracing import inject_trace_context

__all__ = ["InstrumentedFetcher"]


class InstrumentedFetcher:
    __slots__ = ("_inner", "_metrics", "_tracer")

    def __init__(self, inner: Fetcher, *, metrics: GatewayMetrics | None = None, tracer: Tracer | None = None) -> None:
        self._inner = inner
        self._metrics = metrics
        self._tracer = tracer

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        started = time.perf_counter()
        if self._tracer is None:
            response = await self._inner.fetch(subgraph, request)
        else:
            with self._tracer.start_as_current_span(
                f"fetch {subgraph}",
                kind=SpanKind.CLIENT,
                attributes={"minyi.subgraph": subgraph, "graphql.operation.name": request.operation_name or ""},
            ) as span:
                headers = dict(request.headers or {})
                inject_trace_context(headers)
                response = await self._inner.fetch(subgraph, replace(request, headers=headers))
                if response.failure is not None:
                    span.set_attribute("minyi.failure_code", response.failure_code)
                    span.set_status(Status(StatusCode.ERROR, response.failure))
                elif response.errors:
                    span.set_attribute("minyi.graphql_errors", len(response.errors))
        metrics = self._metrics
        if metrics is not None:
            failure_code = (
                response.failure_code if response.failure is not None else "GRAPHQL_ERROR" if response.errors else None
            )
            metrics.fetch_done(subgraph, time.perf_counter() - started, failure_code)
        return response
