"""Suggestion collection (人民建议征集) as an :class:`~resolvers.appeals.sources.AppealSource`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from resolvers import suggestion_terms
from resolvers.access import AppealFacts
from resolvers.adapters.suggestion import MAX_PAGE_SIZE, Suggestion, SuggestionClient
from resolvers.appeals.offsets import next_offset, offset_of
from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.appeals.sources import SourcePage, SourceSearch
from resolvers.domain import AppealType, SourceSystem, person_key
from resolvers.persons import Identifiers
from resolvers.suggestion_status import unified_status

__all__ = ["SuggestionSource", "record_of_suggestion"]


def record_of_suggestion(secret: bytes, s: Suggestion) -> AppealRecord:
    phone, ident = s.proposer_phone, s.proposer_id_number
    status = unified_status(s.state_code)
    facts = AppealFacts(
        system=SourceSystem.SUGGESTION,
        status=status,
        lead_unit=s.unit.code if s.unit else None,
        admin_code=s.admin_code12,
        person_key=person_key(secret, phone=phone, id_number=ident) if phone or ident else None,
    )
    unit = s.unit.name if s.unit else ""
    steps = [(s.submitted_at, "征集", ""), (s.assigned_at, "交办", unit), (s.replied_at, "反馈", unit)]
    return AppealRecord(
        system=SourceSystem.SUGGESTION,
        local_id=s.number,
        received_at=s.submitted_at,
        status=status,
        source_status=s.state_name or s.state_code,
        appeal_type=AppealType.SUGGESTION,
        facts=facts,
        title=s.title,
        content=s.content,
        category=s.category,
        address=s.address,
        channel=s.channel,
        lead_unit=s.unit,
        dispatched_at=s.assigned_at,
        signed_at=s.assigned_at,
        replied_at=s.replied_at,
        deadline=suggestion_terms.deadline(s.due_date),
        history=tuple(HistoryEvent(at, a, u) for at, a, u in steps if at),
        phone=phone,
        id_number=ident,
        contact_name=s.proposer_name,
    )


class SuggestionSource:
    system = SourceSystem.SUGGESTION

    def __init__(self, client: SuggestionClient, person_secret: bytes) -> None:
        self._client = client
        self._secret = person_secret

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        found = await self._client.many(local_ids)
        return {n: record_of_suggestion(self._secret, s) for n, s in zip(local_ids, found, strict=True) if s}

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        offset = offset_of(position)
        got = await self._client.page(
            offset=offset,
            count=min(count, MAX_PAGE_SIZE),
            phone=search.phone or None,
            id_number=None if search.phone else search.id_number or None,
            keyword=search.text or None,
        )
        records = tuple(record_of_suggestion(self._secret, s) for s in got.records)
        return SourcePage(records, next_offset(offset, len(records), got.total))

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        found = await self._client.everything_of(phone=who.phone, id_number=who.id_number)
        return [record_of_suggestion(self._secret, s) for s in found]
