"""Retry delays: doubling from the base up to the cap, each drawn with full jitter."""

from __future__ import annotations

import pytest

from resilience import RetryPolicy, retry_delays


def test_the_delays_double_up_to_the_cap_at_the_top_of_the_jitter() -> None:
    policy = RetryPolicy(retries=5, base_s=0.1, cap_s=0.5)
    assert list(retry_delays(policy, rand=lambda: 0.999999)) == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5], rel=1e-5)


def test_full_jitter_can_draw_any_delay_down_to_zero() -> None:
    assert list(retry_delays(RetryPolicy(retries=3), rand=lambda: 0.0)) == [0.0, 0.0, 0.0]


def test_no_retries_means_no_delays() -> None:
    assert list(retry_delays(RetryPolicy(retries=0))) == []


@pytest.mark.parametrize("policy", [{"retries": -1}, {"base_s": -0.1}, {"base_s": 1.0, "cap_s": 0.5}])
def test_a_policy_that_makes_no_sense_is_refused(policy: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="retr"):
        RetryPolicy(**policy)  # type: ignore[arg-type]
