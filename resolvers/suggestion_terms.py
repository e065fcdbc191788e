"""The rest of the suggestion system's vocabulary in domain terms: channel, deadline, adoption.

The system keeps 办理期限 as a date; the deadline is the end of that day. 采纳情况 (adoption) becomes a yes/no
answer — adopted in whole or in part counts as adopted — with the system's own text kept beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

__all__ = ["adopted", "channel", "deadline"]

_CHANNELS: Mapping[str, str] = {"小程序": "wechat", "网站": "web", "12345转办": "hotline", "来信": "letter"}


def channel(source: str) -> str:
    """The unified channel name (wechat / web / hotline / letter); an unknown one passes through as it is."""
    return _CHANNELS.get(source, source or "web")


def deadline(due: date | None) -> datetime | None:
    return None if due is None else datetime.combine(due, time(23, 59, 59))


def adopted(adoption: str | None) -> bool | None:
    """采纳 / 部分采纳 → True, 未采纳 → False, not decided yet → None."""
    if adoption is None:
        return None
    return adoption in ("采纳", "部分采纳")
