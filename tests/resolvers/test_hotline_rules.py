"""The hotline's rule on the same matter again: an earlier order of the same caller and matter, being handled or
handled already, is what the operator weighs before accepting a call as a new order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from resolvers.adapters.hotline import ticket_from_legacy
from resolvers.domain import UnifiedStatus
from resolvers.hotline_rules import EarlierMatter, earlier_same_matter
from tests.resolvers.test_hotline_adapter import _raw

SECRET = b"k"
FIRST = ticket_from_legacy(_raw(bt="小区门口垃圾堆放", nr="小区东门口垃圾堆放多日无人清运，气味很大"))
AGAIN = replace(
    FIRST,
    order_no="20260310000001",
    call_time=FIRST.call_time + timedelta(days=9),
    content="小区东门口垃圾堆放多日无人清运，气味很大，请尽快处理",
)


def test_the_same_caller_on_the_same_matter_being_handled_is_found() -> None:
    assert earlier_same_matter(AGAIN, [FIRST, AGAIN], SECRET) is EarlierMatter.BEING_HANDLED


def test_a_closed_earlier_order_is_handled_and_a_void_one_counts_for_nothing() -> None:
    closed = replace(FIRST, status=UnifiedStatus.CLOSED)
    assert earlier_same_matter(AGAIN, [closed], SECRET) is EarlierMatter.HANDLED
    assert earlier_same_matter(AGAIN, [replace(FIRST, status=UnifiedStatus.INVALID)], SECRET) is None


def test_another_matter_another_caller_or_a_later_order_is_not_the_same_matter_again() -> None:
    other_matter = replace(FIRST, title="路灯不亮", content="小区北门路灯坏了一个月")
    other_caller = replace(FIRST, contact_phone="13900009999", caller_phone="13900009999")
    assert earlier_same_matter(AGAIN, [other_matter, other_caller], SECRET) is None
    assert earlier_same_matter(FIRST, [AGAIN], SECRET) is None  # the later one does not bar the first
