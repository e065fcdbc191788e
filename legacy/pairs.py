"""The labelled pair set of the synthetic city, for measuring duplicate detection (DOMAIN.md §9).

A pair of filings is a duplicate when both are the same matter (the same person again, or 多人一诉: neighbours
filing the same matter in their own words). The distinct pairs are the hard ones a detector gets wrong:

- ``same_person``: the same person with another matter (a near miss at a nearby spot, or another filing);
- ``same_place``: another matter of the same category in the same community;
- ``template``: another matter written from the same template (near-identical text) by other people;
- ``random``: a sample of unrelated pairs, so that easy negatives are counted too.

``minyi legacy NAME --pairs FILE`` writes it as JSON lines beside the seeded database.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from legacy.world import Filing, World

__all__ = ["LabelledPair", "labelled_pairs", "write_pairs"]


@dataclass(frozen=True, slots=True)
class LabelledPair:
    a: Filing
    b: Filing
    duplicate: bool
    kind: str  # repeat | neighbour | same_person | same_place | template | random


def _template(f: Filing) -> str:
    """The title without its place: what a template gives every filing made from it."""
    return f.matter.title.removeprefix(f.matter.place.short)


def labelled_pairs(world: World, *, seed: int = 1, negatives_per_kind: int = 400) -> list[LabelledPair]:
    rng = random.Random(seed)
    filings = list(world.filings)
    pairs: list[LabelledPair] = []
    by_matter: dict[int, list[Filing]] = defaultdict(list)
    for f in filings:
        by_matter[f.matter.mid].append(f)
    for group in by_matter.values():
        for a, b in combinations(group, 2):
            pairs.append(LabelledPair(a, b, True, "repeat" if a.person == b.person else "neighbour"))

    def distinct(kind: str, candidates: Iterable[tuple[Filing, Filing]]) -> None:
        found = [(a, b) for a, b in candidates if a.matter.mid != b.matter.mid]
        for a, b in rng.sample(found, min(negatives_per_kind, len(found))):
            pairs.append(LabelledPair(a, b, False, kind))

    by_person: dict[int, list[Filing]] = defaultdict(list)
    by_place: dict[tuple[str, str], list[Filing]] = defaultdict(list)
    by_template: dict[str, list[Filing]] = defaultdict(list)
    for f in filings:
        by_person[f.person.pid].append(f)
        by_place[(f.matter.place.admin_code12, f.matter.category)].append(f)
        by_template[_template(f)].append(f)
    distinct("same_person", (p for g in by_person.values() for p in combinations(g, 2)))
    distinct("same_place", (p for g in by_place.values() for p in combinations(g, 2)))
    distinct(
        "template",
        (p for g in by_template.values() for p in combinations(g, 2) if p[0].person != p[1].person),
    )
    distinct("random", ((rng.choice(filings), rng.choice(filings)) for _ in range(negatives_per_kind * 4)))
    return pairs


def write_pairs(path: Path, pairs: Iterable[LabelledPair]) -> int:
    """JSON lines: each filing as its system and its sequence number in the city, the label and the kind."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for pair in pairs:
            row = {
                "a": {"system": pair.a.system, "seq": pair.a.seq},
                "b": {"system": pair.b.system, "seq": pair.b.seq},
                "duplicate": pair.duplicate,
                "kind": pair.kind,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count
