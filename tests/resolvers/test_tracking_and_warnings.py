"""The 10 tracking nodes and the three-colour warnings of one appeal, from its record, under a controlled clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from resolvers.access import AppealFacts
from resolvers.adapters.grid import GridEvent
from resolvers.appeals.grid_source import record_of_event
from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.appeals.timeline import TrackingStep, build_timeline, citizen_safe
from resolvers.appeals.warning import WarningColour, WarningLimits, WarningReasonCode, limits_from, warn
from resolvers.calendar import calendar_for
from resolvers.domain import AppealType, SourceSystem, UnifiedStatus, UnitRef

CALENDAR = calendar_for()
RECEIVED = datetime(2026, 11, 2, 9, 0)  # a Monday
UNIT = UnitRef("43010503", "开福区生态环境分局")


def _ticket(**changes: object) -> AppealRecord:
    record = AppealRecord(
        system=SourceSystem.HOTLINE,
        local_id="20261102000001",
        received_at=RECEIVED,
        status=UnifiedStatus.HANDLING,
        source_status="办理中",
        appeal_type=AppealType.COMPLAINT,
        facts=AppealFacts(system=SourceSystem.HOTLINE),
        channel="电话",
        lead_unit=UNIT,
        accepted_at=RECEIVED + timedelta(minutes=10),
        dispatched_at=RECEIVED + timedelta(hours=1),
        signed_at=RECEIVED + timedelta(hours=3),
        deadline=CALENDAR.add_workdays(RECEIVED, 15),
        history=(
            HistoryEvent(RECEIVED + timedelta(hours=1), "派单", "市12345中心", "按职责派开福区"),
            HistoryEvent(RECEIVED + timedelta(hours=3), "签收", UNIT.name, "联络员已签收"),
            HistoryEvent(RECEIVED + timedelta(days=2), "申请延期", UNIT.name, "需现场勘查"),
        ),
    )
    return replace(record, **changes)  # type: ignore[arg-type]


def test_the_timeline_has_ten_nodes_reached_up_to_handling() -> None:
    nodes = build_timeline(_ticket())
    assert [n.number for n in nodes] == list(range(1, 11))
    reached = [n.step for n in nodes if n.reached]
    assert reached == [
        TrackingStep.SUBMITTED,
        TrackingStep.ACCEPTED,
        TrackingStep.DEDUPLICATED,  # no record of its own, but a later node was reached
        TrackingStep.ROUTED,
        TrackingStep.REVIEWED,
        TrackingStep.SIGNED,
        TrackingStep.HANDLING,
    ]
    by_step = {n.step: n for n in nodes}
    assert by_step[TrackingStep.DEDUPLICATED].at is None
    assert by_step[TrackingStep.SIGNED].at == RECEIVED + timedelta(hours=3) and by_step[TrackingStep.SIGNED].unit
    assert [e.action for e in by_step[TrackingStep.HANDLING].events] == ["申请延期"]
    assert by_step[TrackingStep.HANDLING].detail.startswith("办理期限")


def test_a_closed_appeal_reaches_every_node_and_a_petition_uses_its_own_names() -> None:
    closed = _ticket(
        status=UnifiedStatus.CLOSED, replied_at=RECEIVED + timedelta(days=5), closed_at=RECEIVED + timedelta(days=9)
    )
    assert all(n.reached for n in build_timeline(closed))
    petition = _ticket(system=SourceSystem.PETITION, facts=AppealFacts(system=SourceSystem.PETITION))
    assert build_timeline(petition)[1].name == "受理告知"


def test_node_7_shows_the_granted_extension_and_its_reason_to_the_citizen_too() -> None:
    extended = _ticket(extension_count=1, extension_reason="需现场勘查")
    handling = citizen_safe(build_timeline(extended))[6]
    assert handling.step is TrackingStep.HANDLING and handling.detail.endswith("，已延期 1 次（需现场勘查）")
    assert (
        build_timeline(_ticket())[6].detail.startswith("办理期限") and "延期" not in build_timeline(_ticket())[6].detail
    )


def test_the_citizen_safe_timeline_has_no_notes_and_no_acting_units() -> None:
    safe = citizen_safe(build_timeline(_ticket()))
    events = [e for n in safe for e in n.events]
    assert events and all(e.note == "" and e.unit == "" for e in events)


@pytest.mark.parametrize(
    ("now", "colour", "code"),
    [
        (RECEIVED + timedelta(days=1), WarningColour.NONE, None),
        (CALENDAR.add_workdays(RECEIVED, 11), WarningColour.YELLOW, WarningReasonCode.TIME_LIMIT_TWO_THIRDS_USED),
        (CALENDAR.add_workdays(RECEIVED, 16), WarningColour.ORANGE, WarningReasonCode.OVERDUE),
        (CALENDAR.add_workdays(RECEIVED, 20), WarningColour.RED, WarningReasonCode.LONG_OVERDUE),
    ],
    ids=["fresh", "two-thirds", "just-late", "long-late"],
)
def test_the_colour_follows_the_working_day_clock(
    now: datetime, colour: WarningColour, code: WarningReasonCode | None
) -> None:
    found = warn(_ticket(), now, CALENDAR, WarningLimits())
    assert found.colour is colour
    assert [r.code for r in found.reasons] == ([code] if code else [])


def test_a_unit_that_has_not_signed_at_half_its_sign_limit_is_yellow() -> None:
    dispatched = RECEIVED + timedelta(hours=1)  # Monday 10:00; the sign limit is 1 working day: Tuesday 10:00
    waiting = _ticket(
        status=UnifiedStatus.PENDING_SIGN, signed_at=None, sign_deadline=CALENDAR.add_workdays(dispatched, 1)
    )
    assert warn(waiting, dispatched + timedelta(hours=11), CALENDAR, WarningLimits()).colour is WarningColour.NONE
    half = warn(waiting, dispatched + timedelta(hours=12), CALENDAR, WarningLimits())
    assert (half.colour, [r.code for r in half.reasons]) == (
        WarningColour.YELLOW,
        [WarningReasonCode.SIGN_OVERDUE_HALF],
    )
    signed = replace(waiting, status=UnifiedStatus.HANDLING, signed_at=dispatched + timedelta(hours=2))
    assert warn(signed, dispatched + timedelta(hours=12), CALENDAR, WarningLimits()).colour is WarningColour.NONE


def test_returns_callbacks_groups_and_files_raise_the_colour() -> None:
    now = RECEIVED + timedelta(days=1)
    assert warn(_ticket(return_count=2), now, CALENDAR, WarningLimits()).colour is WarningColour.ORANGE
    assert warn(_ticket(unsatisfied_visits=1), now, CALENDAR, WarningLimits()).colour is WarningColour.ORANGE
    assert warn(_ticket(unsatisfied_visits=2), now, CALENDAR, WarningLimits()).colour is WarningColour.RED
    assert warn(_ticket(persons_involved=6), now, CALENDAR, WarningLimits()).colour is WarningColour.RED
    many = warn(_ticket(), now, CALENDAR, WarningLimits(), people_at_place=5)
    assert [r.code for r in many.reasons] == [WarningReasonCode.GROUP]  # 多人一诉
    both = warn(_ticket(), now, CALENDAR, WarningLimits(), repeat_filer=True, overlap=True)
    assert {r.code for r in both.reasons} == {WarningReasonCode.REPEAT_FILER, WarningReasonCode.OVERLAP}


def _grid_event(source: str) -> GridEvent:
    return GridEvent(
        task_num="2611020001",
        source=source,
        reporter_name="",
        reporter_phone="",
        collector_name="",
        reflect_type="投诉",
        description="路边垃圾堆放多日无人清运",
        major_code="01",
        minor_code="02",
        major_name="市容环境",
        minor_name="暴露垃圾",
        cell_grid_code="430105002003001",
        duty_grid_code="",
        district="开福区",
        street="东风路街道",
        community="锦绣社区",
        address="",
        lng=None,
        lat=None,
        discovered_at=RECEIVED,
        created_at=RECEIVED,
        registered_at=None,
        dispatched_at=None,
        replied_at=None,
        archived_at=None,
        cancelled_at=None,
        deadline=None,
        limit_working_hours=None,
        state="上报",
        archive_type=None,
        execute_dept=None,
        is_secret=False,
    )


def test_a_grid_event_the_media_raised_is_red() -> None:
    """媒体关注: the grid's 问题来源 媒体 is the one legacy signal of media attention."""
    now = RECEIVED + timedelta(hours=1)
    media = warn(record_of_event(b"k", _grid_event("媒体")), now, CALENDAR, WarningLimits())
    assert (media.colour, [r.code for r in media.reasons]) == (WarningColour.RED, [WarningReasonCode.MEDIA_ATTENTION])
    public = warn(record_of_event(b"k", _grid_event("公众")), now, CALENDAR, WarningLimits())
    assert public.colour is WarningColour.NONE


def test_only_a_closure_that_settles_the_matter_ends_monitoring() -> None:
    """三级办结: an order closed 阶段性办结 (an interim answer, the work goes on) stays YELLOW; 程序性 and 实质性 end it."""
    late = RECEIVED + timedelta(days=60)
    closed = _ticket(status=UnifiedStatus.CLOSED, closed_at=RECEIVED + timedelta(days=9))
    staged = warn(replace(closed, closure_level="阶段性办结"), late, CALENDAR, WarningLimits())
    assert (staged.colour, [r.code for r in staged.reasons]) == (
        WarningColour.YELLOW,
        [WarningReasonCode.STAGED_CLOSURE],
    )
    for level in ("程序性办结", "实质性办结", ""):
        assert warn(replace(closed, closure_level=level), late, CALENDAR, WarningLimits()).colour is WarningColour.NONE


def test_a_closed_appeal_has_no_warning() -> None:
    late = CALENDAR.add_workdays(RECEIVED, 30)
    assert warn(_ticket(status=UnifiedStatus.CLOSED), late, CALENDAR, WarningLimits()).colour is WarningColour.NONE


def test_petitions_count_statutory_calendar_days() -> None:
    petition = _ticket(system=SourceSystem.PETITION, facts=AppealFacts(system=SourceSystem.PETITION), deadline=None)
    accepted = petition.accepted_at
    assert accepted is not None
    day_46 = warn(petition, accepted + timedelta(days=46), CALENDAR, WarningLimits())
    assert [r.code for r in day_46.reasons] == [WarningReasonCode.PETITION_DAY_45]
    day_61 = warn(petition, accepted + timedelta(days=61), CALENDAR, WarningLimits())
    assert day_61.colour is WarningColour.RED
    extended = replace(petition, extension_count=1)
    assert warn(extended, accepted + timedelta(days=61), CALENDAR, WarningLimits()).colour is WarningColour.NONE


def test_limits_are_configuration() -> None:
    limits = limits_from({"COMPLAINT": 5, "hotline.CONSULT": 1, "late_red_workdays": 0})
    assert limits.handle_limit(SourceSystem.GRID, AppealType.COMPLAINT) == 5
    assert limits.handle_limit(SourceSystem.HOTLINE, AppealType.CONSULT) == 1
    assert limits.handle_limit(SourceSystem.GRID, AppealType.CONSULT) == 2
    no_deadline = _ticket(deadline=None)
    late = warn(no_deadline, CALENDAR.add_workdays(RECEIVED, 6), CALENDAR, limits)
    assert late.colour is WarningColour.RED  # 5 working days, and any lateness is red with late_red_workdays 0
    with pytest.raises(ValueError, match="unknown warning limit"):
        limits_from({"hotline.NOPE": 3})
