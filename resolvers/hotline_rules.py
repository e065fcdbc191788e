"""The 12345 hotline's own rule on the same matter again (DOMAIN.md §9): a matter of the same caller that is being
handled, or was handled, is not accepted again unless the caller brings new circumstances or reasons (正在办理或已办理
完毕、诉求人无新情况新理由的同一事项, the hotlines' 不予受理 list).

"The same matter" is 同人 + 同事 as for petitions (:func:`resolvers.petition_rules.same_matter`): the same person
key, and texts sharing at least half of their normalised character 3-grams. Whether the caller brings something
new is the operator's judgement; :func:`earlier_same_matter` finds what the operator must weigh.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from resolvers.adapters.hotline import HotlineTicketRecord
from resolvers.domain import UnifiedStatus, person_key
from resolvers.petition_rules import Matter, same_matter

__all__ = ["EarlierMatter", "earlier_same_matter", "matter_of_ticket"]


class EarlierMatter(Enum):
    """The state of the caller's earlier order of the same matter."""

    BEING_HANDLED = "BEING_HANDLED"  # 正在办理
    HANDLED = "HANDLED"  # 已办理完毕


def matter_of_ticket(record: HotlineTicketRecord, secret: bytes) -> Matter:
    phones = {p for p in (record.contact_phone, record.caller_phone) if p}
    keys = {person_key(secret, phone=p) for p in phones}
    if record.id_number:
        keys.add(person_key(secret, id_number=record.id_number))
    return Matter(f"{record.title} {record.content}", frozenset(keys), record.accused)


def earlier_same_matter(
    record: HotlineTicketRecord, others: Iterable[HotlineTicketRecord], secret: bytes
) -> EarlierMatter | None:
    """Whether an order registered before ``record`` holds the same matter of the same caller: being handled (any
    state but closed or void) wins over handled (closed); a void order (无效件) counts for nothing. ``others`` may
    hold any orders of the caller; ``record`` itself and later ones are left out."""
    this = matter_of_ticket(record, secret)
    found: EarlierMatter | None = None
    for other in others:
        if (other.call_time, other.order_no) >= (record.call_time, record.order_no):
            continue
        if other.status is UnifiedStatus.INVALID or not same_matter(this, matter_of_ticket(other, secret)):
            continue
        if other.status is not UnifiedStatus.CLOSED:
            return EarlierMatter.BEING_HANDLED
        found = EarlierMatter.HANDLED
    return found
