"""The circuit breakers of this process's legacy calls: one per legacy system and address.

Every :class:`~resolvers.adapters.http.LegacyHttp` to the same system at the same base URL shares one
:class:`~resilience.CircuitBreaker` (the appeals subgraph and the write path each hold clients of the same
systems), so a system that is down is judged once per process and not hammered by any of them. The subgraph's
``/health`` and ``/metrics`` read them here (:func:`legacy_breakers`). Like the shared HTTP session, this is
state of the process: a registry, not a cache that could be dropped.
"""

from __future__ import annotations

from resilience import BreakerPolicy, CircuitBreaker

__all__ = ["breaker_for", "legacy_breakers"]

_breakers: dict[tuple[str, str, BreakerPolicy], CircuitBreaker] = {}


def breaker_for(system: str, base_url: str, policy: BreakerPolicy) -> CircuitBreaker:
    """The breaker of ``system`` at ``base_url`` under ``policy`` (one process's settings give every client of a
    system the same policy, so they share it)."""
    key = (system, base_url.rstrip("/"), policy)
    breaker = _breakers.get(key)
    if breaker is None:
        breaker = _breakers[key] = CircuitBreaker(system, policy)
    return breaker


def legacy_breakers() -> list[tuple[str, str, CircuitBreaker]]:
    """Every breaker of this process: (system, base URL, breaker), by system."""
    return sorted(((system, url, b) for (system, url, _), b in _breakers.items()), key=lambda t: (t[0], t[1]))
