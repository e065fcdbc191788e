"""Recall and false positives of free-text PII redaction (:func:`resolvers.redaction.redact`) on the labelled set.

A planted item counts as found when neither its value nor the way it was written survives in the redacted text; a
decoy counts as a false positive when its value no longer appears unchanged. Prints one row per kind and the
totals; targets: recall ≥ 0.99 on planted numbers, ≤ 1% of decoys redacted. Regenerate the set with
``bench/redaction_set.py``.

    .venv/bin/python bench/redaction.py [--set bench/data/redaction_set.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resolvers.redaction import redact

SET = Path(__file__).resolve().parent / "data" / "redaction_set.jsonl"
NUMBER_KINDS = ("mobile", "landline", "id_number", "bank_card")


def evaluate(path: Path) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str], int]:
    planted, found, decoys, spoiled = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    texts = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts += 1
        out = redact(row["text"])
        for kind, value, written in row["planted"]:
            planted[kind] += 1
            found[kind] += value not in out and written not in out
        for kind, value in row["decoys"]:
            decoys[kind] += 1
            spoiled[kind] += value not in out
    return planted, found, decoys, spoiled, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=SET)
    args = parser.parse_args()
    planted, found, decoys, spoiled, texts = evaluate(args.set)
    print(f"{texts} texts, {sum(planted.values())} planted items, {sum(decoys.values())} decoys\n")
    print(f"{'planted':<12}{'count':>7}{'found':>7}{'recall':>9}")
    for kind in sorted(planted):
        print(f"{kind:<12}{planted[kind]:>7}{found[kind]:>7}{found[kind] / planted[kind]:>9.4f}")
    numbers = sum(planted[k] for k in NUMBER_KINDS)
    numbers_found = sum(found[k] for k in NUMBER_KINDS)
    print(f"{'numbers':<12}{numbers:>7}{numbers_found:>7}{numbers_found / numbers:>9.4f}")
    print(f"\n{'decoy':<12}{'count':>7}{'hit':>7}{'rate':>9}")
    for kind in sorted(decoys):
        print(f"{kind:<12}{decoys[kind]:>7}{spoiled[kind]:>7}{spoiled[kind] / decoys[kind]:>9.4f}")
    total, hit = sum(decoys.values()), sum(spoiled.values())
    print(f"{'all':<12}{total:>7}{hit:>7}{hit / total:>9.4f}")


if __name__ == "__main__":
    main()
