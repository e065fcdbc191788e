"""The grid system's vocabulary on the unified one (DOMAIN.md §5): status, appeal type, channel, category.

The raw values always travel beside the mapped ones (``sourceStatus``, ``eventCode``), because a mapping loses
information and users ask for the raw value.
"""

from __future__ import annotations

from resolvers.domain import AppealType, Confidentiality, UnifiedStatus

__all__ = [
    "GRID_STATUS",
    "MEDIA_SOURCE",
    "appeal_type",
    "channel",
    "confidentiality",
    "unified_category",
    "unified_status",
]

# DOMAIN.md §5: 上报→SUBMITTED, 核实→ACCEPTED, 立案→ACCEPTED, 派遣→DISPATCHED, 处置→HANDLING, 反馈→REPLIED,
# 核查→AUDIT, 结案→CLOSED, 作废→INVALID. The system writes 处置中 for 处置; both are accepted.
GRID_STATUS: dict[str, UnifiedStatus] = {
    "上报": UnifiedStatus.SUBMITTED,
    "核实": UnifiedStatus.ACCEPTED,
    "立案": UnifiedStatus.ACCEPTED,
    "派遣": UnifiedStatus.DISPATCHED,
    "处置": UnifiedStatus.HANDLING,
    "处置中": UnifiedStatus.HANDLING,
    "反馈": UnifiedStatus.REPLIED,
    "核查": UnifiedStatus.AUDIT,
    "结案": UnifiedStatus.CLOSED,
    "作废": UnifiedStatus.INVALID,
}

_APPEAL_TYPES = {
    "咨询": AppealType.CONSULT,
    "求助": AppealType.HELP,
    "投诉": AppealType.COMPLAINT,
    "举报": AppealType.REPORT,
    "建议": AppealType.SUGGESTION,
    "表扬": AppealType.PRAISE,
}

# 问题来源 媒体: the event came from the media, which is media attention (三色预警 RED, DOMAIN.md §7).
MEDIA_SOURCE = "媒体"

# 问题来源 → channel, in the unified channel words (phone/web/app/...).
_CHANNELS = {"公众": "app", "12345热线": "hotline", "网格员": "grid_worker", "监督员": "supervisor"}

# Event code (大类+小类) → the unified first-level category (the seven labels of legacy.world.CATEGORIES).
_CATEGORIES = {
    "0101": "城乡建设",
    "0102": "环境保护",
    "0103": "环境保护",
    "0107": "环境保护",
    "0301": "城乡建设",
    "0401": "城乡建设",
    "0403": "环境保护",
    "0505": "交通运输",
    "0508": "环境保护",
    "0601": "劳动和社会保障",
    "0602": "商贸旅游",
    "0603": "卫生计生",
    "0604": "教育文体",
}


def unified_status(state: str) -> UnifiedStatus:
    """The unified status of a grid state; a state this table does not know is a ``KeyError`` (a bug)."""
    return GRID_STATUS[state]


def appeal_type(reflect_type: str) -> AppealType:
    """反映类型 → AppealType; grid events without one are problems someone complained about."""
    return _APPEAL_TYPES.get(reflect_type, AppealType.COMPLAINT)


def channel(source: str) -> str:
    return _CHANNELS.get(source, "grid")


def unified_category(event_code: str) -> str | None:
    return _CATEGORIES.get(event_code)


def confidentiality(is_secret: bool) -> Confidentiality:
    return Confidentiality.SECRET if is_secret else Confidentiality.NORMAL
