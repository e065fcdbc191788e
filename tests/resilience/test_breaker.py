"""The circuit breaker's states, driven by a hand-turned clock."""

from __future__ import annotations

import pytest

from resilience import BreakerPolicy, CircuitBreaker, CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _breaker(clock: Clock, **policy: float) -> tuple[CircuitBreaker, list[CircuitState]]:
    changes: list[CircuitState] = []
    breaker = CircuitBreaker(
        "grid", BreakerPolicy(**policy), clock=clock, on_change=lambda name, state: changes.append(state)
    )
    return breaker, changes


def _fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        permit = breaker.allow()
        assert permit is not None
        breaker.failed(permit)


def test_consecutive_failures_open_the_circuit_and_later_calls_are_short_circuited() -> None:
    clock = Clock()
    breaker, changes = _breaker(clock, failures=3)
    _fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED
    _fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN and changes == [CircuitState.OPEN]
    assert breaker.allow() is None and breaker.allow() is None
    stats = breaker.stats()
    assert (stats.opened, stats.short_circuited, stats.failures, stats.calls) == (1, 2, 3, 3)


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    breaker, _ = _breaker(Clock(), failures=3)
    _fail(breaker, 2)
    permit = breaker.allow()
    assert permit is not None
    breaker.succeeded(permit)
    _fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED


def test_after_open_s_one_trial_goes_and_its_success_closes_the_circuit() -> None:
    clock = Clock()
    breaker, changes = _breaker(clock, failures=1, open_s=2)
    _fail(breaker, 1)
    clock.now += 1.9
    assert breaker.allow() is None
    clock.now += 0.1
    assert breaker.state is CircuitState.HALF_OPEN
    trial = breaker.allow()
    assert trial is not None and trial.trial
    assert breaker.allow() is None  # one trial at a time
    breaker.succeeded(trial)
    assert breaker.state is CircuitState.CLOSED
    assert changes == [CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.CLOSED]
    assert breaker.stats().closed == 1
    assert breaker.allow() is not None


def test_a_failed_trial_opens_the_circuit_again_for_open_s() -> None:
    clock = Clock()
    breaker, changes = _breaker(clock, failures=1, open_s=1)
    _fail(breaker, 1)
    clock.now += 1
    _fail(breaker, 1)  # the trial
    assert breaker.state is CircuitState.OPEN and breaker.stats().opened == 2
    clock.now += 0.5
    assert breaker.allow() is None
    clock.now += 0.5
    assert breaker.allow() is not None
    assert changes == [CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.OPEN, CircuitState.HALF_OPEN]


def test_a_released_trial_frees_its_slot() -> None:
    clock = Clock()
    breaker, _ = _breaker(clock, failures=1, open_s=1)
    _fail(breaker, 1)
    clock.now += 1
    trial = breaker.allow()
    assert trial is not None
    breaker.released(trial)
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow() is not None


def test_late_failures_of_calls_made_before_the_circuit_closed_again_do_not_count() -> None:
    clock = Clock()
    breaker, _ = _breaker(clock, failures=2, open_s=1)
    early = [breaker.allow() for _ in range(4)]
    breaker.failed(early[0])  # type: ignore[arg-type]
    breaker.failed(early[1])  # type: ignore[arg-type]
    assert breaker.state is CircuitState.OPEN
    clock.now += 1
    trial = breaker.allow()
    assert trial is not None
    breaker.succeeded(trial)
    breaker.failed(early[2])  # type: ignore[arg-type]
    breaker.failed(early[3])  # type: ignore[arg-type]
    assert breaker.state is CircuitState.CLOSED


def test_a_slow_call_opens_the_circuit_at_once_when_nothing_succeeded_since_it_was_sent() -> None:
    clock = Clock()
    breaker, changes = _breaker(clock, failures=5, slow_s=1)
    ok = breaker.allow()
    assert ok is not None
    breaker.succeeded(ok)
    clock.now += 0.5
    stuck = breaker.allow()
    assert stuck is not None
    sent_at = breaker.now()
    clock.now += 1
    assert breaker.slow(stuck, sent_at) is True
    assert changes == [CircuitState.OPEN] and breaker.stats().failures == 1


def test_a_slow_call_among_answered_ones_only_counts_as_a_failure() -> None:
    clock = Clock()
    breaker, changes = _breaker(clock, failures=5, slow_s=1)
    slow = breaker.allow()
    assert slow is not None
    sent_at = breaker.now()
    clock.now += 0.5
    other = breaker.allow()
    assert other is not None
    breaker.succeeded(other)  # the system answers others meanwhile: slow, not stalled
    clock.now += 0.5
    assert breaker.slow(slow, sent_at) is False
    assert changes == [] and breaker.stats().consecutive_failures == 1


@pytest.mark.parametrize("policy", [{"failures": 0}, {"open_s": 0}, {"trial_calls": 0}, {"slow_s": 0}])
def test_a_policy_that_could_never_work_is_refused(policy: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="circuit breaker"):
        BreakerPolicy(**policy)  # type: ignore[arg-type]
