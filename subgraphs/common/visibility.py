"""Applying :mod:`resolvers.access` in a subgraph: the caller's access to an appeal, the reduced view, and the
deprecated ``reveal<System>Contact`` mutation every system subgraph offers (``revealAppealContact`` in the appeals
subgraph replaces them; both decide and audit through :mod:`resolvers.contact_reveal`).

Behaviour clients see (DOMAIN.md §8):

- an appeal the caller may not see is absent: left out of lists (a page may then hold fewer than ``first`` items;
  ``nextCursor`` still continues), null by id and in ``_entities``; nothing tells it apart from one that does not
  exist (信访工作条例 Art 30: the accused must not even learn that an accusation exists);
- the reduced view (hotline roles looking at 信访 items: existence, status and unit only): the object is there with
  its ids, dates, status and units; every restricted field asked for is null with a ``FORBIDDEN`` error at its
  path — the same shape the gateway gives for fields a policy withholds, so a client handles both alike;
- the petitioner (``PersonRef``) is full, masked, key-only or null as the caller's access says;
- free text (title, content, replies, notes, opinions) reaches a caller who sees the petitioner only masked (or not
  at all) with the personal data inside it masked too (:mod:`resolvers.redaction`: mobile and landline numbers, ID
  and bank-card numbers, recognisable names); callers who see the petitioner in full (the citizen themself, the
  petition desk, the operator during the call) read it as written; text with nothing to mask keeps its wording;
- ``reveal<System>Contact(appealId, reason)`` returns the full contact to roles §8 lets reveal, after writing an
  audit record (who, role, when, appeal, reason); refused callers get ``FORBIDDEN`` (``UNAUTHENTICATED`` when
  anonymous) and the refusal is recorded too, as ``reveal_contact_denied``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission
from strawberry.types import Info

from auth.errors import Forbidden, Unauthenticated
from resolvers import domain
from resolvers.access import Access, AppealFacts, ContentView, PiiView, Scope, decide
from resolvers.contact_reveal import Contact, Found, Refusal, RevealOutcome, has_reason, reveal
from resolvers.redaction import redact
from subgraphs.common.errors import SubgraphInputError

__all__ = [
    "APPEAL_ID_ARG",
    "REASON_ARG",
    "Contact",
    "ContactReveal",
    "FullViewOnly",
    "access_to",
    "contact_reveal_of",
    "redact",
    "reveal_contact",
    "shown_text",
]


def access_to(info: Info, facts: AppealFacts, *, on_call_with: str | None = None) -> Access:
    return decide(info.context.principal, facts, on_call_with=on_call_with)


def shown_text(text: str | None, access: Access) -> str | None:
    """Free text as the caller may read it: as written (content in full and the petitioner in full), with the
    personal data in it masked (everyone who sees the petitioner masked, by key or not at all), or nothing."""
    if not text or access.content is ContentView.NONE:
        return None
    if access.content is ContentView.FULL and access.pii is PiiView.FULL:
        return text
    return redact(text)


class FullViewOnly(BasePermission):
    """A field of an appeal that the reduced view (existence, status and unit only) withholds with FORBIDDEN."""

    message = "not visible to your role: only the existence, status and unit of this appeal"
    error_extensions = {"code": "FORBIDDEN", "retryable": False}  # noqa: RUF012 (strawberry reads it as a class attribute)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        access: Access | None = getattr(source, "access", None)
        return access is None or access.scope is Scope.FULL


@strawberry.federation.type(
    shareable=True, description="The full contact of an appeal's petitioner, revealed by an audited action."
)
class ContactReveal:
    appeal_id: strawberry.ID = strawberry.field(description="The appeal whose contact this is.")
    name: str | None = strawberry.field(description="The full name.")
    phone: str | None = strawberry.field(description="The full phone number.")
    id_number: str | None = strawberry.field(description="The full ID number (身份证号), where the system has it.")
    audit_id: str = strawberry.field(description="The audit log entry recording this reveal.")


APPEAL_ID_ARG = Annotated[strawberry.ID, strawberry.argument(description="The appeal, by its global id.")]
REASON_ARG = Annotated[
    str, strawberry.argument(description="Why the contact is needed (查看理由); written to the audit log.")
]

Loader = Callable[[Info, str], Awaitable[Found]]


def contact_reveal_of(outcome: RevealOutcome) -> ContactReveal | None:
    """The granted contact as the graph shows it (the phone normalized), or ``None`` for a refusal."""
    contact = outcome.contact
    if contact is None:
        return None
    return ContactReveal(
        appeal_id=strawberry.ID(outcome.appeal),
        name=contact.name or None,
        phone=domain.normalize_phone(contact.phone) or None if contact.phone else None,
        id_number=contact.id_number or None,
        audit_id=outcome.audit_id,
    )


async def reveal_contact(info: Info, appeal_id: str, reason: str, load: Loader) -> ContactReveal:
    """``reveal<System>Contact``: the contact of ``appeal_id`` if §8 lets the caller, every attempt audited first
    (:func:`resolvers.contact_reveal.reveal`); a refusal is a top-level error here, and a missing reason is refused
    before anything is read or written."""
    if not has_reason(reason):
        raise SubgraphInputError("revealing a contact needs a reason (查看联系方式须说明理由)")
    context = info.context

    async def read() -> Found:
        return await load(info, appeal_id)

    outcome = await reveal(context.principal, context.audit, appeal_id, reason, read)
    shown = contact_reveal_of(outcome)
    if shown is None:
        if outcome.refusal is Refusal.UNAUTHENTICATED:
            raise Unauthenticated("revealing a contact needs a login")
        raise Forbidden("your role may not reveal the contact of this appeal")
    return shown
