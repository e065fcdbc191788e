"""``revealAppealContact``: 查看联系方式 (reveal a petitioner's full contact) for an appeal of any system.

One mutation for every system, in place of the deprecated ``reveal<System>Contact`` ones: the appeal is read from
its system of record through the cross-system sources, the caller's access to it decided as everywhere else
(DOMAIN.md §8), and every attempt — granted or refused — written to the audit log first
(:func:`resolvers.contact_reveal.reveal`). A refusal the user can act on (no reason, an id that is no appeal's,
an appeal they cannot see or whose contact their role may not reveal) comes back in ``userErrors``; what they
cannot fix — no login, an audit log or legacy system that does not answer — is a top-level error.
"""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from auth.errors import Unauthenticated
from resolvers.appeals.reads import UnknownSystem, record_loader, split_id
from resolvers.appeals.record import AppealRecord
from resolvers.contact_reveal import Contact, Found, Refusal, RevealOutcome, reveal
from subgraphs.appeals.dispatch_types import UserError
from subgraphs.appeals.query import sources_of
from subgraphs.appeals.types import Appeal, appeal_of
from subgraphs.common.visibility import ContactReveal, contact_reveal_of

__all__ = ["ContactMutation", "RevealAppealContactInput", "RevealAppealContactPayload"]

_KNOWN = "board, grid, hotline, petition, suggestion"
_MESSAGES = {
    Refusal.REASON_MISSING: "Say why you need the contact (查看理由): the reason is written to the audit log.",
    Refusal.MALFORMED_ID: f'Not an appeal id: expected "<system>:<local id>" with a system of {_KNOWN}.',
    Refusal.NOT_FOUND: "There is no appeal with this id that you may see.",
    Refusal.FORBIDDEN: "Your role may not reveal the contact of this appeal.",
}
_FIELDS = {
    Refusal.REASON_MISSING: ["input", "reason"],
    Refusal.MALFORMED_ID: ["input", "appealId"],
    Refusal.NOT_FOUND: ["input", "appealId"],
}


@strawberry.input(description="Which appeal's contact to reveal, and why.")
class RevealAppealContactInput:
    appeal_id: strawberry.ID = strawberry.field(
        description='The appeal, by its global id, of any system ("hotline:…", "petition:…", "board:…", "grid:…", '
        '"suggestion:…").'
    )
    reason: str = strawberry.field(
        description="Why the contact is needed (查看理由), in a few words; written to the audit log with the attempt."
    )


@strawberry.type(description="What `revealAppealContact` answers.")
class RevealAppealContactPayload:
    contact: ContactReveal | None = strawberry.field(
        description="The full contact, with the audit log entry that records the reveal; null when it was refused."
    )
    appeal: Appeal | None = strawberry.field(
        description="The appeal, when you may see it — also when its contact was refused to you."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the reveal was refused; empty when it was granted. A refused attempt is written to the "
        "audit log as well."
    )


async def _read(info: Info, appeal_id: str) -> tuple[Found, AppealRecord | None]:
    """The appeal's access facts and contact from its system of record; ``(None, None)`` when none exists or its
    system is not served by this graph."""
    system, local = split_id(appeal_id)
    source = sources_of(info).get(system)
    if source is None:
        return None, None
    loader = info.context.loader(f"appeals.{system.value}", lambda: record_loader(source))
    record = cast(AppealRecord | None, await loader.load(local))
    if record is None:
        return None, None
    return (record.facts, Contact(name=record.contact_name, phone=record.phone, id_number=record.id_number)), record


def _payload(outcome: RevealOutcome, record: AppealRecord | None) -> RevealAppealContactPayload:
    appeal = appeal_of(record) if record is not None and outcome.visible else None
    if outcome.refusal is None:
        return RevealAppealContactPayload(contact=contact_reveal_of(outcome), appeal=appeal, user_errors=[])
    error = UserError(
        code=outcome.refusal.value, field=_FIELDS.get(outcome.refusal), message=_MESSAGES[outcome.refusal]
    )
    return RevealAppealContactPayload(contact=None, appeal=appeal, user_errors=[error])


async def reveal_appeal_contact(
    info: Info,
    input: Annotated[RevealAppealContactInput, strawberry.argument(description="The appeal and the reason.")],
) -> RevealAppealContactPayload:
    appeal_id = str(input.appeal_id)
    read: list[AppealRecord | None] = [None]

    async def load() -> Found:
        found, read[0] = await _read(info, appeal_id)
        return found

    try:
        split_id(appeal_id)
        known = True
    except UnknownSystem:
        known = False
    context = info.context
    outcome = await reveal(context.principal, context.audit, appeal_id, input.reason, load if known else None)
    if outcome.refusal is Refusal.UNAUTHENTICATED:
        raise Unauthenticated("revealing a contact needs a login")
    return _payload(outcome, read[0])


@strawberry.type
class ContactMutation:
    reveal_appeal_contact: RevealAppealContactPayload = strawberry.mutation(
        resolver=reveal_appeal_contact,
        description="查看联系方式: the full name, phone and (where the system keeps it) ID number of an appeal's "
        "petitioner, in any system, for the roles that may reveal it. Every attempt, granted or refused, is "
        "written to the audit log with who asked, when, for which appeal and why.",
    )
