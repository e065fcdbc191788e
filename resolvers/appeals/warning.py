"""三色预警 (three-colour warnings, DOMAIN.md §7) of one appeal at one moment, on the working-day calendar.

:func:`warn` is pure: the record, the time now (from the caller's clock, so tests control it), the calendar and
the limits (:class:`WarningLimits`, configuration) give a colour and every reason that holds. The colour is the
highest a reason gives: RED 提级 above ORANGE 重点督办 above YELLOW 提醒; NONE when nothing holds. A finished
appeal (closed, refused, redirected, void) has no warning — except one closed as 阶段性办结 (STAGED, an interim
answer with the work going on): only a closure that settles the matter ends monitoring, so it stays YELLOW.
Warnings are for staff, never for citizens.

Reasons, as DOMAIN.md §7 has them (limits in working days unless said):

- YELLOW: two thirds of the time limit used and no reply yet; the unit has not signed at half its sign limit;
  a petition at day 45 of its 60 日 with no extension.
- ORANGE: past the deadline by at most ``late_red_workdays``; two or more returns (退单); the first callback
  unsatisfied; the petitioner on the 一人多投 file; a 重合件 (open in the hotline and as a petition at once).
- RED: past the deadline by more than ``late_red_workdays``; a second unsatisfied callback; a group or joint
  appeal of ``group_size`` or more people, or as many people filing the same matter at one place (多人一诉,
  ``people_at_place``); a petition past its 60 日 (90 with the extension); media attention (the only legacy
  signal of it: a grid event whose 问题来源 is 媒体).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from resolvers.appeals.record import AppealRecord
from resolvers.calendar import WorkCalendar
from resolvers.domain import AppealType, SourceSystem, UnifiedStatus

__all__ = [
    "AppealWarning",
    "WarningColour",
    "WarningLimits",
    "WarningReason",
    "WarningReasonCode",
    "limits_from",
    "warn",
]


class WarningColour(Enum):
    NONE = 0
    YELLOW = 1
    ORANGE = 2
    RED = 3


class WarningReasonCode(Enum):
    TIME_LIMIT_TWO_THIRDS_USED = "TIME_LIMIT_TWO_THIRDS_USED"
    SIGN_OVERDUE_HALF = "SIGN_OVERDUE_HALF"
    PETITION_DAY_45 = "PETITION_DAY_45"
    OVERDUE = "OVERDUE"
    RETURNED_TWICE = "RETURNED_TWICE"
    CALLBACK_UNSATISFIED = "CALLBACK_UNSATISFIED"
    REPEAT_FILER = "REPEAT_FILER"
    OVERLAP = "OVERLAP"
    LONG_OVERDUE = "LONG_OVERDUE"
    CALLBACK_UNSATISFIED_AGAIN = "CALLBACK_UNSATISFIED_AGAIN"
    GROUP = "GROUP"
    PETITION_PAST_STATUTORY_LIMIT = "PETITION_PAST_STATUTORY_LIMIT"
    MEDIA_ATTENTION = "MEDIA_ATTENTION"
    STAGED_CLOSURE = "STAGED_CLOSURE"


@dataclass(frozen=True, slots=True)
class WarningReason:
    code: WarningReasonCode
    colour: WarningColour
    message: str


@dataclass(frozen=True, slots=True)
class AppealWarning:
    colour: WarningColour
    reasons: tuple[WarningReason, ...]


# DOMAIN.md §2.3 [P] Changsha defaults: 咨询 2 WD; 求助/建议 10 WD; 投诉/举报 15 WD
_DEFAULT_HANDLE_DAYS: dict[AppealType, int] = {
    AppealType.CONSULT: 2,
    AppealType.HELP: 10,
    AppealType.SUGGESTION: 10,
    AppealType.COMPLAINT: 15,
    AppealType.REPORT: 15,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class WarningLimits:
    """The thresholds, as configuration. ``handle_workdays`` gives a limit per (system, appeal type) — or per
    appeal type for every system — for appeals whose system states no deadline of its own."""

    handle_workdays: Mapping[tuple[SourceSystem | None, AppealType], int] = field(
        default_factory=lambda: {(None, t): d for t, d in _DEFAULT_HANDLE_DAYS.items()}
    )
    yellow_share: float = 2 / 3
    sign_yellow_share: float = 0.5
    late_red_workdays: int = 2
    petition_yellow_day: int = 45
    petition_days: int = 60
    petition_extension_days: int = 30
    group_size: int = 5
    returns_orange: int = 2

    def handle_limit(self, system: SourceSystem, appeal_type: AppealType) -> int | None:
        found = self.handle_workdays.get((system, appeal_type))
        return found if found is not None else self.handle_workdays.get((None, appeal_type))


_SYSTEMS = {
    "hotline": SourceSystem.HOTLINE,
    "petition": SourceSystem.PETITION,
    "board": SourceSystem.MSGBOARD,
    "grid": SourceSystem.GRID,
    "suggestion": SourceSystem.SUGGESTION,
}
_THRESHOLDS = (
    "yellow_share",
    "sign_yellow_share",
    "late_red_workdays",
    "petition_yellow_day",
    "petition_days",
    "petition_extension_days",
    "group_size",
    "returns_orange",
)


def limits_from(config: Mapping[str, float]) -> WarningLimits:
    """Limits from configuration: ``"COMPLAINT": 15`` (working days for an appeal type in every system),
    ``"hotline.CONSULT": 2`` (in one system), and any threshold by name (``"late_red_workdays": 2``); what is not
    given keeps its default. An unknown name is refused with :class:`ValueError`."""
    handle = dict(WarningLimits().handle_workdays)
    thresholds: dict[str, float] = {}
    for name, value in config.items():
        if name in _THRESHOLDS:
            thresholds[name] = value
            continue
        system_name, _, type_name = name.rpartition(".")
        system = _SYSTEMS.get(system_name) if system_name else None
        if (system_name and system is None) or type_name not in AppealType.__members__ or value <= 0:
            raise ValueError(f"unknown warning limit {name!r} (or not a positive number of working days)")
        handle[(system, AppealType[type_name])] = int(value)
    ints = {k: int(v) for k, v in thresholds.items() if not k.endswith("share")}
    shares = {k: float(v) for k, v in thresholds.items() if k.endswith("share")}
    return WarningLimits(handle_workdays=handle, **ints, **shares)  # type: ignore[arg-type]


STAGED_CLOSURE = "阶段性办结"  # 三级办结: an interim answer, the work goes on (DOMAIN.md §5)

_Add = Callable[[WarningReasonCode, WarningColour, str], None]

_NOT_WORKING = frozenset({UnifiedStatus.REPLIED, UnifiedStatus.AUDIT, UnifiedStatus.VISIT})


def _deadline(record: AppealRecord, calendar: WorkCalendar, limits: WarningLimits) -> tuple[datetime, datetime] | None:
    """(start, deadline) of the handling limit: the system's own deadline, else the configured limit."""
    start = record.accepted_at or record.received_at
    if record.deadline is not None:
        return start, record.deadline
    days = record.time_limit_days or limits.handle_limit(record.system, record.appeal_type)
    if days is None:
        return None
    return start, calendar.add_workdays(start, days)


def warn(
    record: AppealRecord,
    now: datetime,
    calendar: WorkCalendar,
    limits: WarningLimits,
    *,
    repeat_filer: bool = False,
    overlap: bool = False,
    people_at_place: int = 1,
) -> AppealWarning:
    if not record.is_open:
        if record.closure_level == STAGED_CLOSURE:
            reason = WarningReason(WarningReasonCode.STAGED_CLOSURE, WarningColour.YELLOW, "阶段性办结，仍须跟踪办理")
            return AppealWarning(WarningColour.YELLOW, (reason,))
        return AppealWarning(WarningColour.NONE, ())
    reasons: list[WarningReason] = []

    def add(code: WarningReasonCode, colour: WarningColour, message: str) -> None:
        reasons.append(WarningReason(code, colour, message))

    if record.system is SourceSystem.PETITION:
        _petition(record, now, limits, add)
    else:
        window = _deadline(record, calendar, limits)
        if window is not None:
            start, deadline = window
            if now > deadline:
                late = calendar.workdays_between(deadline.date(), now.date())
                if late > limits.late_red_workdays:
                    add(WarningReasonCode.LONG_OVERDUE, WarningColour.RED, f"超期 {late} 个工作日")
                else:
                    add(WarningReasonCode.OVERDUE, WarningColour.ORANGE, f"已超期（{max(late, 0)} 个工作日内）")
            elif record.status not in _NOT_WORKING:
                total = max(calendar.workdays_between(start.date(), deadline.date()), 1)
                used = calendar.workdays_between(start.date(), now.date())
                if used >= limits.yellow_share * total:
                    add(
                        WarningReasonCode.TIME_LIMIT_TWO_THIRDS_USED,
                        WarningColour.YELLOW,
                        f"时限已用 {used}/{total} 个工作日，尚未答复",
                    )
    if record.sign_deadline is not None and record.signed_at is None and record.dispatched_at is not None:
        half = record.dispatched_at + (record.sign_deadline - record.dispatched_at) * limits.sign_yellow_share
        if now >= half:
            add(WarningReasonCode.SIGN_OVERDUE_HALF, WarningColour.YELLOW, "签收时限过半，单位尚未签收")
    if record.return_count >= limits.returns_orange:
        add(WarningReasonCode.RETURNED_TWICE, WarningColour.ORANGE, f"已退单 {record.return_count} 次")
    if record.unsatisfied_visits >= 2:
        add(WarningReasonCode.CALLBACK_UNSATISFIED_AGAIN, WarningColour.RED, "二次回访不满意")
    elif record.unsatisfied_visits == 1:
        add(WarningReasonCode.CALLBACK_UNSATISFIED, WarningColour.ORANGE, "首次回访不满意")
    if record.persons_involved >= limits.group_size:
        add(WarningReasonCode.GROUP, WarningColour.RED, f"群体/联名诉求（{record.persons_involved} 人）")
    elif people_at_place >= limits.group_size:
        add(WarningReasonCode.GROUP, WarningColour.RED, f"多人一诉（{people_at_place} 人反映同一地点同一问题）")
    if record.media_attention:
        add(WarningReasonCode.MEDIA_ATTENTION, WarningColour.RED, "媒体关注")
    if repeat_filer:
        add(WarningReasonCode.REPEAT_FILER, WarningColour.ORANGE, "诉求人已列入一人多投专档")
    if overlap:
        add(WarningReasonCode.OVERLAP, WarningColour.ORANGE, "重合件：热线与信访同时在办")
    colour = max((r.colour for r in reasons), key=lambda c: c.value, default=WarningColour.NONE)
    return AppealWarning(colour, tuple(sorted(reasons, key=lambda r: -r.colour.value)))


def _petition(record: AppealRecord, now: datetime, limits: WarningLimits, add: _Add) -> None:
    """信访工作条例 Art 34: 60 日 from acceptance, once extendable by 30 日 (calendar days)."""
    if record.accepted_at is None:
        return
    days = (now - record.accepted_at) / timedelta(days=1)
    allowed = limits.petition_days + (limits.petition_extension_days if record.extension_count else 0)
    if days > allowed:
        add(
            WarningReasonCode.PETITION_PAST_STATUTORY_LIMIT,
            WarningColour.RED,
            f"信访件受理已 {int(days)} 日，超过 {allowed} 日办结时限",
        )
    elif days >= limits.petition_yellow_day and not record.extension_count and record.status not in _NOT_WORKING:
        add(WarningReasonCode.PETITION_DAY_45, WarningColour.YELLOW, f"信访件受理已 {int(days)} 日，未延期")
