"""The suggestion system's status codes (zt) on the unified status vocabulary (DOMAIN.md §5).

====  ========  ================  ===========================================
zt    ztmc      UnifiedStatus     link of 征集—交办—办理—反馈—评价—激励
====  ========  ================  ===========================================
01    待受理     SUBMITTED         征集
02    不予受理   NOT_ACCEPTED      征集 (refused)
03    已交办     DISPATCHED        交办
04    办理中     HANDLING          办理
05    已反馈     REPLIED           反馈
06    已评价     VISIT             评价 (the citizen's rating, node 9 回访评价)
07    已激励     CLOSED            激励 (final)
08    已办结     CLOSED            closed without reward
====  ========  ================  ===========================================

The raw name travels beside the mapped value as ``sourceStatus``. A code outside the table is an answer the
protocol does not allow: :class:`~resolvers.adapters.errors.LegacyProtocolError`.
"""

from __future__ import annotations

from collections.abc import Mapping

from resolvers.adapters.errors import LegacyProtocolError
from resolvers.domain import UnifiedStatus

__all__ = ["STATUS_BY_CODE", "SUGGESTION_STATES", "unified_status"]

STATUS_BY_CODE: Mapping[str, UnifiedStatus] = {
    "01": UnifiedStatus.SUBMITTED,
    "02": UnifiedStatus.NOT_ACCEPTED,
    "03": UnifiedStatus.DISPATCHED,
    "04": UnifiedStatus.HANDLING,
    "05": UnifiedStatus.REPLIED,
    "06": UnifiedStatus.VISIT,
    "07": UnifiedStatus.CLOSED,
    "08": UnifiedStatus.CLOSED,
}
# The status names, as a list filter takes them, to their codes.
SUGGESTION_STATES: Mapping[str, str] = {
    "待受理": "01",
    "不予受理": "02",
    "已交办": "03",
    "办理中": "04",
    "已反馈": "05",
    "已评价": "06",
    "已激励": "07",
    "已办结": "08",
}


def unified_status(code: str) -> UnifiedStatus:
    try:
        return STATUS_BY_CODE[code]
    except KeyError:
        raise LegacyProtocolError("suggestion", f"unknown status code zt={code!r}") from None
