"""Scoring a pair of appeals and deciding: DUPLICATE, SUGGEST or DISTINCT (DOMAIN.md §9, steps 3 and 4).

``s = 0.45·text + 0.25·address + 0.15·same category + 0.10·same person + 0.05·time decay``, where ``text`` is the
mean of the cosine of character 2- and 3-gram counts and rapidfuzz's token-set ratio over jieba words, and
``address`` is 1 for the same grid cell, else rapidfuzz's token-set ratio over the normalized addresses.

- DUPLICATE (merged automatically) when the person is the same and ``s ≥ 0.80``, or the people differ and
  ``s ≥ 0.90`` at the same grid cell or address;
- SUGGEST (a dispatcher confirms) when ``s ≥ 0.60`` below those bars;
- DISTINCT otherwise — and always across the confidentiality boundary: a 保密 or 检举控告 item is never paired
  with an item of another confidentiality, two 检举控告 items about different accused are distinct, and a 检举控告
  item is never merged automatically (at most SUGGEST).

Every decision carries its reasons, so that it can be explained (个人信息保护法 Art 24).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz

from resolvers.dedupe.item import DedupeItem
from resolvers.dedupe.text import normalize, words
from resolvers.domain import Confidentiality

__all__ = ["DEFAULT_THRESHOLDS", "Decision", "PairScore", "Reason", "Thresholds", "decide", "score_pair"]


class Decision(Enum):
    DUPLICATE = "DUPLICATE"
    SUGGEST = "SUGGEST"
    DISTINCT = "DISTINCT"


class Reason(Enum):
    SAME_PERSON = "SAME_PERSON"
    SAME_GRID = "SAME_GRID"
    SAME_ADDRESS = "SAME_ADDRESS"
    SIMILAR_TEXT = "SIMILAR_TEXT"
    SAME_CATEGORY = "SAME_CATEGORY"
    CLOSE_IN_TIME = "CLOSE_IN_TIME"
    CONFIDENTIALITY_BOUNDARY = "CONFIDENTIALITY_BOUNDARY"
    ACCUSATION_NOT_MERGED = "ACCUSATION_NOT_MERGED"


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    same_person: float = 0.80
    other_person: float = 0.90
    suggest: float = 0.60
    window_days: float = 30.0


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    text: float
    address: float
    same_category: bool
    same_person: bool
    time_decay: float
    decision: Decision
    reasons: tuple[Reason, ...]


def _grams(text: str) -> Counter[str]:
    clean = normalize(text)
    return Counter(
        [clean[i : i + 2] for i in range(len(clean) - 1)] + [clean[i : i + 3] for i in range(len(clean) - 2)]
    )


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def text_similarity(a: DedupeItem, b: DedupeItem) -> float:
    char = _cosine(_grams(a.text), _grams(b.text))
    token = fuzz.token_set_ratio(" ".join(words(a.text)), " ".join(words(b.text))) / 100
    return (char + token) / 2


def address_similarity(a: DedupeItem, b: DedupeItem) -> float:
    if a.grid_code and a.grid_code == b.grid_code:
        return 1.0
    if not a.address or not b.address:
        return 0.5 if a.admin_code and a.admin_code == b.admin_code else 0.0
    return fuzz.token_set_ratio(" ".join(words(a.address)), " ".join(words(b.address))) / 100


def score_pair(a: DedupeItem, b: DedupeItem, thresholds: Thresholds = Thresholds()) -> PairScore:
    text = text_similarity(a, b)
    address = address_similarity(a, b)
    same_category = bool(a.category) and a.category == b.category
    same_person = a.person_key is not None and a.person_key == b.person_key
    days = abs((a.received_at - b.received_at).total_seconds()) / 86400
    decay = math.exp(-days / thresholds.window_days)
    s = 0.45 * text + 0.25 * address + 0.15 * same_category + 0.10 * same_person + 0.05 * decay
    reasons = [
        reason
        for reason, holds in (
            (Reason.SAME_PERSON, same_person),
            (Reason.SAME_GRID, bool(a.grid_code) and a.grid_code == b.grid_code),
            (Reason.SAME_ADDRESS, address >= 0.95 and not (a.grid_code and a.grid_code == b.grid_code)),
            (Reason.SIMILAR_TEXT, text >= 0.6),
            (Reason.SAME_CATEGORY, same_category),
            (Reason.CLOSE_IN_TIME, days <= thresholds.window_days),
        )
        if holds
    ]
    decision, boundary = decide(a, b, s, same_person=same_person, same_place=address >= 0.95, thresholds=thresholds)
    return PairScore(round(s, 4), text, address, same_category, same_person, decay, decision, (*reasons, *boundary))


def decide(
    a: DedupeItem,
    b: DedupeItem,
    s: float,
    *,
    same_person: bool,
    same_place: bool,
    thresholds: Thresholds = Thresholds(),
) -> tuple[Decision, tuple[Reason, ...]]:
    if a.confidentiality is not b.confidentiality:
        return Decision.DISTINCT, (Reason.CONFIDENTIALITY_BOUNDARY,)
    accusation = Confidentiality.ACCUSATION in (a.confidentiality, b.confidentiality)
    if accusation and a.accused != b.accused:
        return Decision.DISTINCT, (Reason.CONFIDENTIALITY_BOUNDARY,)
    if (same_person and s >= thresholds.same_person) or (
        not same_person and same_place and s >= thresholds.other_person
    ):
        if accusation:
            return Decision.SUGGEST, (Reason.ACCUSATION_NOT_MERGED,)
        return Decision.DUPLICATE, ()
    if s >= thresholds.suggest:
        return Decision.SUGGEST, ()
    return Decision.DISTINCT, ()
