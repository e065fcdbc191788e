"""The hotline workflow's overlays and links: 督办/催办, 作废, 关联 kept once, 办结 with its closure level (三级办结)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from legacy.hotline import workflow
from legacy.hotline.limits import TimeLimits
from legacy.hotline.model import CityState, Ticket
from legacy.hotline.seed import seed_tickets
from legacy.world import World

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.fixture(scope="module")
def tickets(world: World) -> list[Ticket]:
    return seed_tickets(world, 1, TimeLimits())[1]


def _in(tickets: list[Ticket], state: CityState) -> Ticket:
    return next(t for t in tickets if t.state is state)


def test_supervision_is_logged_and_a_reply_by_time_in_the_past_is_refused(tickets: list[Ticket]) -> None:
    open_order = _in(tickets, CityState.DISPATCHED)
    supervised = workflow.supervise(open_order, NOW, "限期办理", NOW + timedelta(days=1))
    assert supervised.events[-1].action == "督办" and "限期办理" in supervised.events[-1].note
    with pytest.raises(workflow.WorkflowError, match="不能早于"):
        workflow.supervise(open_order, NOW, "限期办理", NOW - timedelta(minutes=1))
    with pytest.raises(workflow.WorkflowError):
        workflow.urge(_in(tickets, CityState.CLOSED), NOW, "催办")


def test_a_link_is_kept_once_and_never_to_the_order_itself(tickets: list[Ticket]) -> None:
    order = _in(tickets, CityState.ACCEPTED)
    linked = workflow.link(order, NOW, "grid", "2611200001", "网格直办")
    again = workflow.link(linked, NOW, "grid", "2611200001", "网格直办")
    assert again == linked and len(linked.links) == len(order.links) + 1
    with pytest.raises(workflow.WorkflowError):
        workflow.link(order, NOW, "hotline", order.order_no, "重复件")


def test_closing_keeps_the_closure_level(tickets: list[Ticket]) -> None:
    visited = _in(tickets, CityState.VISITED)
    closed = workflow.close(visited, NOW, "实质性办结")
    assert (closed.state, closed.closure) == (CityState.CLOSED, "实质性办结")
    with pytest.raises(workflow.WorkflowError, match="办结类型"):
        workflow.close(visited, NOW, "差不多办结")


def test_a_void_call_is_invalidated_with_a_reason_before_it_is_dispatched(tickets: list[Ticket]) -> None:
    accepted = _in(tickets, CityState.ACCEPTED)
    void = workflow.invalidate(accepted, NOW, "骚扰来电")
    assert (void.state, void.closed_at) == (CityState.INVALID, NOW)
    assert (void.events[-1].action, void.events[-1].note) == ("作废", "骚扰来电")
    with pytest.raises(workflow.WorkflowError, match="原因"):
        workflow.invalidate(accepted, NOW, "")
    with pytest.raises(workflow.WorkflowError):
        workflow.invalidate(_in(tickets, CityState.DISPATCHED), NOW, "骚扰来电")
