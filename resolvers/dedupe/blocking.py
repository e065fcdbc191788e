"""Candidate pairs (DOMAIN.md §9 step 2): only appeals that share something are scored.

Two appeals received within ``window_days`` of each other are candidates when they share (a) the person key,
(b) the place (grid cell, else 12-digit admin code) and the category, or (c) a MinHash LSH bucket of their text
(datasketch, character 3-gram shingles, Jaccard about 0.5 and above).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from datasketch import MinHashLSH

from resolvers.dedupe.item import DedupeItem
from resolvers.dedupe.text import NUM_PERM, fingerprint

__all__ = ["LSH_THRESHOLD", "candidate_pairs", "place_key"]

LSH_THRESHOLD = 0.5


def place_key(item: DedupeItem) -> str:
    """Where and what: the grid cell (else the admin code) with the category; empty when either is unknown."""
    where = item.grid_code or item.admin_code
    return f"{where}|{item.category}" if where and item.category else ""


def candidate_pairs(items: Sequence[DedupeItem], *, window_days: float = 30.0) -> set[tuple[str, str]]:
    """Pairs of ids (in id order) that share a block and fall within the window."""
    by_id = {i.id: i for i in items}
    blocks: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.person_key:
            blocks[f"person:{item.person_key}"].append(item.id)
        place = place_key(item)
        if place:
            blocks[f"place:{place}"].append(item.id)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    signatures = {item.id: fingerprint(item.text) for item in items}
    for item_id, signature in signatures.items():
        lsh.insert(item_id, signature)
    pairs: set[tuple[str, str]] = set()
    for members in blocks.values():
        pairs.update(_ordered(combinations(members, 2)))
    for item_id, signature in signatures.items():
        pairs.update(_ordered((item_id, other) for other in lsh.query(signature) if other != item_id))
    return {p for p in pairs if _within(by_id[p[0]], by_id[p[1]], window_days)}


def _ordered(pairs: Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    return ((a, b) if a < b else (b, a) for a, b in pairs)


def _within(a: DedupeItem, b: DedupeItem, window_days: float) -> bool:
    return abs((a.received_at - b.received_at).total_seconds()) <= window_days * 86400
