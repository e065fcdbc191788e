"""信访工作条例 acceptance and routing rules: Art 19 ¶3 (the same matter, across systems), Art 20, 22, 23, 36."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from resolvers.calendar import calendar_for
from resolvers.domain import person_key
from resolvers.petition_rules import (
    Bar,
    Channel,
    Matter,
    acceptance_bar,
    channel_for,
    objection_due,
    representatives_allowed,
    same_matter,
)
from resolvers.petition_status import PetitionStage

SECRET = b"k"
# The same person reached through two systems: the hotline knows the mobile written with a country code and
# separators, the petition system the bare number; both derive the same person key.
HOTLINE_CALLER = person_key(SECRET, phone="+86 139-0731-0042")
PETITIONER = person_key(SECRET, phone="13907310042")
LETTER = Matter("反映芙蓉区某小区物业擅自提高停车费，业主多次协商无果，请求查处。", frozenset({PETITIONER}))
CALL = Matter("芙蓉区某小区物业擅自提高停车费！业主多次协商无果，请求查处（来电）", frozenset({HOTLINE_CALLER}))
OTHER_MATTER = Matter("楼下餐馆油烟扰民，晚上十点后仍在营业。", frozenset({PETITIONER}))
OTHER_PERSON = Matter(LETTER.text, frozenset({person_key(SECRET, phone="13800000000")}))


def test_the_same_matter_is_found_across_systems_with_normalised_identity_and_text() -> None:
    assert HOTLINE_CALLER == PETITIONER
    assert same_matter(LETTER, CALL)
    assert not same_matter(LETTER, OTHER_MATTER)  # same person, another matter
    assert not same_matter(LETTER, OTHER_PERSON)  # same words, another person


def test_an_anonymous_accusation_is_the_same_matter_by_its_normalised_accused() -> None:
    a = Matter("举报城管执法人员收受好处费", accused="长沙市开福区城市管理和综合执法局执法人员")
    b = Matter("举报城管执法人员收受好处费。", accused="开福区城市管理和综合执法局")
    assert same_matter(a, b)


@pytest.mark.parametrize(
    ("stage", "rechecked", "bar"),
    [
        (PetitionStage.ACCEPTED, False, Bar.BEING_HANDLED),  # Art 19 ¶3
        (PetitionStage.REVIEW_REQUESTED, False, Bar.BEING_HANDLED),
        (PetitionStage.RECHECK_DECIDED, True, Bar.CLOSED_AFTER_RECHECK),  # Art 36
        (PetitionStage.CLOSED, True, Bar.CLOSED_AFTER_RECHECK),  # closed after its 复核
        (PetitionStage.TERMINATED, False, Bar.CLOSED_AFTER_RECHECK),
        (PetitionStage.CLOSED, False, None),  # closed without 复核: a new petition may be accepted
        (PetitionStage.NOT_ACCEPTED, False, None),
    ],
)
def test_what_bars_accepting_the_same_matter_again(stage: PetitionStage, rechecked: bool, bar: Bar | None) -> None:
    assert acceptance_bar(CALL, [(LETTER, stage, rechecked)]) is bar
    assert acceptance_bar(OTHER_MATTER, [(LETTER, stage, rechecked)]) is None


def test_a_group_visit_elects_at_most_five_representatives() -> None:
    assert representatives_allowed(5) and representatives_allowed(1)
    assert not representatives_allowed(6) and not representatives_allowed(0)


@pytest.mark.parametrize(
    ("purpose", "text", "channel"),
    [
        ("检举控告类", "举报街道干部收受好处费", Channel.DISCIPLINE),
        ("申诉求决类", "对区法院的民事判决不服，请求再审", Channel.POLITICAL_LEGAL),
        ("申诉求决类", "派出所对邻里纠纷不予立案", Channel.POLITICAL_LEGAL),
        ("建议意见类", "建议在小区门口增设红绿灯", Channel.ORDINARY),
    ],
)
def test_legal_matters_go_to_political_legal_and_accusations_to_discipline(
    purpose: str, text: str, channel: Channel
) -> None:
    assert channel_for(purpose, text) is channel


def test_the_out_of_remit_objection_window_is_five_working_days_in_the_one_calendar(tmp_path: Path) -> None:
    calendar = calendar_for()
    # received Wednesday 30 Sep 2026: 国庆 1–7 Oct off, Saturday 10 Oct worked (调休)
    assert objection_due(datetime(2026, 9, 30, 10), calendar) == datetime(2026, 10, 13, 10)
    # and across the 2027 cliff once the year's schedule is added
    (tmp_path / "2027.txt").write_text("一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n", encoding="utf-8")
    assert objection_due(datetime(2026, 12, 30, 10), calendar_for([tmp_path])) == datetime(2027, 1, 7, 10)
