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

from tests.differential.runner import GRAPHS, Sweep, sweep


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="operations per graph")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graph", action="append", choices=sorted(GRAPHS), help="graphs to sweep (default: all)")
    parser.add_argument(
        "--progress", type=int, default=250, metavar="K", help="print the counts so far every K operations (0: never)"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    failed = 0
    rows: list[str] = []
    for graph in args.graph or sorted(GRAPHS):
        started = time.perf_counter()

        def progress(so_far: Sweep, graph: str = graph, started: float = started) -> None:
            print(
                f"[{graph}] {so_far.tried} tried, {len(so_far.failures)} failures, {so_far.transient} transient,"
                f" {time.perf_counter() - started:.0f} s",
                flush=True,
            )

        result = await sweep(
            graph,
            args.n,
            args.seed,
            on_failure=lambda failure: print(failure.report() + "\n", flush=True),
            on_progress=progress if args.progress > 0 else None,
            progress_every=max(args.progress, 1),
        )
        seconds = time.perf_counter() - started
        print(f"[{graph}] done: {result.tried} tried, {len(result.failures)} failures in {seconds:.0f} s", flush=True)
        rows.append(f"| {graph} | {result.tried} | {len(result.failures)} | {result.transient} | {seconds:.0f} |")
        failed += len(result.failures)
    print(f"seed {args.seed}\n\n| graph | operations | failures | transient | seconds |\n|---|---|---|---|---|")
    print("\n".join(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
