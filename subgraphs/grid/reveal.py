"""``revealGridContact``: the reporter's full name and phone behind a grid event, an audited action (DOMAIN.md §8)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.access import AppealFacts
from resolvers.grid_events import load_event
from subgraphs.common.ids import local_id
from subgraphs.common.roots import MUTATION_DESCRIPTION
from subgraphs.common.visibility import APPEAL_ID_ARG, REASON_ARG, Contact, ContactReveal, reveal_contact
from subgraphs.grid.types import SYSTEM, facts_of

__all__ = ["Mutation"]


async def _load_contact(info: Info, appeal: str) -> tuple[AppealFacts, Contact] | None:
    record = await load_event(info.context, local_id(SYSTEM, appeal))
    if record is None:
        return None
    return facts_of(info, record), Contact(name=record.reporter_name, phone=record.reporter_phone)


async def _reveal_grid_contact(info: Info, appeal_id: APPEAL_ID_ARG, reason: REASON_ARG) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type(description=MUTATION_DESCRIPTION)
class Mutation:
    reveal_grid_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        deprecation_reason="Use revealAppealContact(input: {appealId, reason}).",
        resolver=_reveal_grid_contact,
        description="查看联系方式: the reporter's full name and phone for the roles that may reveal it; every "
        "attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )
