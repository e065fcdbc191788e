"""The gateway's circuit breakers: one per subgraph, living as long as the app (a schema reload keeps them).

:class:`SubgraphCircuits` makes each subgraph's :class:`~resilience.CircuitBreaker` on first use with one policy,
reports every change of state to the metrics (``minyi_gateway_circuit_state``, ``…_circuit_transitions_total``)
and the log, and lists them for ``/health``. The HTTP fetcher asks it for a subgraph's breaker before each call
(:mod:`gateway.executor.http_fetcher`).
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.metrics import GatewayMetrics
from resilience import BreakerPolicy, CircuitBreaker, CircuitState

__all__ = ["SubgraphCircuits"]

log = logging.getLogger("minyi.gateway")


class SubgraphCircuits:
    def __init__(self, policy: BreakerPolicy | None = None, *, metrics: GatewayMetrics | None = None) -> None:
        self.policy = policy or BreakerPolicy()
        self._metrics = metrics
        self._breakers: dict[str, CircuitBreaker] = {}

    def __call__(self, subgraph: str) -> CircuitBreaker:
        """The breaker of ``subgraph``."""
        breaker = self._breakers.get(subgraph)
        if breaker is None:
            breaker = self._breakers[subgraph] = CircuitBreaker(subgraph, self.policy, on_change=self._changed)
            if self._metrics is not None:
                self._metrics.circuit_changed(subgraph, CircuitState.CLOSED.value)
        return breaker

    def health(self) -> dict[str, dict[str, Any]]:
        """Each subgraph called so far: its state and counts, for ``/health``."""
        return {name: breaker.stats().as_json() for name, breaker in sorted(self._breakers.items())}

    def any_open(self) -> bool:
        return any(b.state is not CircuitState.CLOSED for b in self._breakers.values())

    def _changed(self, subgraph: str, state: CircuitState) -> None:
        if self._metrics is not None:
            self._metrics.circuit_changed(subgraph, state.value)
            self._metrics.circuit_transitions.labels(subgraph, state.value).inc()
        if state is CircuitState.OPEN:
            log.warning(
                "subgraph %s: circuit open after repeated failures; not called for %gs", subgraph, self.policy.open_s
            )
        else:
            log.info("subgraph %s: circuit %s", subgraph, state.value.replace("_", "-"))
