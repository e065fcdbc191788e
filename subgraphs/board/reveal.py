"""``revealBoardContact``: the poster's full name and phone behind a thread, an audited action (DOMAIN.md §8)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.access import AppealFacts
from resolvers.domain import SourceSystem, person_key
from subgraphs.board.types import board_tid, threads_of
from subgraphs.common.roots import MUTATION_DESCRIPTION
from subgraphs.common.visibility import APPEAL_ID_ARG, REASON_ARG, Contact, ContactReveal, reveal_contact

__all__ = ["Mutation"]


async def _load_contact(info: Info, appeal: str) -> tuple[AppealFacts, Contact] | None:
    thread = await threads_of(info).load(board_tid(appeal))
    poster = None if thread is None else thread.poster
    if poster is None:
        return None
    key = person_key(info.context.person_secret, phone=poster.phone) if poster.phone else None
    facts = AppealFacts(system=SourceSystem.MSGBOARD, person_key=key)  # as the poster's PersonRef decides
    return facts, Contact(name=poster.name, phone=poster.phone)


async def _reveal_board_contact(info: Info, appeal_id: APPEAL_ID_ARG, reason: REASON_ARG) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type(description=MUTATION_DESCRIPTION)
class Mutation:
    reveal_board_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        deprecation_reason="Use revealAppealContact(input: {appealId, reason}).",
        resolver=_reveal_board_contact,
        description="查看联系方式: the poster's full name and phone for the roles that may reveal it; every "
        "attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )
