"""The gateway's Prometheus series (prometheus-client), one registry per app, served at ``/metrics``.

Series (all prefixed ``minyi_gateway_``):

- ``requests_total{operation, outcome}``: GraphQL requests by operation name (``-`` when anonymous) and outcome —
  ``success`` (no errors), ``partial`` (data and errors), ``request_error`` (refused before execution: parse,
  validation, limits, rate and cost limits), ``failure`` (HTTP 5xx).
- ``request_duration_seconds{operation}``: the whole request, from the first byte read to the last byte sent.
- ``plan_duration_seconds``: building one query plan (a plan-cache miss in every tier).
- ``subgraph_fetch_duration_seconds{subgraph}``: one subgraph request, answered or not.
- ``subgraph_errors_total{subgraph, code}``: subgraph requests that failed (``SUBGRAPH_UNAVAILABLE``,
  ``CIRCUIT_OPEN``…) or answered with GraphQL errors (``GRAPHQL_ERROR``).
- ``cache_requests_total{cache, result}``: lookups in the document, plan and persisted-query caches by ``hit`` /
  ``miss``; the hit ratio is ``rate(…{result="hit"}) / rate(…)``.
- ``operation_cost``: the estimated cost of each operation checked against a cost limit.
- ``rate_limited_total{limit}``: requests refused by a rate limit, by the bucket that refused them (``user``,
  ``client``, ``ip``).
- ``circuit_state{subgraph}``: each subgraph's circuit breaker, 0 closed, 1 half-open, 2 open.
- ``circuit_transitions_total{subgraph, state}``: changes of a subgraph's circuit into ``open``, ``half_open``
  or ``closed`` (the count of ``open`` is how often it opened, of ``closed`` how often it recovered).
- ``in_flight_requests``: requests being served.

With several worker processes (``minyi gateway --workers N``) the series live in prometheus-client's
multiprocess files (``PROMETHEUS_MULTIPROC_DIR``, set by the parent) and a scrape of any worker answers for all of
them: counters and histograms are summed, ``in_flight_requests`` is summed over live workers and
``circuit_state`` is the worst state any worker sees.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["CIRCUIT_STATE_VALUES", "MAX_OPERATION_NAMES", "GatewayMetrics", "metrics_endpoint"]

CIRCUIT_STATE_VALUES = {"closed": 0, "half_open": 1, "open": 2}
MAX_OPERATION_NAMES = 500

# request and fetch latencies of a gateway over legacy systems: milliseconds to the ten-second timeout
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_PLAN_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class GatewayMetrics:
    """The series of one gateway app. ``multiprocess_dir``: the directory the worker processes share (scrapes then
    aggregate every worker's files); ``None``: this process only."""

    def __init__(self, *, multiprocess_dir: Path | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry(auto_describe=True)
        self._operation_names: set[str] = set()
        # the labelled series the hot path uses, by metric and label values: prometheus_client's labels() takes a
        # lock and checks the values on every call; the values here are bounded (operation names are capped)
        self._series: dict[tuple[int, tuple[str, ...]], Any] = {}
        registry = self.registry
        self.requests = Counter(
            "minyi_gateway_requests",
            "GraphQL requests by operation name and outcome.",
            ("operation", "outcome"),
            registry=registry,
        )
        self.request_duration = Histogram(
            "minyi_gateway_request_duration_seconds",
            "Time to answer a GraphQL request.",
            ("operation",),
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.plan_duration = Histogram(
            "minyi_gateway_plan_duration_seconds",
            "Time to build a query plan (a miss in every plan-cache tier).",
            buckets=_PLAN_BUCKETS,
            registry=registry,
        )
        self.fetch_duration = Histogram(
            "minyi_gateway_subgraph_fetch_duration_seconds",
            "Time of one subgraph request.",
            ("subgraph",),
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.subgraph_errors = Counter(
            "minyi_gateway_subgraph_errors",
            "Subgraph requests that failed or answered with GraphQL errors, by code.",
            ("subgraph", "code"),
            registry=registry,
        )
        self.cache = Counter(
            "minyi_gateway_cache_requests",
            "Cache lookups by cache (document, plan, persisted_query) and result (hit, miss).",
            ("cache", "result"),
            registry=registry,
        )
        self.operation_cost = Histogram(
            "minyi_gateway_operation_cost",
            "Estimated cost of operations (demand control, when a cost limit is set).",
            buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 100000),
            registry=registry,
        )
        self.rate_limited_total = Counter(
            "minyi_gateway_rate_limited",
            "Requests refused by a rate limit, by the limit that refused them (user, client, ip).",
            ("limit",),
            registry=registry,
        )
        self.circuit_state = Gauge(
            "minyi_gateway_circuit_state",
            "Circuit breaker of each subgraph: 0 closed, 1 half-open, 2 open.",
            ("subgraph",),
            registry=registry,
            multiprocess_mode="livemax",
        )
        self.circuit_transitions = Counter(
            "minyi_gateway_circuit_transitions",
            "Changes of a subgraph's circuit breaker into a state (open, half_open, closed).",
            ("subgraph", "state"),
            registry=registry,
        )
        self.in_flight = Gauge(
            "minyi_gateway_in_flight_requests",
            "GraphQL requests being served.",
            registry=registry,
            multiprocess_mode="livesum",
        )

    def operation_label(self, name: str | None) -> str:
        """``name`` as a label value: ``-`` for anonymous operations; past :data:`MAX_OPERATION_NAMES` distinct
        names (clients choose them), ``other`` — a series per name must not let a client grow memory without end."""
        if name is None:
            return "-"
        if name in self._operation_names:
            return name
        if len(self._operation_names) >= MAX_OPERATION_NAMES or len(name) > 100:
            return "other"
        self._operation_names.add(name)
        return name

    def _series_of(self, metric: Counter | Histogram, *labels: str) -> Any:
        """``metric.labels(*labels)``, kept for the next call."""
        key = (id(metric), labels)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = metric.labels(*labels)
        return series

    def request_done(self, operation: str | None, outcome: str, seconds: float) -> None:
        label = self.operation_label(operation)
        self._series_of(self.requests, label, outcome).inc()
        self._series_of(self.request_duration, label).observe(seconds)

    def cache_lookup(self, cache: str, hit: bool) -> None:
        self._series_of(self.cache, cache, "hit" if hit else "miss").inc()

    def fetch_done(self, subgraph: str, seconds: float, failure_code: str | None) -> None:
        """One subgraph request: its duration, and ``failure_code`` (``GRAPHQL_ERROR`` for an answer with errors)
        counted when it did not go well."""
        self._series_of(self.fetch_duration, subgraph).observe(seconds)
        if failure_code is not None:
            self._series_of(self.subgraph_errors, subgraph, failure_code).inc()

    def rate_limited(self, limit: str) -> None:
        self.rate_limited_total.labels(limit).inc()

    def circuit_changed(self, subgraph: str, state: str) -> None:
        self.circuit_state.labels(subgraph).set(CIRCUIT_STATE_VALUES[state])

    def exposition(self) -> bytes:
        """The text a scrape gets: this registry, or every worker's files in multiprocess mode."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=str(self.multiprocess_dir))  # type: ignore[no-untyped-call]
        return generate_latest(merged)


def metrics_endpoint(metrics: GatewayMetrics) -> Callable[[Request], Awaitable[Response]]:
    """``GET /metrics`` in the Prometheus text format."""

    async def endpoint(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return endpoint
