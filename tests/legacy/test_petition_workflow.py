"""The 信访工作条例 limits of the petition stand-in's workflow, at their boundaries (pure functions, no HTTP)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from legacy.petition import workflow as wf

T0 = datetime(2026, 1, 5, 9, 30)
SECOND = timedelta(seconds=1)


def days(n: float) -> timedelta:
    return timedelta(days=n)


REGISTERED = wf.Milestones(zt=wf.REGISTERED, djsj=T0)
ROUTED = replace(REGISTERED, zt=wf.ROUTED_TRANSFERRED, zjsj=T0 + days(2))
ACCEPTED = replace(ROUTED, zt=wf.ACCEPTED, slsj=T0 + days(4))
EXTENDED = replace(ACCEPTED, zt=wf.EXTENDED, yqts=20)
OPINION = replace(ACCEPTED, zt=wf.OPINION_ISSUED, yjsj=T0 + days(30))
REVIEW = replace(OPINION, zt=wf.REVIEW_REQUESTED, fcsqsj=T0 + days(40))
REVIEW_DECIDED = replace(REVIEW, zt=wf.REVIEW_DECIDED, fcjdsj=T0 + days(50))
RECHECK = replace(REVIEW_DECIDED, zt=wf.RECHECK_REQUESTED, fhsqsj=T0 + days(60))


@pytest.mark.parametrize(
    ("m", "due"),
    [
        (REGISTERED, T0 + days(15)),  # Art 22
        (ROUTED, T0 + days(2 + 15)),  # Art 23
        (ACCEPTED, T0 + days(4 + 60)),  # Art 34
        (EXTENDED, T0 + days(4 + 60 + 20)),  # Art 34 extension
        (OPINION, T0 + days(30 + 30)),  # Art 35 request window
        (REVIEW, T0 + days(40 + 30)),  # Art 35 decision
        (REVIEW_DECIDED, T0 + days(50 + 30)),  # Art 36 request window
        (RECHECK, T0 + days(60 + 30)),  # Art 36 decision
        (replace(RECHECK, zt=wf.CLOSED), None),
        (replace(ROUTED, zt=wf.NOT_ACCEPTED), None),
    ],
    ids=lambda v: v.zt if isinstance(v, wf.Milestones) else "",
)
def test_deadline_of_each_stage(m: wf.Milestones, due: datetime | None) -> None:
    assert wf.deadline_for(m) == due


def route(m: wf.Milestones, now: datetime, late_note: str = "") -> wf.Changes:
    return wf.route(m, now, mode="转送", unit="市教育局", unit_code="", late_note=late_note)


def opinion(m: wf.Milestones, now: datetime, late_note: str = "") -> wf.Changes:
    return wf.issue_opinion(m, now, outcome="支持", text="同意", late_note=late_note)


def decide(m: wf.Milestones, now: datetime, late_note: str = "") -> wf.Changes:
    return wf.decide_review(m, now, text="维持", late_note=late_note)


def accept(m: wf.Milestones, now: datetime, late_note: str = "") -> wf.Changes:
    return wf.accept(m, now, late_note=late_note)


@pytest.mark.parametrize(
    ("action", "m"),
    [
        (route, REGISTERED),
        (accept, ROUTED),
        (opinion, ACCEPTED),
        (opinion, EXTENDED),
        (decide, REVIEW),
        (decide, RECHECK),
    ],
    ids=["route-15", "notice-15", "opinion-60", "opinion-60+20", "review-30", "recheck-30"],
)
def test_organ_limits_hold_to_the_second_then_need_an_explanation(
    action: Callable[..., wf.Changes], m: wf.Milestones
) -> None:
    due = wf.deadline_for(m)
    assert due is not None
    on_time = action(m, due)
    assert "sfcq" not in on_time
    with pytest.raises(wf.WorkflowError) as refused:
        action(m, due + SECOND)
    assert refused.value.code == wf.NEEDS_EXPLANATION
    late = action(m, due + SECOND, "材料补正")
    assert (late["sfcq"], late["cqsm"]) == ("1", "材料补正")


@pytest.mark.parametrize(("m", "kind"), [(OPINION, "复查"), (REVIEW_DECIDED, "复核")])
def test_petitioner_windows_are_hard(m: wf.Milestones, kind: str) -> None:
    due = wf.deadline_for(m)
    assert due is not None
    assert wf.request_review(m, due, kind=kind)["zt"] in (wf.REVIEW_REQUESTED, wf.RECHECK_REQUESTED)
    with pytest.raises(wf.WorkflowError) as refused:
        wf.request_review(m, due + SECOND, kind=kind)
    assert refused.value.code == wf.PAST_LIMIT


def test_recheck_needs_a_review_first_and_closes_as_terminated() -> None:
    with pytest.raises(wf.WorkflowError) as refused:
        wf.request_review(OPINION, OPINION.yjsj or T0, kind="复核")
    assert refused.value.code == wf.BAD_STATE
    assert wf.close(replace(RECHECK, zt=wf.RECHECK_DECIDED), T0 + days(80))["zt"] == wf.TERMINATED
    assert wf.close(OPINION, T0 + days(61))["zt"] == wf.CLOSED


def test_extension_rules() -> None:
    due = wf.deadline_for(ACCEPTED)
    assert due is not None
    assert wf.extend(ACCEPTED, due, days=30, reason="复杂")["yqts"] == 30
    for bad_days in (0, 31):
        with pytest.raises(wf.WorkflowError):
            wf.extend(ACCEPTED, due, days=bad_days, reason="复杂")
    with pytest.raises(wf.WorkflowError) as expired:
        wf.extend(ACCEPTED, due + SECOND, days=10, reason="复杂")
    assert expired.value.code == wf.PAST_LIMIT
    with pytest.raises(wf.WorkflowError) as twice:
        wf.extend(EXTENDED, due, days=5, reason="复杂")
    assert twice.value.code == wf.ALREADY_EXTENDED
