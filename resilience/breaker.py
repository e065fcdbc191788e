"""A circuit breaker: stop calling a system that keeps failing, try it again now and then, rejoin when it answers.

States (the classic pattern, as in Nygard's *Release It!*)::

    CLOSED ──(policy.failures consecutive failures)──▶ OPEN ──(policy.open_s later, on the next call)──▶ HALF_OPEN
      ▲                                                 ▲                                                  │
      └───────────────(a trial call succeeds)───────────┼──────────────────────────────────────────────────┤
                                                        └───────────────(a trial call fails)───────────────┘

- **closed**: every call goes; a success resets the count of consecutive failures.
- **open**: no call goes (each refusal is counted as *short-circuited*): the caller answers at once with its own
  "unavailable" instead of waiting for a timeout, and the failing system is not hammered while it recovers.
- **half-open**: at most ``policy.trial_calls`` trial calls go at a time, the others are short-circuited; a trial
  that succeeds closes the circuit, one that fails opens it again for ``policy.open_s``.

The caller asks :meth:`CircuitBreaker.allow` for a :class:`Permit` before a call and reports its outcome with
:meth:`~CircuitBreaker.succeeded` or :meth:`~CircuitBreaker.failed` (or :meth:`~CircuitBreaker.released` when the
call ended with neither, e.g. cancelled). A call still unanswered after ``policy.slow_s`` is reported with
:meth:`~CircuitBreaker.slow`: a failure, and — when nothing at all has succeeded since it was sent — proof enough
that the system is stalled, so the circuit opens without waiting for more calls to time out (one stalled call
may be all there is when callers share their calls). What counts as a failure is the caller's to say: a timeout, a refused
connection or a 5xx — not a well-formed refusal, which proves the system is up. Pure and synchronous: one event
loop calls it, the clock is an argument.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["BreakerPolicy", "BreakerStats", "CircuitBreaker", "CircuitState", "Permit"]


class CircuitState(StrEnum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakerPolicy:
    """``failures`` consecutive failures open the circuit; it stays open ``open_s`` seconds, then lets
    ``trial_calls`` calls at a time try the system. ``slow_s``: a call still unanswered after this long counts as
    failed at that moment (the caller reports it and lets the call go on), so that a system that hangs is
    recognised before its calls time out; ``None``: only the outcome counts."""

    failures: int = 5
    open_s: float = 1.0
    trial_calls: int = 1
    slow_s: float | None = None

    def __post_init__(self) -> None:
        if self.failures < 1 or self.trial_calls < 1:
            raise ValueError("a circuit breaker needs failures >= 1 and trial_calls >= 1")
        if self.open_s <= 0 or (self.slow_s is not None and self.slow_s <= 0):
            raise ValueError("a circuit breaker needs open_s > 0 and slow_s > 0")


@dataclass(frozen=True, slots=True)
class Permit:
    """Leave to make one call: ``trial`` in the half-open state; ``epoch`` counts the closings before it."""

    trial: bool
    epoch: int


@dataclass(frozen=True, slots=True)
class BreakerStats:
    """What a breaker has seen since it was made: for ``/health`` and the metrics."""

    name: str
    state: CircuitState
    consecutive_failures: int
    calls: int  # permits given
    failures: int  # calls that failed
    short_circuited: int  # calls refused without trying
    opened: int  # times the circuit opened (from closed or again from half-open)
    closed: int  # times a trial call closed it again: recoveries

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "consecutive_failures": self.consecutive_failures,
            "calls": self.calls,
            "failures": self.failures,
            "short_circuited": self.short_circuited,
            "opened": self.opened,
            "closed": self.closed,
        }


StateListener = Callable[[str, CircuitState], None]


class CircuitBreaker:
    """The breaker of one system (``name``). ``on_change(name, state)`` hears every change of state."""

    def __init__(
        self,
        name: str,
        policy: BreakerPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_change: StateListener | None = None,
    ) -> None:
        self.name = name
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._listeners: list[StateListener] = [] if on_change is None else [on_change]
        self._state = CircuitState.CLOSED
        self._epoch = 0
        self._consecutive = 0
        self._opened_at = 0.0
        self._trials = 0
        self._last_success_at = float("-inf")
        self._calls = self._failures = self._short_circuited = self._opened = self._closed = 0

    def listen(self, on_change: StateListener) -> None:
        """Also tell ``on_change`` of every change of state from now on."""
        self._listeners.append(on_change)

    @property
    def state(self) -> CircuitState:
        """The state now; an open circuit whose ``open_s`` has passed reads as half-open."""
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self.policy.open_s:
            return CircuitState.HALF_OPEN
        return self._state

    def allow(self) -> Permit | None:
        """A permit to call the system, or ``None``: do not call, answer "unavailable" at once."""
        state = self.state
        if state is CircuitState.CLOSED:
            self._calls += 1
            return Permit(trial=False, epoch=self._epoch)
        if state is CircuitState.HALF_OPEN:
            if self._state is CircuitState.OPEN:
                self._become(CircuitState.HALF_OPEN)
            if self._trials < self.policy.trial_calls:
                self._trials += 1
                self._calls += 1
                return Permit(trial=True, epoch=self._epoch)
        self._short_circuited += 1
        return None

    def now(self) -> float:
        """The breaker's clock (to date a call for :meth:`slow`)."""
        return self._clock()

    def succeeded(self, permit: Permit) -> None:
        self._last_success_at = self._clock()
        if permit.trial:
            self._trials -= 1
            if self._state is CircuitState.HALF_OPEN:
                self._closed += 1
                self._epoch += 1
                self._consecutive = 0
                self._become(CircuitState.CLOSED)
        elif self._state is CircuitState.CLOSED and permit.epoch == self._epoch:
            self._consecutive = 0

    def failed(self, permit: Permit) -> None:
        self._failures += 1
        if permit.trial:
            self._trials -= 1
            if self._state is CircuitState.HALF_OPEN:
                self._open()
        elif self._state is CircuitState.CLOSED and permit.epoch == self._epoch:
            self._consecutive += 1
            if self._consecutive >= self.policy.failures:
                self._open()

    def slow(self, permit: Permit, sent_at: float) -> bool:
        """The call of ``permit``, sent at ``sent_at``, is still unanswered after ``policy.slow_s``: it counts as
        failed from now on (report nothing more for it). When no call has succeeded since it was sent, the system
        is taken to be stalled and the circuit opens at once, whatever the count. Returns whether the circuit is
        now not closed: the caller may then stop waiting."""
        stalled = self._last_success_at < sent_at
        self.failed(permit)
        if stalled and self._state is CircuitState.CLOSED and permit.epoch == self._epoch:
            self._open()
        return self.state is not CircuitState.CLOSED

    def lapsed(self, permit: Permit) -> bool:
        """Whether the circuit opened after ``permit`` was given (a call that waited for its turn): the caller then
        does not call and reports :meth:`released`; counted as short-circuited."""
        if permit.trial or (self._state is CircuitState.CLOSED and permit.epoch == self._epoch):
            return False
        self._short_circuited += 1
        return True

    def released(self, permit: Permit) -> None:
        """The call ended with no outcome to judge (cancelled): its trial slot, if any, is free again."""
        if permit.trial:
            self._trials -= 1

    def stats(self) -> BreakerStats:
        return BreakerStats(
            name=self.name,
            state=self.state,
            consecutive_failures=self._consecutive,
            calls=self._calls,
            failures=self._failures,
            short_circuited=self._short_circuited,
            opened=self._opened,
            closed=self._closed,
        )

    def _open(self) -> None:
        self._opened += 1
        self._opened_at = self._clock()
        self._become(CircuitState.OPEN)

    def _become(self, state: CircuitState) -> None:
        self._state = state
        for listener in self._listeners:
            listener(self.name, state)
