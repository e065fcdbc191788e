"""Grid management (网格) as an :class:`~resolvers.appeals.sources.AppealSource`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from resolvers import grid_mapping
from resolvers.access import AppealFacts
from resolvers.adapters.errors import LegacyError
from resolvers.adapters.grid import MAX_PAGE_SIZE, GridClient, GridEvent
from resolvers.appeals.offsets import offset_of
from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.appeals.sources import SourcePage, SourceSearch
from resolvers.domain import SourceSystem, person_key
from resolvers.grid_events import EventFilters, citizen_events, event_slice
from resolvers.persons import Identifiers

__all__ = ["GridSource", "record_of_event"]


def record_of_event(secret: bytes, e: GridEvent) -> AppealRecord:
    status = grid_mapping.unified_status(e.state)
    unit = e.execute_dept.name if e.execute_dept else ""
    facts = AppealFacts(
        system=SourceSystem.GRID,
        confidentiality=grid_mapping.confidentiality(e.is_secret),
        status=status,
        lead_unit=e.execute_dept.code if e.execute_dept else None,
        admin_code=e.admin_code12,
        grid_code=e.cell_grid_code or None,
        person_key=person_key(secret, phone=e.reporter_phone) if e.reporter_phone else None,
    )
    steps = [
        (e.discovered_at, "发现", ""),
        (e.created_at, "上报", ""),
        (e.registered_at, "立案", ""),
        (e.dispatched_at, "派遣", unit),
        (e.replied_at, "处置反馈", unit),
        (e.archived_at, "结案", ""),
        (e.cancelled_at, "作废", ""),
    ]
    return AppealRecord(
        system=SourceSystem.GRID,
        local_id=e.task_num,
        received_at=e.discovered_at,  # the grid lists by 发现时间
        status=status,
        source_status=e.state,
        appeal_type=grid_mapping.appeal_type(e.reflect_type),
        facts=facts,
        title=e.minor_name or e.major_name,
        content=e.description,
        category=grid_mapping.unified_category(e.event_code) or e.major_name,
        address=e.address,
        channel=e.source,
        media_attention=e.source == grid_mapping.MEDIA_SOURCE,
        lead_unit=e.execute_dept,
        accepted_at=e.registered_at,
        dispatched_at=e.dispatched_at,
        signed_at=e.dispatched_at,
        replied_at=e.replied_at,
        closed_at=e.archived_at or e.cancelled_at,
        deadline=e.deadline,
        history=tuple(sorted((HistoryEvent(at, a, u) for at, a, u in steps if at), key=lambda h: h.at)),
        phone=e.reporter_phone,
        contact_name=e.reporter_name,
        links=e.links,
    )


class GridSource:
    system = SourceSystem.GRID

    def __init__(self, client: GridClient, person_secret: bytes) -> None:
        self._client = client
        self._secret = person_secret

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        answers = await self._client.events(local_ids)
        found: dict[str, AppealRecord] = {}
        for number, answer in zip(local_ids, answers, strict=True):
            if isinstance(answer, LegacyError):
                raise answer
            if answer is not None:
                found[number] = record_of_event(self._secret, answer)
        return found

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        if search.id_number and not search.phone:
            return SourcePage((), None)  # the grid system records reporters by phone only
        filters = EventFilters(phone=search.phone or None, keyword=search.text or None)
        got = await event_slice(self._client, filters, offset=offset_of(position), first=min(count, MAX_PAGE_SIZE))
        records = tuple(record_of_event(self._secret, e) for e in got.items)
        return SourcePage(records, str(got.next_offset) if got.next_offset is not None else None)

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        if not who.phone:
            return []
        return [record_of_event(self._secret, e) for e in await citizen_events(self._client, who.phone)]
