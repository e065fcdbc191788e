"""A subgraph's Prometheus series at ``/metrics``: the circuit breakers of its legacy systems.

Read from the breakers at scrape time (:func:`resolvers.adapters.circuits.legacy_breakers`), all labelled by
``system`` (summed over a system's addresses; the state is the worst of them):

- ``minyi_legacy_circuit_state``: 0 closed, 1 half-open, 2 open;
- ``minyi_legacy_calls_total``, ``minyi_legacy_failures_total``: calls let through, and those that failed
  (timeout, refused connection, 5xx);
- ``minyi_legacy_short_circuited_total``: calls refused without trying while the circuit was open;
- ``minyi_legacy_circuit_opened_total``, ``minyi_legacy_circuit_closed_total``: times it opened, and recoveries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from resilience import BreakerStats, CircuitState
from resolvers.adapters.circuits import legacy_breakers

__all__ = ["STATE_VALUES", "metrics_endpoint"]

STATE_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}
_COUNTERS = (
    ("minyi_legacy_calls", "Legacy calls let through by the circuit breaker.", "calls"),
    ("minyi_legacy_failures", "Legacy calls that failed (timeout, refused connection, 5xx).", "failures"),
    ("minyi_legacy_short_circuited", "Legacy calls refused without trying: the circuit was open.", "short_circuited"),
    ("minyi_legacy_circuit_opened", "Times a legacy system's circuit opened.", "opened"),
    ("minyi_legacy_circuit_closed", "Times a legacy system's circuit closed again after a good trial call.", "closed"),
)


class LegacyCircuitCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        by_system: dict[str, list[BreakerStats]] = {}
        for system, _url, breaker in legacy_breakers():
            by_system.setdefault(system, []).append(breaker.stats())
        state = GaugeMetricFamily(
            "minyi_legacy_circuit_state", "Circuit breaker of each legacy system: 0 closed, 1 half-open, 2 open.",
            labels=("system",),
        )  # fmt: skip
        for system, stats in by_system.items():
            state.add_metric((system,), max(STATE_VALUES[s.state] for s in stats))
        yield state
        for name, documentation, attribute in _COUNTERS:
            family = CounterMetricFamily(name, documentation, labels=("system",))
            for system, stats in by_system.items():
                family.add_metric((system,), sum(getattr(s, attribute) for s in stats))
            yield family


def metrics_endpoint() -> Callable[[Request], Awaitable[Response]]:
    """``GET /metrics`` in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LegacyCircuitCollector())

    async def endpoint(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return endpoint
