"""The filter of the merged search (``AppealFilter``), as a pure predicate over :class:`AppealRecord`.

What a legacy system can apply itself (words, the person's identifiers) also goes to it as a
:class:`~resolvers.appeals.sources.SourceSearch`; everything is checked again here, so a system that ignores a
filter cannot widen the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.appeals.record import AppealRecord
from resolvers.appeals.sources import SourceSearch
from resolvers.appeals.warning import WarningColour
from resolvers.domain import SourceSystem, UnifiedStatus

__all__ = ["AppealCriteria", "matches"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AppealCriteria:
    """Every field narrows; empty means any. Codes match as prefixes (a district covers its streets)."""

    text: str = ""
    systems: frozenset[SourceSystem] = frozenset()
    statuses: frozenset[UnifiedStatus] = frozenset()
    unit_code: str = ""  # lead or co-handling unit
    admin_code: str = ""
    grid_code: str = ""
    received_from: datetime | None = None  # inclusive
    received_to: datetime | None = None  # exclusive
    person_key: str = ""
    phone: str = ""  # the person's identifiers, for the legacy systems' own search; never echoed
    id_number: str = ""
    warning_colours: frozenset[WarningColour] = frozenset()  # applied after reading: the warning needs the clock

    def source_search(self) -> SourceSearch:
        return SourceSearch(text=self.text, phone=self.phone, id_number=self.id_number)

    def wants(self, system: SourceSystem) -> bool:
        return not self.systems or system in self.systems


def matches(criteria: AppealCriteria, record: AppealRecord) -> bool:
    facts = record.facts
    if not criteria.wants(record.system):
        return False
    if criteria.statuses and record.status not in criteria.statuses:
        return False
    if criteria.unit_code and criteria.unit_code not in (facts.lead_unit, *facts.co_units):
        return False
    if criteria.admin_code and not (facts.admin_code or "").startswith(criteria.admin_code):
        return False
    if criteria.grid_code and not (facts.grid_code or "").startswith(criteria.grid_code):
        return False
    if criteria.received_from is not None and record.received_at < criteria.received_from:
        return False
    if criteria.received_to is not None and record.received_at >= criteria.received_to:
        return False
    if criteria.person_key and facts.person_key is not None and facts.person_key != criteria.person_key:
        return False  # a record that does not know its person was matched by the legacy system's own search
    if criteria.text:
        words = criteria.text.split()
        haystack = f"{record.title}\n{record.content}"
        if not all(w in haystack for w in words):
            return False
    return True
