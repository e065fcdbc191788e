"""Duplicate detection measured on the synthetic city's labelled pairs: precision, recall and F0.5 per band.

The city (``build_world``, ``--seed``, ``--people``) gives the filings and the labelled pair set
(:mod:`legacy.pairs`: duplicates of the same matter, and hard negatives — the same person on another matter, the
same place with another issue, near-identical template text from other people — plus random pairs). Every filing
becomes the item the detector compares (text, address, category, place codes, person key, time, confidentiality as
the systems record them); the detector blocks (person key, place + category, MinHash LSH) and scores the candidate
pairs; a labelled pair that no block proposes counts as DISTINCT.

Bands: DUPLICATE (merged automatically; target precision ≥ 0.95) and SUGGEST or above (shown to a dispatcher;
target recall ≥ 0.85). Usage: ``.venv/bin/python bench/dedupe.py [--seed 1] [--people 400]``.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import datetime

from legacy.pairs import labelled_pairs
from legacy.world import Filing, build_world
from resolvers.dedupe.blocking import candidate_pairs
from resolvers.dedupe.item import DedupeItem
from resolvers.dedupe.score import Decision, score_pair
from resolvers.domain import Confidentiality, SourceSystem, person_key

SECRET = b"bench-person-key-secret"
SYSTEMS = {
    "hotline": SourceSystem.HOTLINE,
    "petition": SourceSystem.PETITION,
    "board": SourceSystem.MSGBOARD,
    "grid": SourceSystem.GRID,
    "suggestion": SourceSystem.SUGGESTION,
}


def item_of_filing(f: Filing) -> DedupeItem:
    place = f.matter.place
    accusation = bool(f.matter.accused)
    return DedupeItem(
        id=f"{f.system}:{f.seq}",
        system=SYSTEMS[f.system],
        received_at=f.received_at,
        title=f.title,
        content=f.content,
        address=place.text,
        category=f.matter.category,
        admin_code=place.admin_code12,
        grid_code=place.grid_code15 if f.system in ("grid", "hotline") else "",
        # the board knows its posters by phone; the other systems by phone or ID number: one key per person
        person_key=person_key(SECRET, phone=f.person.phone),
        confidentiality=Confidentiality.ACCUSATION if accusation else Confidentiality.NORMAL,
        accused=f.matter.accused,
    )


def f_beta(precision: float, recall: float, beta: float = 0.5) -> float:
    if precision == 0 and recall == 0:
        return 0.0
    return (1 + beta**2) * precision * recall / (beta**2 * precision + recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=400)
    args = parser.parse_args()

    world = build_world(args.seed, people=args.people, now=datetime(2026, 11, 20, 10, 0))
    pairs = labelled_pairs(world, seed=args.seed)
    items = {f"{f.system}:{f.seq}": item_of_filing(f) for f in world.filings}
    started = time.perf_counter()
    candidates = candidate_pairs(list(items.values()))
    blocked_s = time.perf_counter() - started
    decided: dict[tuple[str, str], Decision] = {}
    for a, b in candidates:
        decided[(a, b)] = score_pair(items[a], items[b]).decision
    scored_s = time.perf_counter() - started - blocked_s

    def decision_of(a: Filing, b: Filing) -> Decision:
        x, y = sorted((f"{a.system}:{a.seq}", f"{b.system}:{b.seq}"))
        return decided.get((x, y), Decision.DISTINCT)

    labelled = [(p, decision_of(p.a, p.b)) for p in pairs if p.a.seq != p.b.seq]
    positives = sum(1 for p, _ in labelled if p.duplicate)
    print(
        f"city seed {args.seed}, {len(items)} filings, {len(labelled)} labelled pairs ({positives} duplicate); "
        f"{len(candidates)} candidate pairs blocked in {blocked_s * 1000:.0f} ms, scored in {scored_s * 1000:.0f} ms"
    )
    print()
    print("| band | predicted | true positives | precision | recall | F0.5 |")
    print("|---|---|---|---|---|---|")
    for band, accepted in (
        ("DUPLICATE", {Decision.DUPLICATE}),
        ("SUGGEST or above", {Decision.DUPLICATE, Decision.SUGGEST}),
    ):
        predicted = [(p, d) for p, d in labelled if d in accepted]
        hits = sum(1 for p, _ in predicted if p.duplicate)
        precision = hits / len(predicted) if predicted else 0.0
        recall = hits / positives if positives else 0.0
        print(
            f"| {band} | {len(predicted)} | {hits} | {precision:.4f} | {recall:.4f} | {f_beta(precision, recall):.4f} |"
        )
    print()
    print("| pair kind | label | pairs | DUPLICATE | SUGGEST | DISTINCT |")
    print("|---|---|---|---|---|---|")
    kinds = Counter((p.kind, p.duplicate, d) for p, d in labelled)
    for kind in ("repeat", "neighbour", "same_person", "same_place", "template", "random"):
        label = "duplicate" if kind in ("repeat", "neighbour") else "distinct"
        counts = [kinds[(kind, label == "duplicate", d)] for d in Decision]
        print(f"| {kind} | {label} | {sum(counts)} | " + " | ".join(str(c) for c in counts) + " |")


if __name__ == "__main__":
    main()
