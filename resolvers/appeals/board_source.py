"""The leaders' message board (领导留言板) as an :class:`~resolvers.appeals.sources.AppealSource`.

The board pages by thread id (``lastItem``), so a position is the last thread id read. Its list does not carry the
poster; a thread read by id does, so only those records know their person key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from resolvers import board_status, board_terms
from resolvers.access import AppealFacts
from resolvers.adapters.board import MAX_PAGE_SIZE, BoardClient, BoardThread
from resolvers.adapters.errors import LegacyError
from resolvers.appeals.record import AppealRecord, HistoryEvent
from resolvers.appeals.sources import SourcePage, SourceSearch
from resolvers.domain import SourceSystem, person_key
from resolvers.persons import Identifiers

__all__ = ["BoardSource", "record_of_thread"]

PERSON_LIMIT = 100


def record_of_thread(secret: bytes, t: BoardThread) -> AppealRecord:
    phone = t.poster.phone if t.poster else ""
    status = board_status.unified_status(t.state_text)
    facts = AppealFacts(
        system=SourceSystem.MSGBOARD, status=status, person_key=person_key(secret, phone=phone) if phone else None
    )
    steps = [HistoryEvent(t.posted_at, "发帖")]
    if t.answered_at:
        steps.append(HistoryEvent(t.answered_at, "回复", t.answer_organization or ""))
    return AppealRecord(
        system=SourceSystem.MSGBOARD,
        local_id=str(t.thread_id),
        received_at=t.posted_at,
        status=status,
        source_status=t.state_text,
        appeal_type=board_terms.appeal_type(t.type_name),
        facts=facts,
        title=t.title,
        content=t.content,
        category=board_terms.unified_category(t.domain_name) or t.domain_name,
        address=t.poster.address if t.poster else "",
        channel=t.forum_name,
        replied_at=t.answered_at,
        deadline=board_terms.deadline(t.posted_at, t.type_name),
        history=tuple(steps),
        phone=phone,
        contact_name=t.poster.name if t.poster else "",
    )


class BoardSource:
    system = SourceSystem.MSGBOARD

    def __init__(self, client: BoardClient, person_secret: bytes) -> None:
        self._client = client
        self._secret = person_secret

    async def get_many(self, local_ids: Sequence[str]) -> Mapping[str, AppealRecord]:
        tids = [int(i) for i in local_ids if i.isdigit()]
        answers = await self._client.threads(tids)
        found: dict[str, AppealRecord] = {}
        for tid, answer in zip(tids, answers, strict=True):
            if isinstance(answer, LegacyError):
                raise answer
            if answer is not None:
                found[str(tid)] = record_of_thread(self._secret, answer)
        return found

    async def page(self, search: SourceSearch, position: str | None, count: int) -> SourcePage:
        if search.id_number and not search.phone:
            return SourcePage((), None)  # the board knows people by phone only
        got = await self._client.list_threads(
            count=min(count, MAX_PAGE_SIZE),
            before=int(position) if position else None,
            keywords=search.text or None,
            phone=search.phone or None,
        )
        records = tuple(record_of_thread(self._secret, t) for t in got.threads)
        return SourcePage(records, str(got.next_before) if got.next_before is not None else None)

    async def of_person(self, who: Identifiers) -> list[AppealRecord]:
        if not who.phone:
            return []
        got = await self._client.list_threads(count=PERSON_LIMIT, phone=who.phone)
        key = person_key(self._secret, phone=who.phone)
        # the list leaves the poster out, but the board matched them by phone
        return [_with_person(record_of_thread(self._secret, t), key, who.phone) for t in got.threads]


def _with_person(record: AppealRecord, key: str, phone: str) -> AppealRecord:
    return replace(record, facts=replace(record.facts, person_key=key), phone=phone)
