"""Which statutory time limit of 信访工作条例 (2022) runs for a petition now, and when it falls due.

All limits are calendar days (日). The organ's limits: 15 日 to 转送/交办 (Art 22), 15 日 to give written notice of
acceptance (Art 23), 60 日 to 办结 from acceptance, once extendable by ≤30 日 (Art 34), 30 日 to decide a 复查 or
复核 (Art 35, 36). The petitioner's windows: 30 日 from the written answer to ask for 复查 (Art 35), and 30 日 from
the 复查 answer to ask for 复核 (Art 36). Closed, refused and redirected petitions have no running limit.

The due date is the legacy system's own 限办截止时间 when it gives one (it is the system of record), else the
start of the stage plus the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from resolvers.adapters.petition import PetitionRecord
from resolvers.petition_status import PetitionStage, petition_stage

__all__ = ["LimitHolder", "StatutoryLimit", "StatutoryStage", "statutory_stage"]


class StatutoryLimit(Enum):
    ROUTING = "ROUTING"  # 转送交办 15 日, Art 22
    ACCEPTANCE_NOTICE = "ACCEPTANCE_NOTICE"  # 受理书面告知 15 日, Art 23
    HANDLING = "HANDLING"  # 办结 60 日, Art 34
    EXTENDED_HANDLING = "EXTENDED_HANDLING"  # 延期 60+≤30 日, Art 34
    REVIEW_REQUEST = "REVIEW_REQUEST"  # 申请复查 30 日, Art 35
    REVIEW_DECISION = "REVIEW_DECISION"  # 复查意见 30 日, Art 35
    RECHECK_REQUEST = "RECHECK_REQUEST"  # 申请复核 30 日, Art 36
    RECHECK_DECISION = "RECHECK_DECISION"  # 复核意见 30 日, Art 36


class LimitHolder(Enum):
    """Whose limit it is: the organ must act, or the petitioner may act."""

    ORGAN = "ORGAN"
    PETITIONER = "PETITIONER"


@dataclass(frozen=True, slots=True)
class StatutoryStage:
    limit: StatutoryLimit
    holder: LimitHolder
    article: str  # 信访工作条例 第N条
    days: int
    started_at: datetime
    due_at: datetime

    def overdue(self, now: datetime) -> bool:
        """Past due: for the organ, a breach; for the petitioner, the window has closed."""
        return now > self.due_at


def _rule(record: PetitionRecord) -> tuple[StatutoryLimit, LimitHolder, str, int, datetime | None] | None:
    stage = petition_stage(record.source_status)
    organ, petitioner = LimitHolder.ORGAN, LimitHolder.PETITIONER
    if stage is PetitionStage.REGISTERED:
        return StatutoryLimit.ROUTING, organ, "第二十二条", 15, record.registered_at
    if stage is PetitionStage.ROUTED:
        return StatutoryLimit.ACCEPTANCE_NOTICE, organ, "第二十三条", 15, record.routed_at
    if stage is PetitionStage.ACCEPTED:
        return StatutoryLimit.HANDLING, organ, "第三十四条", 60, record.accepted_at
    if stage is PetitionStage.EXTENDED:
        days = 60 + record.extension_days
        return StatutoryLimit.EXTENDED_HANDLING, organ, "第三十四条", days, record.accepted_at
    if stage is PetitionStage.OPINION_ISSUED:
        return StatutoryLimit.REVIEW_REQUEST, petitioner, "第三十五条", 30, record.opinion_at
    if stage is PetitionStage.REVIEW_REQUESTED:
        return StatutoryLimit.REVIEW_DECISION, organ, "第三十五条", 30, record.review_requested_at
    if stage is PetitionStage.REVIEW_DECIDED:
        return StatutoryLimit.RECHECK_REQUEST, petitioner, "第三十六条", 30, record.review_decided_at
    if stage is PetitionStage.RECHECK_REQUESTED:
        return StatutoryLimit.RECHECK_DECISION, organ, "第三十六条", 30, record.recheck_requested_at
    return None


def statutory_stage(record: PetitionRecord) -> StatutoryStage | None:
    """The limit running for ``record``, or ``None`` when none runs (or the record lacks the stage's start)."""
    rule = _rule(record)
    if rule is None or rule[4] is None:
        return None
    limit, holder, article, days, started = rule
    assert started is not None
    due = record.handling_deadline or started + timedelta(days=days)
    return StatutoryStage(limit, holder, f"信访工作条例 {article}", days, started, due)
