"""The petition system's statuses: its raw Chinese names, the DOMAIN.md §3.3 stages, and the §5 unified status.

The legacy ``zt`` is kept verbatim as ``source_status``; :func:`petition_stage` names the statutory stage it is in
and :func:`unified_status` maps it onto :class:`~resolvers.domain.UnifiedStatus` (REGISTERED→SUBMITTED,
ROUTED→DISPATCHED, ACCEPTED→HANDLING, EXTENDED→EXTENDED, OPINION_ISSUED→REPLIED, 复查/复核→REVIEW, …). An unknown
raw status is a protocol error: the adapter and this table must be extended together.
"""

from __future__ import annotations

from enum import Enum

from resolvers.adapters.errors import LegacyProtocolError
from resolvers.domain import UnifiedStatus

__all__ = ["RAW_STAGES", "STAGE_STATUS", "PetitionStage", "petition_stage", "source_statuses", "unified_status"]


class PetitionStage(Enum):
    """Where a 信访件 stands in the 信访工作条例 procedure (DOMAIN.md §3.3)."""

    REGISTERED = "REGISTERED"  # 登记
    ROUTED = "ROUTED"  # 转送/交办 (Art 22)
    ACCEPTED = "ACCEPTED"  # 受理, being handled (Art 23, 34)
    NOT_ACCEPTED = "NOT_ACCEPTED"  # 不予受理
    REDIRECTED_TO_PROCEDURE = "REDIRECTED_TO_PROCEDURE"  # 导入诉讼/仲裁/复议程序 (Art 31)
    EXTENDED = "EXTENDED"  # 延期 (Art 34)
    OPINION_ISSUED = "OPINION_ISSUED"  # 处理意见书 (Art 32)
    REVIEW_REQUESTED = "REVIEW_REQUESTED"  # 复查申请 (Art 35)
    REVIEW_DECIDED = "REVIEW_DECIDED"  # 复查意见
    RECHECK_REQUESTED = "RECHECK_REQUESTED"  # 复核申请 (Art 36)
    RECHECK_DECIDED = "RECHECK_DECIDED"  # 复核意见
    CLOSED = "CLOSED"  # 办结
    TERMINATED = "TERMINATED"  # 终结, 不再受理 (Art 36)


RAW_STAGES: dict[str, PetitionStage] = {
    "已登记": PetitionStage.REGISTERED,
    "已转送": PetitionStage.ROUTED,
    "已交办": PetitionStage.ROUTED,
    "已受理": PetitionStage.ACCEPTED,
    "不予受理": PetitionStage.NOT_ACCEPTED,
    "已导入法定程序": PetitionStage.REDIRECTED_TO_PROCEDURE,
    "已延期": PetitionStage.EXTENDED,
    "已出具意见": PetitionStage.OPINION_ISSUED,
    "复查中": PetitionStage.REVIEW_REQUESTED,
    "复查已答复": PetitionStage.REVIEW_DECIDED,
    "复核中": PetitionStage.RECHECK_REQUESTED,
    "复核已答复": PetitionStage.RECHECK_DECIDED,
    "已办结": PetitionStage.CLOSED,
    "已终结": PetitionStage.TERMINATED,
}

STAGE_STATUS: dict[PetitionStage, UnifiedStatus] = {
    PetitionStage.REGISTERED: UnifiedStatus.SUBMITTED,
    PetitionStage.ROUTED: UnifiedStatus.DISPATCHED,
    PetitionStage.ACCEPTED: UnifiedStatus.HANDLING,
    PetitionStage.NOT_ACCEPTED: UnifiedStatus.NOT_ACCEPTED,
    PetitionStage.REDIRECTED_TO_PROCEDURE: UnifiedStatus.REDIRECTED,
    PetitionStage.EXTENDED: UnifiedStatus.EXTENDED,
    PetitionStage.OPINION_ISSUED: UnifiedStatus.REPLIED,
    PetitionStage.REVIEW_REQUESTED: UnifiedStatus.REVIEW,
    PetitionStage.REVIEW_DECIDED: UnifiedStatus.REVIEW,
    PetitionStage.RECHECK_REQUESTED: UnifiedStatus.REVIEW,
    PetitionStage.RECHECK_DECIDED: UnifiedStatus.REVIEW,
    PetitionStage.CLOSED: UnifiedStatus.CLOSED,
    PetitionStage.TERMINATED: UnifiedStatus.CLOSED,
}


def petition_stage(raw: str) -> PetitionStage:
    stage = RAW_STAGES.get(raw.strip())
    if stage is None:
        raise LegacyProtocolError("petition", f"unknown petition status zt={raw!r}")
    return stage


def unified_status(raw: str) -> UnifiedStatus:
    return STAGE_STATUS[petition_stage(raw)]


def source_statuses(status: UnifiedStatus) -> tuple[str, ...]:
    """The raw statuses that map onto ``status`` (empty when the petition system has none), for list filters."""
    return tuple(raw for raw, stage in RAW_STAGES.items() if STAGE_STATUS[stage] is status)
