"""The rest of the board's vocabulary in domain terms: 类型 → AppealType, 领域 → category, the time limit, the
place.

The board names its 领域 and 类型 only (no codes). Its 领域 map onto the seven first-level labels used as the
unified category (DOMAIN.md §10); 其他 and anything unknown have none. The board publishes no time limit
(DOMAIN.md §4.1): the deadline is ours [P], after the weak 红网问政 figures — 咨询 3 working days, everything
else 7 — counted in the product's one working-day calendar (:mod:`resolvers.calendar`: holidays and make-up days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from resolvers.calendar import WorkCalendar, calendar_for
from resolvers.domain import AppealType, mask_address

__all__ = [
    "TIME_LIMIT_WORKDAYS",
    "appeal_type",
    "community_level",
    "deadline",
    "unified_category",
]

_TYPES: Mapping[str, AppealType] = {
    "咨询": AppealType.CONSULT,
    "求助": AppealType.HELP,
    "投诉": AppealType.COMPLAINT,
    "举报": AppealType.REPORT,
    "建言": AppealType.SUGGESTION,
    "建议": AppealType.SUGGESTION,
    "感谢": AppealType.PRAISE,
    "表扬": AppealType.PRAISE,
}

_CATEGORIES: Mapping[str, str] = {
    "城建": "城乡建设",
    "住房": "城乡建设",
    "环保": "环境保护",
    "交通": "交通运输",
    "教育": "教育文体",
    "文娱": "教育文体",
    "就业": "劳动和社会保障",
    "社保": "劳动和社会保障",
    "消费": "商贸旅游",
    "旅游": "商贸旅游",
    "医疗": "卫生计生",
}

TIME_LIMIT_WORKDAYS: Mapping[str, int] = {"咨询": 3}
_DEFAULT_LIMIT = 7


def appeal_type(type_name: str) -> AppealType:
    """类型 → AppealType; an unknown 类型 is a consultation, the board's least committal kind."""
    return _TYPES.get(type_name.strip(), AppealType.CONSULT)


def unified_category(domain_name: str) -> str | None:
    return _CATEGORIES.get(domain_name.strip())


def deadline(posted_at: dt.datetime, type_name: str, calendar: WorkCalendar | None = None) -> dt.datetime:
    """``posted_at`` plus the 类型's working days, at the same time of day, in ``calendar`` (the process's calendar
    from the request context; left out, the shipped schedules')."""
    return (calendar or calendar_for()).add_workdays(
        posted_at, TIME_LIMIT_WORKDAYS.get(type_name.strip(), _DEFAULT_LIMIT)
    )


def community_level(address: str) -> str | None:
    """The address cut to the community (or, failing that, street or district): what masking lets through."""
    return mask_address(address)
