"""12345 hotline states → :class:`~resolvers.domain.UnifiedStatus` (DOMAIN.md §2.2, §5), and back for filtering.

The hotline reports a city-level state (市级状态 ``zt``) and one state per unit (``dwzt``). While the centre says
已转办处理中 the units carry the news, so the unified status then comes from the lead unit (主办单位)::

    city state      lead unit state  unified
    暂存            –                SUBMITTED
    已受理          –                ACCEPTED
    已直接答复      –                REPLIED      (咨询 answered on the call)
    已转办处理中    待签收           PENDING_SIGN
    已转办处理中    办理中           HANDLING
    已转办处理中    延期申请中       HANDLING     + pending EXTENSION (the centre has not approved it yet)
    已转办处理中    退单申请中       DISPATCHED   + pending RETURN (the centre has not approved it yet)
    已转办处理中    已回复           REPLIED      (the lead's consolidated reply, not yet taken into audit)
    已转办处理中    已退单           RETURNED     (return approved, waiting for re-dispatch)
    已转办处理中    (none)           DISPATCHED
    已回复待审核    –                AUDIT        (the consolidated reply waits for 中心审核)
    待回访, 已回访  –                VISIT
    重办中          –                REHANDLE
    已办结          –                CLOSED
    无效件          –                INVALID

A request is never shown as granted while it waits (DOMAIN.md §2.2: 延期申请 and 退单 are approved or denied by the
centre): :func:`pending_request` names it instead. REPLIED and AUDIT stay apart: the unit has replied, then the
centre audits the reply (§6 node 8: the citizen reads the reply only after the audit, :func:`reply_released`).

The raw city state always travels alongside as ``source_status``. An unknown city state is a protocol error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from resolvers.domain import UnifiedStatus

__all__ = [
    "DISPATCHED",
    "STATUS_TABLE",
    "PendingRequest",
    "StatusFilter",
    "filter_for",
    "pending_request",
    "reply_released",
    "unified_status",
]

DISPATCHED = "已转办处理中"

_CITY: dict[str, UnifiedStatus] = {
    "暂存": UnifiedStatus.SUBMITTED,
    "已受理": UnifiedStatus.ACCEPTED,
    "已直接答复": UnifiedStatus.REPLIED,
    "已回复待审核": UnifiedStatus.AUDIT,
    "待回访": UnifiedStatus.VISIT,
    "已回访": UnifiedStatus.VISIT,
    "重办中": UnifiedStatus.REHANDLE,
    "已办结": UnifiedStatus.CLOSED,
    "无效件": UnifiedStatus.INVALID,
}
_LEAD: dict[str, UnifiedStatus] = {
    "待签收": UnifiedStatus.PENDING_SIGN,
    "办理中": UnifiedStatus.HANDLING,
    "延期申请中": UnifiedStatus.HANDLING,
    "已回复": UnifiedStatus.REPLIED,
    "已退单": UnifiedStatus.RETURNED,
}


class PendingRequest(Enum):
    """A unit's request the centre has not decided yet."""

    EXTENSION = "EXTENSION"  # 延期申请中
    RETURN = "RETURN"  # 退单申请中


_PENDING = {"延期申请中": PendingRequest.EXTENSION, "退单申请中": PendingRequest.RETURN}
# After the centre's audit (or with no audit at all: 已直接答复, answered on the call) the reply may reach the citizen.
_RELEASED = frozenset({"已直接答复", "待回访", "已回访", "重办中", "已办结"})

# (city state, lead unit state or "") → unified status: the whole table, as documented above.
STATUS_TABLE: dict[tuple[str, str], UnifiedStatus] = {
    **{(city, ""): status for city, status in _CITY.items()},
    **{(DISPATCHED, lead): status for lead, status in _LEAD.items()},
    (DISPATCHED, ""): UnifiedStatus.DISPATCHED,
}


def unified_status(city_state: str, lead_state: str | None) -> UnifiedStatus:
    """The unified status of a work order; ``ValueError`` for a city state the table does not know."""
    if city_state == DISPATCHED:
        return _LEAD.get(lead_state or "", UnifiedStatus.DISPATCHED)
    try:
        return _CITY[city_state]
    except KeyError:
        raise ValueError(f"unknown hotline state {city_state!r}") from None


def pending_request(city_state: str, lead_state: str | None) -> PendingRequest | None:
    """The lead unit's request waiting for the centre, if any (only while the order is with the units)."""
    return _PENDING.get(lead_state or "") if city_state == DISPATCHED else None


def reply_released(city_state: str) -> bool:
    """Whether the reply has passed the centre's audit (or needed none), so the citizen may read it."""
    return city_state in _RELEASED


@dataclass(frozen=True, slots=True)
class StatusFilter:
    """The list filter that selects one unified status: any of ``city_states``, and the lead unit's state."""

    city_states: tuple[str, ...]
    lead_state: str = ""


def filter_for(status: UnifiedStatus) -> StatusFilter | None:
    """The hotline list filter for ``status``; ``None`` when no hotline order can be selected by it (statuses of
    other systems, and DISPATCHED, which the hotline shows only as "none of the lead unit states above")."""
    city = tuple(c for c, s in _CITY.items() if s is status)
    if city:
        return StatusFilter(city)
    lead = next((state for state, s in _LEAD.items() if s is status), None)
    return None if lead is None else StatusFilter((DISPATCHED,), lead)
