"""查看联系方式 (revealing a petitioner's full contact): the decision and its audit record (DOMAIN.md §8).

One routine for every reveal mutation of the graph: the cross-system ``revealAppealContact`` and the deprecated
``reveal<System>Contact`` ones. Every attempt is written to the audit log (:mod:`resolvers.audit`) *before* the
answer is given — ``reveal_contact`` when granted, ``reveal_contact_denied`` when refused — and when the log cannot
be written (:class:`~resolvers.audit.AuditUnavailable`) nothing is revealed.

A refusal says why, in terms that never tell an appeal the caller may not see apart from one that does not exist
(信访工作条例 Art 30: the accused must not even learn that an accusation exists): both are :attr:`Refusal.NOT_FOUND`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from auth.principal import Principal
from resolvers.access import AppealFacts, decide
from resolvers.audit import REVEAL, REVEAL_DENIED, AuditLog, audit_entry

__all__ = ["MIN_REASON", "Contact", "Found", "Refusal", "RevealOutcome", "has_reason", "reveal"]

MIN_REASON = 2  # characters: a reason is a few words, not a placeholder


@dataclass(frozen=True, slots=True)
class Contact:
    """The full contact behind an appeal (server-side until revealed)."""

    name: str
    phone: str
    id_number: str = ""


class Refusal(Enum):
    """Why a reveal was refused; the value is the code a client reads."""

    REASON_MISSING = "REQUIRED"  # no reason (查看理由) given
    MALFORMED_ID = "BAD_VALUE"  # the id names no appeal system
    NOT_FOUND = "NOT_FOUND"  # no such appeal, or one the caller may not see
    FORBIDDEN = "FORBIDDEN"  # the caller sees the appeal, but their role may not reveal its contact
    UNAUTHENTICATED = "UNAUTHENTICATED"  # no login


@dataclass(frozen=True, slots=True)
class RevealOutcome:
    """What one attempt came to: the contact when granted, the refusal otherwise, and the audit entry either way."""

    appeal: str
    audit_id: str
    contact: Contact | None = None
    refusal: Refusal | None = None
    visible: bool = False  # whether the caller may see the appeal itself (a FORBIDDEN reveal still shows it)


Found = tuple[AppealFacts, Contact] | None
"""The access facts and the contact of the appeal asked for, or ``None`` when there is no such appeal."""


def has_reason(reason: str) -> bool:
    return len(reason.strip()) >= MIN_REASON


async def reveal(
    principal: Principal,
    log: AuditLog,
    appeal_id: str,
    reason: str,
    load: Callable[[], Awaitable[Found]] | None,
) -> RevealOutcome:
    """Decide whether ``principal`` may see the contact of ``appeal_id`` and audit the attempt.

    ``load`` reads the appeal; ``None`` when the id names no appeal system (nothing is read then). Without a reason
    nothing is read either. Raises :class:`~resolvers.audit.AuditUnavailable` when the attempt cannot be recorded.
    """
    why = reason.strip()
    found: Found = None
    refusal: Refusal | None
    if not has_reason(why):
        refusal = Refusal.REASON_MISSING
    elif load is None:
        refusal = Refusal.MALFORMED_ID
    else:
        found = await load()
        refusal = _refusal(principal, found)
    visible = found is not None and decide(principal, found[0]).visible
    entry_id = await log.append(audit_entry(principal, appeal_id, why, REVEAL_DENIED if refusal else REVEAL))
    if refusal is not None or found is None:
        return RevealOutcome(appeal_id, entry_id, refusal=refusal or Refusal.NOT_FOUND, visible=visible)
    return RevealOutcome(appeal_id, entry_id, contact=found[1], visible=visible)


def _refusal(principal: Principal, found: Found) -> Refusal | None:
    if not principal.authenticated:
        return Refusal.UNAUTHENTICATED
    if found is None:
        return Refusal.NOT_FOUND
    access = decide(principal, found[0])
    if not access.visible:
        return Refusal.NOT_FOUND
    return None if access.may_reveal else Refusal.FORBIDDEN
