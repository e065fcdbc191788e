"""The acceptance and routing rules of 信访工作条例 (2022) that the time limits (:mod:`resolvers.petition_limits`)
do not cover, as pure functions (DOMAIN.md §3.1, §9).

- Art 19 ¶3: a matter already accepted or being handled is not accepted again — "the same matter" is 同人 + 同事
  (DOMAIN.md §9): the same person (a shared person key, which every system derives from the normalised phone or ID
  number, so it holds across systems; for an anonymous 检举 the same accused, by normalised name) and essentially
  the same facts and demand (the texts, normalised — full-width folded, numbers, spaces and punctuation dropped —
  share at least half of their character 3-grams);
- Art 36: after 复核 the same facts and reasons are not accepted again (不再受理);
- Art 20: a group visit elects at most 5 representatives;
- Art 22: 涉法涉诉 matters go to the 政法 organs, 检举控告 to 纪检监察, the rest through the ordinary channel;
- Art 23: an organ that receives a matter outside its remit objects within 5 working days (工作日, counted in the
  one calendar, :mod:`resolvers.calendar`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from resolvers.accused import normalise_unit_name
from resolvers.adapters.petition import PetitionRecord
from resolvers.calendar import WorkCalendar
from resolvers.domain import person_key
from resolvers.petition_status import PetitionStage, petition_stage

__all__ = [
    "MAX_REPRESENTATIVES",
    "OBJECTION_WORKDAYS",
    "SAME_TEXT",
    "Bar",
    "Channel",
    "Matter",
    "acceptance_bar",
    "bar_against",
    "channel_for",
    "matter_of",
    "objection_due",
    "representatives_allowed",
    "same_matter",
    "text_overlap",
]

MAX_REPRESENTATIVES = 5  # Art 20
OBJECTION_WORKDAYS = 5  # Art 23
SAME_TEXT = 0.5  # share of character 3-grams two texts of the same matter have in common (DOMAIN.md §9)

_NOISE = re.compile(r"[\W\d_]+")


@dataclass(frozen=True, slots=True)
class Matter:
    """What the rules compare of an appeal, from any system."""

    text: str  # title and content
    person_keys: frozenset[str] = frozenset()  # the petitioners' person keys (joint petitions have several)
    accused: str = ""  # the accused, for anonymous 检举


def _grams(text: str) -> frozenset[str]:
    folded = _NOISE.sub("", unicodedata.normalize("NFKC", text))
    return frozenset(folded[i : i + 3] for i in range(max(len(folded) - 2, 1))) if folded else frozenset()


def text_overlap(a: str, b: str) -> float:
    """Jaccard similarity of the normalised texts' character 3-grams (0 … 1)."""
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def same_matter(a: Matter, b: Matter) -> bool:
    """同人 + 同事 (DOMAIN.md §9): one person in common (or, with no person on either side, the same accused), and
    texts sharing at least :data:`SAME_TEXT` of their 3-grams."""
    if a.person_keys and b.person_keys:
        same_person = bool(a.person_keys & b.person_keys)
    else:
        same_person = bool(a.accused and b.accused) and normalise_unit_name(a.accused) == normalise_unit_name(b.accused)
    return same_person and text_overlap(a.text, b.text) >= SAME_TEXT


class Bar(Enum):
    """Why a matter is not accepted again."""

    BEING_HANDLED = "BEING_HANDLED"  # Art 19 ¶3: already accepted or being handled
    CLOSED_AFTER_RECHECK = "CLOSED_AFTER_RECHECK"  # Art 36: 复核 decided, 不再受理


_OPEN = frozenset(
    {
        PetitionStage.ROUTED,
        PetitionStage.ACCEPTED,
        PetitionStage.EXTENDED,
        PetitionStage.OPINION_ISSUED,
        PetitionStage.REVIEW_REQUESTED,
        PetitionStage.REVIEW_DECIDED,
        PetitionStage.RECHECK_REQUESTED,
    }
)


def acceptance_bar(new: Matter, earlier: Iterable[tuple[Matter, PetitionStage, bool]]) -> Bar | None:
    """Whether ``new`` may be accepted, given ``earlier`` items as (matter, stage, was rechecked): an earlier same
    matter whose 复核 was decided bars it for good (Art 36); one accepted or in handling bars it while it runs
    (Art 19 ¶3). ``None``: nothing bars it."""
    bar: Bar | None = None
    for matter, stage, rechecked in earlier:
        if not same_matter(new, matter):
            continue
        if rechecked or stage in (PetitionStage.RECHECK_DECIDED, PetitionStage.TERMINATED):
            return Bar.CLOSED_AFTER_RECHECK
        if stage in _OPEN:
            bar = Bar.BEING_HANDLED
    return bar


def representatives_allowed(representatives: int) -> bool:
    """Art 20: a group visit (走访) elects at most 5 representatives."""
    return 0 < representatives <= MAX_REPRESENTATIVES


class Channel(Enum):
    """Where Art 22 sends a matter."""

    ORDINARY = "ORDINARY"  # 信访部门 转送/交办 to the organ in charge
    POLITICAL_LEGAL = "POLITICAL_LEGAL"  # 涉法涉诉: 政法机关
    DISCIPLINE = "DISCIPLINE"  # 检举控告: 纪检监察机关


_LEGAL = re.compile(
    r"法院|检察院|判决|裁定|诉讼|起诉|上诉|申诉案件|仲裁|执行案|刑事|立案|公安机关|派出所|羁押|看守所|司法"
)


def channel_for(purpose: str, text: str) -> Channel:
    """The Art 22 channel of a petition of ``purpose`` (三类, e.g. 检举控告类) with ``text`` (title and content)."""
    if purpose.startswith("检举控告"):
        return Channel.DISCIPLINE
    if _LEGAL.search(text):
        return Channel.POLITICAL_LEGAL
    return Channel.ORDINARY


def matter_of(record: PetitionRecord, secret: bytes) -> Matter:
    """The petition as the rules compare it: title and content, the petitioner's person key, the accused."""
    keys = (
        frozenset({person_key(secret, phone=record.phone, id_number=record.id_number)})
        if record.phone or record.id_number
        else frozenset()
    )
    return Matter(f"{record.title} {record.content}", keys, record.accused)


def bar_against(record: PetitionRecord, others: Iterable[PetitionRecord], secret: bytes) -> Bar | None:
    """:func:`acceptance_bar` for ``record`` against the petitions registered before it (``others`` may hold any
    petitions of the same person; the record itself and later ones are left out)."""
    earlier = [
        (matter_of(o, secret), petition_stage(o.source_status), o.recheck_decided_at is not None)
        for o in others
        if (o.registered_at, o.petition_no) < (record.registered_at, record.petition_no)
    ]
    return acceptance_bar(matter_of(record, secret), earlier)


def objection_due(received_at: datetime, calendar: WorkCalendar) -> datetime:
    """Art 23: the last moment an organ may object that a matter it received is outside its remit."""
    return calendar.add_workdays(received_at, OBJECTION_WORKDAYS)
