"""Clusters of one matter (DOMAIN.md §9 step 5): duplicates, 重合件, 一人多投 and 多人一诉.

- :func:`matches_of`: the other appeals an appeal is a DUPLICATE of or is SUGGESTed with, best first;
- :func:`cluster_of`: the appeal's cluster — itself and its DUPLICATE matches; the earliest is PRIMARY, the rest
  DUPLICATE; an appeal with only suggested matches is RELATED to the best of them; and how many people filed the
  matter at that place (多人一诉: two or more; the GROUP threshold is five);
- :func:`overlaps_of`: 重合件, the same matter open in the 12345 hotline and as a petition at once;
- :func:`repeat_groups`: one person's appeals grouped by matter (DUPLICATE pairs, and SUGGEST pairs of the same
  person with near-identical text, joined transitively); a group of
  :data:`REPEAT_FILINGS` or more puts the person on the 一人多投 file.

A merge never deletes anything: each appeal keeps its own record, deadline and reply duty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import combinations

from resolvers.dedupe.item import DedupeItem
from resolvers.dedupe.score import DEFAULT_THRESHOLDS, Decision, PairScore, Reason, Thresholds, score_pair
from resolvers.domain import SourceSystem

__all__ = [
    "GROUP_PEOPLE",
    "REPEAT_FILINGS",
    "Cluster",
    "ClusterRole",
    "Match",
    "cluster_of",
    "matches_of",
    "overlaps_of",
    "repeat_groups",
]

REPEAT_FILINGS = 5  # 一人多投: filings of one matter by one person
GROUP_PEOPLE = 5  # 多人一诉 of this many people raises the GROUP flag


class ClusterRole(Enum):
    PRIMARY = "PRIMARY"
    DUPLICATE = "DUPLICATE"
    RELATED = "RELATED"


@dataclass(frozen=True, slots=True)
class Match:
    item: DedupeItem
    score: PairScore


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str  # "cluster:<primary's id>"
    role: ClusterRole
    primary: str
    score: float  # this appeal's score against the primary (1 for the primary itself)
    reasons: tuple[Reason, ...]
    members: tuple[str, ...]  # ids, earliest first
    people: int  # distinct people who filed the matter at this place (多人一诉 from two)

    @property
    def is_group(self) -> bool:
        return self.people >= GROUP_PEOPLE


def matches_of(
    target: DedupeItem, others: Iterable[DedupeItem], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[Match]:
    found = []
    for other in others:
        if other.id == target.id:
            continue
        scored = score_pair(target, other, thresholds)
        if scored.decision is not Decision.DISTINCT:
            found.append(Match(other, scored))
    return sorted(found, key=lambda m: (-m.score.score, m.item.id))


def _people_at_place(target: DedupeItem, matches: Sequence[Match]) -> int:
    keys = {target.person_key or target.id}
    for m in matches:
        here = Reason.SAME_GRID in m.score.reasons or Reason.SAME_ADDRESS in m.score.reasons
        if here and m.score.same_category:
            keys.add(m.item.person_key or m.item.id)
    return len(keys)


def cluster_of(target: DedupeItem, matches: Sequence[Match]) -> Cluster | None:
    if not matches:
        return None
    people = _people_at_place(target, matches)
    duplicates = [m for m in matches if m.score.decision is Decision.DUPLICATE]
    if not duplicates:
        best = matches[0]
        return Cluster(
            f"cluster:{best.item.id}", ClusterRole.RELATED, best.item.id, best.score.score, best.score.reasons,
            (best.item.id,), people,
        )  # fmt: skip
    group = sorted([target, *(m.item for m in duplicates)], key=lambda i: (i.received_at, i.id))
    primary = group[0]
    members = tuple(i.id for i in group)
    if primary.id == target.id:
        return Cluster(f"cluster:{primary.id}", ClusterRole.PRIMARY, primary.id, 1.0, (), members, people)
    against = next(m for m in duplicates if m.item.id == primary.id)
    return Cluster(
        f"cluster:{primary.id}", ClusterRole.DUPLICATE, primary.id, against.score.score, against.score.reasons,
        members, people,
    )  # fmt: skip


_OVERLAPPING = {SourceSystem.HOTLINE: SourceSystem.PETITION, SourceSystem.PETITION: SourceSystem.HOTLINE}


def overlaps_of(target: DedupeItem, matches: Sequence[Match]) -> list[Match]:
    other_side = _OVERLAPPING.get(target.system)
    if other_side is None or not target.is_open:
        return []
    return [
        m for m in matches if m.item.system is other_side and m.item.is_open and m.score.decision is Decision.DUPLICATE
    ]


def _same_matter(scored: PairScore) -> bool:
    """One person's two filings are one matter when merged, or suggested with near-identical text: the file is
    read by people, and systems word the same matter differently (a board post has no address or category)."""
    if scored.decision is Decision.DUPLICATE:
        return True
    return scored.decision is Decision.SUGGEST and {Reason.SAME_PERSON, Reason.SIMILAR_TEXT} <= set(scored.reasons)


def repeat_groups(items: Sequence[DedupeItem], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[list[DedupeItem]]:
    """The items grouped by matter, largest group first, each earliest first."""
    parent = {i.id: i.id for i in items}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in combinations(items, 2):
        if _same_matter(score_pair(a, b, thresholds)):
            parent[root(a.id)] = root(b.id)
    groups: dict[str, list[DedupeItem]] = {}
    for item in items:
        groups.setdefault(root(item.id), []).append(item)
    ordered = [sorted(g, key=lambda i: (i.received_at, i.id)) for g in groups.values()]
    return sorted(ordered, key=lambda g: (-len(g), g[0].received_at))
