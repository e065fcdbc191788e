"""One appeal of any system in the unified vocabulary, as the cross-system lookup reads it (DOMAIN.md §5).

An :class:`AppealRecord` is what each system's source (:mod:`resolvers.appeals.sources`) makes of a legacy record:
enough to order, filter and protect it (the access facts of DOMAIN.md §8), to build its tracking nodes and to
compare it with others. It lives for one request; the petitioner's identifiers stay on the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from resolvers.access import AppealFacts
from resolvers.adapters.links import RecordLink
from resolvers.domain import AppealType, Confidentiality, SourceSystem, UnifiedStatus, UnitRef

__all__ = ["AppealRecord", "HistoryEvent", "SortKey", "system_prefix"]

# The id prefix of each system ("hotline:…"); the same words name the systems in settings and on the command line.
_PREFIXES = {
    SourceSystem.HOTLINE: "hotline",
    SourceSystem.PETITION: "petition",
    SourceSystem.MSGBOARD: "board",
    SourceSystem.GRID: "grid",
    SourceSystem.SUGGESTION: "suggestion",
}


def system_prefix(system: SourceSystem) -> str:
    return _PREFIXES[system]


SortKey = tuple[datetime, str]  # (received_at, id): newest first, ties broken by id, descending


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One step of the legacy system's own history (流转记录), named as the system names it."""

    at: datetime
    action: str  # 登记, 受理, 派单, 签收, 答复, 回访, 办结 … in the system's words
    unit: str = ""
    note: str = ""  # internal: never shown to citizens


@dataclass(frozen=True, slots=True)
class AppealRecord:
    """Times are naive Beijing time, as the legacy systems keep them."""

    system: SourceSystem
    local_id: str
    received_at: datetime
    status: UnifiedStatus
    source_status: str
    appeal_type: AppealType
    facts: AppealFacts
    title: str = ""
    content: str = ""
    category: str = ""  # the unified category name (一级分类) when known, else the system's own
    address: str = ""
    channel: str = ""
    lead_unit: UnitRef | None = None
    accepted_at: datetime | None = None
    dispatched_at: datetime | None = None
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    visited_at: datetime | None = None
    visit_satisfied: bool | None = None
    closed_at: datetime | None = None
    deadline: datetime | None = None
    time_limit_days: int | None = None  # working days, when the system states its limit in days
    sign_deadline: datetime | None = None
    return_count: int = 0  # 退单
    extension_count: int = 0
    extension_reason: str = ""  # why the granted extension was needed (延期理由): the citizen reads it at node 7
    unsatisfied_visits: int = 0
    persons_involved: int = 1  # 信访 涉及人数 / 联名
    media_attention: bool = False  # the media raised it (网格 问题来源 媒体)
    closure_level: str = ""  # 办结类型 (三级办结) the system closed it with: 阶段性办结 / 程序性办结 / 实质性办结
    history: tuple[HistoryEvent, ...] = field(default=())
    phone: str = ""  # server-side only: for the person key and person searches
    id_number: str = ""
    contact_name: str = ""  # server-side only: revealed by an audited action (revealAppealContact)
    links: tuple[RecordLink, ...] = ()  # 关联记录 the system keeps to other systems' records

    @property
    def id(self) -> str:
        return f"{system_prefix(self.system)}:{self.local_id}"

    @property
    def sort_key(self) -> SortKey:
        return (self.received_at, self.id)

    @property
    def person_key(self) -> str | None:
        return self.facts.person_key

    @property
    def confidentiality(self) -> Confidentiality:
        return self.facts.confidentiality

    @property
    def is_open(self) -> bool:
        return self.status not in _FINISHED


_FINISHED = frozenset(
    {UnifiedStatus.CLOSED, UnifiedStatus.NOT_ACCEPTED, UnifiedStatus.REDIRECTED, UnifiedStatus.INVALID}
)
