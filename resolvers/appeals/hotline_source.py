"""The 12345 hotline as an :class:`~resolvers.appeals.sources.AppealSource` (work orders, 工单)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from resolvers.access import AppealFacts
from resolvers.accused import accused_of_report, protection
from resolvers.adapters.hotline import MAX_PAGE, HotlineClient, HotlineTicketRecord, HotlineUnitAssignment
from resolvers.appeals.offsets import next_offset, offset_of
from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.appeals.sources import SourcePage, SourceSearch
from resolvers.domain import SourceSystem, person_key
from resolvers.hotline_reads import tickets_of_person
from resolvers.persons import Identifiers

__all__ = ["HotlineSource", "record_of_ticket"]


def record_of_ticket(secret: bytes, r: HotlineTicketRecord) -> AppealRecord:
    phone = r.contact_phone or r.caller_phone
    key = person_key(secret, phone=phone, id_number=r.id_number) if phone or r.id_number else None
    accused = accused_of_report(r.appeal_type, r.accused, [*([r.lead_unit] if r.lead_unit else []), *r.co_units])
    facts = AppealFacts(
        system=SourceSystem.HOTLINE,
        confidentiality=protection(accused, is_secret=r.is_secret),
        status=r.status,
        lead_unit=r.lead_unit.code if r.lead_unit else None,
        co_units=tuple(u.code for u in r.co_units),
        admin_code=r.admin_code or None,
        grid_code=r.grid_code or None,
        person_key=key,
        creator=r.registered_by or None,
        accused_unit=accused.unit_code if accused else None,
        accused_unresolved=accused is not None and not accused.resolved,
    )
    lead = next((u for u in r.units if r.lead_unit and u.unit.code == r.lead_unit.code and u.role == "LEAD"), None)
    unsatisfied = max(r.rehandle_count, 1 if r.callback_satisfied is False else 0)
    return AppealRecord(
        system=SourceSystem.HOTLINE,
        local_id=r.order_no,
        received_at=r.call_time,
        status=r.status,
        source_status=r.city_state,
        appeal_type=r.appeal_type,
        facts=facts,
        title=r.title,
        content=r.content,
        category=r.category_name.split("/")[0] if r.category_name else "",
        address=r.address,
        channel=r.source_channel,
        lead_unit=r.lead_unit,
        accepted_at=r.accepted_at,
        dispatched_at=r.dispatch_time,
        signed_at=lead.signed_at if lead else None,
        replied_at=r.reply_time,
        visited_at=r.callback_time,
        visit_satisfied=r.callback_satisfied,
        closed_at=r.complete_time,
        closure_level=r.closure,
        deadline=r.deadline,
        time_limit_days=r.time_limit if r.time_unit == "工作日" else None,
        sign_deadline=lead.sign_deadline if lead else None,
        return_count=r.return_count,
        extension_count=r.extension_count,
        extension_reason=_granted_extension_reason(r, lead),
        unsatisfied_visits=unsatisfied,
        history=tuple(HistoryEvent(e.at, e.action, e.unit, e.note) for e in r.history),
        phone=phone,
        id_number=r.id_number,
        contact_name=r.caller_name,
        links=r.links,
    )


def _granted_extension_reason(r: HotlineTicketRecord, lead: HotlineUnitAssignment | None) -> str:
    """The lead unit's reason for the extension the centre granted; a request still waiting is not shown as granted."""
    if not r.extension_count or lead is None or lead.state == "延期申请中":
        return ""
    return lead.extension_reason


class HotlineSource:
    system = SourceSystem.HOTLINE

    def __init__(self, client: HotlineClient, person_secret: bytes) -> None:
        self._client = client
        self._secret = person_secret

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        found = await self._client.get_many(local_ids)
        return {n: record_of_ticket(self._secret, r) for n, r in found.items()}

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        offset = offset_of(position)
        got = await self._client.list_tickets(
            offset=offset,
            limit=min(count, MAX_PAGE),
            phone=search.phone,
            id_number="" if search.phone else search.id_number,
            text=search.text,
        )
        records = tuple(record_of_ticket(self._secret, r) for r in got.records)
        return SourcePage(records, next_offset(offset, len(records), got.total))

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        return [record_of_ticket(self._secret, r) for r in await tickets_of_person(self._client, who)]
