"""The petition system (信访) as an :class:`~resolvers.appeals.sources.AppealSource`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from resolvers import petition_status
from resolvers.access import AppealFacts
from resolvers.accused import resolve_accused
from resolvers.adapters.petition import MAX_PAGE, PetitionClient, PetitionCriteria, PetitionRecord
from resolvers.appeals.offsets import next_offset, offset_of
from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.appeals.sources import SourcePage, SourceSearch
from resolvers.domain import SourceSystem, person_key
from resolvers.persons import Identifiers
from resolvers.petitions import appeal_type, confidentiality, petitions_of

__all__ = ["PetitionSource", "record_of_petition"]


def _history(r: PetitionRecord) -> tuple[HistoryEvent, ...]:
    unit = r.lead_unit.name if r.lead_unit else ""
    steps = [
        (r.registered_at, "登记", ""),
        (r.routed_at, r.routing_mode or "转送", unit),
        (r.accepted_at, "受理告知", unit),
        (r.extended_at, "延期", unit),
        (r.opinion_at, "出具意见书", unit),
        (r.review_requested_at, "申请复查", ""),
        (r.review_decided_at, "复查意见", ""),
        (r.recheck_requested_at, "申请复核", ""),
        (r.recheck_decided_at, "复核意见", ""),
        (r.closed_at, "办结", unit),
    ]
    return tuple(sorted((HistoryEvent(at, action, who) for at, action, who in steps if at), key=lambda e: e.at))


def record_of_petition(secret: bytes, r: PetitionRecord) -> AppealRecord:
    key = person_key(secret, phone=r.phone, id_number=r.id_number) if r.phone or r.id_number else None
    status = petition_status.unified_status(r.source_status)
    accused = resolve_accused(r.accused, [r.lead_unit] if r.lead_unit else []) if r.is_accusation else None
    facts = AppealFacts(
        system=SourceSystem.PETITION,
        confidentiality=confidentiality(r),
        status=status,
        lead_unit=r.lead_unit.code if r.lead_unit else None,
        accused_unit=accused.unit_code if accused else None,
        accused_unresolved=accused is not None and not accused.resolved,
        admin_code=r.location_code or None,
        person_key=key,
        creator=r.registrar or None,
    )
    return AppealRecord(
        system=SourceSystem.PETITION,
        local_id=r.petition_no,
        received_at=r.registered_at,
        status=status,
        source_status=r.source_status,
        appeal_type=appeal_type(r),
        facts=facts,
        title=r.title,
        content=r.content,
        category=r.content_class,
        address=r.location_name or r.address,
        channel=r.form,
        lead_unit=r.lead_unit,
        accepted_at=r.accepted_at,
        dispatched_at=r.routed_at,
        signed_at=r.routed_at,
        replied_at=r.opinion_at,
        closed_at=r.closed_at,
        deadline=r.handling_deadline,
        extension_count=1 if r.extended_at else 0,
        extension_reason=r.extension_reason if r.extended_at else "",
        persons_involved=max(1, r.persons_involved),
        history=_history(r),
        phone=r.phone,
        id_number=r.id_number,
        contact_name=r.petitioner_name,
    )


class PetitionSource:
    system = SourceSystem.PETITION

    def __init__(self, client: PetitionClient, person_secret: bytes) -> None:
        self._client = client
        self._secret = person_secret

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        found = await self._client.get_many(local_ids)
        return {n: record_of_petition(self._secret, r) for n, r in found.items()}

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        offset = offset_of(position)
        criteria = PetitionCriteria(
            phone="" if search.id_number else search.phone, id_number=search.id_number, text=search.text
        )
        got = await self._client.search(criteria, offset=offset, limit=min(count, MAX_PAGE))
        records = tuple(record_of_petition(self._secret, r) for r in got.records)
        return SourcePage(records, next_offset(offset, len(records), got.total))

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        return [record_of_petition(self._secret, r) for r in await petitions_of(self._client, who)]
