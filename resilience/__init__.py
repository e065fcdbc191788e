"""Calling systems that fail: circuit breakers and retry delays with jitter.

A small library under the gateway and the subgraphs' legacy adapters alike, with no dependency on the rest of the
project and no I/O: :mod:`resilience.breaker` decides whether a call may go to a system (closed / open /
half-open); :mod:`resilience.backoff` says how long to wait before retrying an idempotent call.
"""

from resilience.backoff import RetryPolicy, retry_delays
from resilience.breaker import BreakerPolicy, BreakerStats, CircuitBreaker, CircuitState, Permit

__all__ = [
    "BreakerPolicy",
    "BreakerStats",
    "CircuitBreaker",
    "CircuitState",
    "Permit",
    "RetryPolicy",
    "retry_delays",
]
