"""A link one legacy system keeps to a record of another (关联记录): 网格直办, 重合件, 重复件."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["RecordLink"]


@dataclass(frozen=True, slots=True)
class RecordLink:
    system: str  # the other system: hotline, grid, petition, ...
    number: str  # the record's number there (工单编号, 任务号, 信访件编号)
    kind: str  # as the legacy system words it: 网格直办 / 重合件 / 重复件
    at: datetime | None
