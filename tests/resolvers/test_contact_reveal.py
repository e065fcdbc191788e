"""查看联系方式: one decision and one audit record per attempt, whatever the outcome (DOMAIN.md §8)."""

from __future__ import annotations

from auth.principal import ANONYMOUS, Principal
from resolvers.access import AppealFacts
from resolvers.audit import MemoryAuditLog
from resolvers.contact_reveal import Contact, Found, Refusal, reveal
from resolvers.domain import Confidentiality, SourceSystem

DISPATCHER = Principal.from_claims({"sub": "d1", "roles": ["dispatcher"]})
ANALYST = Principal.from_claims({"sub": "a1", "roles": ["analyst"]})
FACTS = AppealFacts(system=SourceSystem.HOTLINE, person_key="k1")
CONTACT = Contact(name="王芳", phone="13800001111")


class Reads:
    """Counts the reads of the appeal, so a test can tell that nothing was read."""

    def __init__(self, found: Found) -> None:
        self.found = found
        self.count = 0

    async def __call__(self) -> Found:
        self.count += 1
        return self.found


async def test_a_granted_reveal_returns_the_contact_after_its_audit_record() -> None:
    log = MemoryAuditLog()
    outcome = await reveal(DISPATCHER, log, "hotline:1", " 回访 ", Reads((FACTS, CONTACT)))
    assert (outcome.contact, outcome.refusal, outcome.visible) == (CONTACT, None, True)
    [entry] = await log.entries()
    assert (entry.who, entry.appeal, entry.reason, entry.action, entry.id) == (
        "d1", "hotline:1", "回访", "reveal_contact", outcome.audit_id,
    )  # fmt: skip


async def test_every_refusal_is_recorded_and_says_why() -> None:
    log = MemoryAuditLog()
    secret = AppealFacts(system=SourceSystem.HOTLINE, person_key="k1", confidentiality=Confidentiality.SECRET)
    no_reason = Reads((FACTS, CONTACT))
    cases = [
        (DISPATCHER, "hotline:1", "", no_reason, Refusal.REASON_MISSING),
        (DISPATCHER, "nothing:1", "回访", None, Refusal.MALFORMED_ID),
        (DISPATCHER, "hotline:2", "回访", Reads(None), Refusal.NOT_FOUND),
        (ANALYST, "hotline:1", "回访", Reads((FACTS, CONTACT)), Refusal.FORBIDDEN),
        (DISPATCHER, "hotline:3", "回访", Reads((secret, CONTACT)), Refusal.FORBIDDEN),
        (ANONYMOUS, "hotline:1", "回访", Reads((FACTS, CONTACT)), Refusal.UNAUTHENTICATED),
    ]
    for principal, appeal, reason, load, refusal in cases:
        outcome = await reveal(principal, log, appeal, reason, load)
        assert (outcome.refusal, outcome.contact) == (refusal, None), appeal
    assert no_reason.count == 0  # without a reason nothing is read
    entries = await log.entries()
    assert [(e.appeal, e.action) for e in entries] == [(c[1], "reveal_contact_denied") for c in cases]


async def test_an_appeal_the_caller_may_not_see_reads_as_one_that_does_not_exist() -> None:
    petition = AppealFacts(system=SourceSystem.PETITION, person_key="k1")
    unit = Principal.from_claims({"sub": "u1", "roles": ["unit_handler"], "unit": "U-9"})
    outcome = await reveal(unit, MemoryAuditLog(), "petition:1", "核实", Reads((petition, CONTACT)))
    assert (outcome.refusal, outcome.visible) == (Refusal.NOT_FOUND, False)
