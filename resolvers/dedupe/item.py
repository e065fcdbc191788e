"""What duplicate detection compares of an appeal: text, place, category, person, time and confidentiality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.appeals.record import AppealRecord
from resolvers.domain import Confidentiality, SourceSystem

__all__ = ["DedupeItem", "item_of"]


@dataclass(frozen=True, slots=True)
class DedupeItem:
    id: str
    system: SourceSystem
    received_at: datetime  # naive Beijing time
    title: str
    content: str
    address: str = ""
    category: str = ""  # 一级分类
    admin_code: str = ""  # 12-digit 行政区划, when known
    grid_code: str = ""  # 15-digit 单元网格, when known
    person_key: str | None = None
    confidentiality: Confidentiality = Confidentiality.NORMAL
    accused: str = ""  # the accused unit of a 检举控告 item, when resolved
    is_open: bool = True

    @property
    def text(self) -> str:
        return f"{self.title}。{self.content}"


def item_of(record: AppealRecord) -> DedupeItem:
    facts = record.facts
    return DedupeItem(
        id=record.id,
        system=record.system,
        received_at=record.received_at,
        title=record.title,
        content=record.content,
        address=record.address,
        category=record.category,
        admin_code=facts.admin_code or "",
        grid_code=facts.grid_code or "",
        person_key=facts.person_key,
        confidentiality=facts.confidentiality,
        accused=facts.accused_unit or "",
        is_open=record.is_open,
    )
