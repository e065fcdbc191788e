"""Retry delays with full jitter: attempt *n* waits a uniform random time in ``[0, min(cap, base · 2ⁿ)]``.

Jitter spreads the retries of many clients that failed at the same moment, so that they do not arrive together
at a system that is just coming back ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015). Only
idempotent calls may be retried — a query, a read — never a write: the caller decides, this module only counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["RetryPolicy", "retry_delays"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """``retries`` more attempts after the first (0: none); delays from ``base_s`` doubling up to ``cap_s``."""

    retries: int = 2
    base_s: float = 0.05
    cap_s: float = 0.5

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError("retries must be 0 or more")
        if self.base_s < 0 or self.cap_s < self.base_s:
            raise ValueError("retry delays need 0 <= base_s <= cap_s")


NO_RETRIES = RetryPolicy(retries=0)


def retry_delays(policy: RetryPolicy, rand: Callable[[], float] = random.random) -> Iterator[float]:
    """The wait before each retry of ``policy``, one per retry; ``rand`` draws from ``[0, 1)`` (tests fix it)."""
    for attempt in range(policy.retries):
        yield rand() * min(policy.cap_s, policy.base_s * 2**attempt)
