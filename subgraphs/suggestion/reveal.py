"""``revealSuggestionContact``: the proposer's full contact behind a suggestion, an audited action (DOMAIN.md §8)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers.access import AppealFacts
from subgraphs.common.roots import MUTATION_DESCRIPTION
from subgraphs.common.visibility import APPEAL_ID_ARG, REASON_ARG, Contact, ContactReveal, reveal_contact
from subgraphs.suggestion.types import facts_of, load_suggestion

__all__ = ["Mutation"]


async def _load_contact(info: Info, appeal: str) -> tuple[AppealFacts, Contact] | None:
    record = await load_suggestion(info, appeal)
    if record is None:
        return None
    contact = Contact(name=record.proposer_name, phone=record.proposer_phone, id_number=record.proposer_id_number)
    return facts_of(info, record), contact


async def _reveal_suggestion_contact(info: Info, appeal_id: APPEAL_ID_ARG, reason: REASON_ARG) -> ContactReveal | None:
    return await reveal_contact(info, appeal_id, reason, _load_contact)


@strawberry.type(description=MUTATION_DESCRIPTION)
class Mutation:
    reveal_suggestion_contact: ContactReveal | None = strawberry.federation.field(
        policy=[["reveal_contact"]],
        deprecation_reason="Use revealAppealContact(input: {appealId, reason}).",
        resolver=_reveal_suggestion_contact,
        description="查看联系方式: the proposer's full name, phone and ID number for the roles that may "
        "reveal it; every attempt, granted or refused (FORBIDDEN), is written to the audit log with `reason`.",
    )
