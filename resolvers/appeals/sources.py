"""What the cross-system lookup needs from each system: read by id, a newest-first stream, a person's records.

One :class:`AppealSource` per system wraps that system's adapter client and turns its records into
:class:`~resolvers.appeals.record.AppealRecord`. Only filters that never change for a record (the person, words in
the text) are sent to the legacy system; the rest are applied afterwards (:mod:`resolvers.appeals.criteria`), so
that a record changing status cannot move the positions a cursor remembers.

A position is the source's own continuation: an offset in the newest-first list for most systems, the last thread
id for the message board. Failures come out as :class:`~resolvers.adapters.errors.LegacyError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from resolvers.appeals.record import AppealRecord
from resolvers.domain import SourceSystem
from resolvers.persons import Identifiers

__all__ = ["AppealSource", "SourcePage", "SourceSearch", "Sources"]


@dataclass(frozen=True, slots=True)
class SourceSearch:
    """The filters a legacy system applies itself: words in title or content, the person's identifiers."""

    text: str = ""
    phone: str = ""
    id_number: str = ""


@dataclass(frozen=True, slots=True)
class SourcePage:
    records: tuple[AppealRecord, ...]
    next_position: str | None  # None: the stream has nothing after these


class AppealSource(Protocol):
    @property
    def system(self) -> SourceSystem: ...

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        """The records of the ids that exist (one batch where the system has a batch read)."""
        ...

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        """Up to ``count`` records newest first, from ``position`` (None: the newest)."""
        ...

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        """Every record filed with the person's phone or ID number, newest first."""
        ...


Sources = Mapping[SourceSystem, AppealSource]
