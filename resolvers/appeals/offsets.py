"""Offset positions for sources whose legacy list is paged by offset or page number."""

from __future__ import annotations

__all__ = ["next_offset", "offset_of"]


def offset_of(position: str | None) -> int:
    if position is None:
        return 0
    if not position.isdigit():
        raise ValueError(f"not an offset position: {position!r}")
    return int(position)


def next_offset(offset: int, got: int, total: int) -> str | None:
    end = offset + got
    return str(end) if got and end < total else None
