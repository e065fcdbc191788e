"""A larger differential sweep: ``--n`` random valid operations per graph from ``--seed``, each answered by the
gateway (its HTTP app over the federated test subgraphs on loopback) and by the graph's oracle (a plain
graphql-core schema over the same records); prints how many were tried and every failure, minimized.

    .venv/bin/python bench/differential.py --n 5000 --seed 7 [--graph casework --graph channels]

"transient" counts operations whose first answer failed in transport (a dropped loopback connection) and that
agreed with the oracle when asked again. Exits 1 when a failure was found. The CI budget of the same check is ``tests/differential``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.differential.runner import GRAPHS, sweep


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="operations per graph")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graph", action="append", choices=sorted(GRAPHS), help="graphs to sweep (default: all)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    failed = 0
    rows: list[str] = []
    for graph in args.graph or sorted(GRAPHS):
        started = time.perf_counter()
        result = await sweep(graph, args.n, args.seed, on_failure=lambda failure: print(failure.report() + "\n"))
        seconds = time.perf_counter() - started
        rows.append(f"| {graph} | {result.tried} | {len(result.failures)} | {result.transient} | {seconds:.0f} |")
        failed += len(result.failures)
    print(f"seed {args.seed}\n\n| graph | operations | failures | transient | seconds |\n|---|---|---|---|---|")
    print("\n".join(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
