"""A legacy system hangs under concurrent citizen views: what the circuit breaker keeps of latency and
throughput, and how soon the system rejoins.

The scenario of ``tests/faults/test_legacy_hang.py`` (:mod:`tests.faults.legacy_hang`), timed: the hotline and
grid stand-ins, their subgraphs and the gateway as real processes; ``--clients`` concurrent clients, each its own
login as the demo citizen, ask her view (hotline tickets and grid events) again and again; after ``--steady``
seconds of steady load (the baseline, same run) the hotline stand-in gets SIGSTOP — it accepts connections and
never answers — until its circuit has opened and short-circuited calls, plus ``--hold`` seconds; then SIGCONT.

Printed per round and as medians, with the targets: p99 latency of the views started from 2 s after the hang
began until it ended (target < 0.5 s), the views answered per second in that window as a share of the steady
rate (target ≥ 80 %), and the time from SIGCONT to the first whole view started after it (target ≤ 2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.legacy_hang import HangReport, citizen_stack, run_hang  # noqa: E402


def _row(number: int, report: HangReport) -> str:
    return (
        f"| {number} | {len(report.views):,} | {report.count('partial'):,} | {report.count('failed')} | "
        f"{report.steady_rate():.1f} | {report.steady_p99_s() * 1000:.0f} | {report.hang_rate():.1f} | "
        f"{report.hang_rate() / report.steady_rate():.0%} | {report.hang_p99_s() * 1000:.0f} | "
        f"{report.rejoin_s():.2f} | {report.circuit_during.get('short_circuited')} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--port-offset",
        type=int,
        default=int(os.environ.get("MINYI_TEST_PORT_OFFSET", "0") or 0) + 120,
        help="added to the demo's ports (default: MINYI_TEST_PORT_OFFSET + 120)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("MINYI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis for the person directory and login sessions (default: MINYI_TEST_REDIS_URL)",
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients, each with its own login")
    parser.add_argument("--steady", type=float, default=5, help="seconds of steady load before the hang")
    parser.add_argument("--hold", type=float, default=6, help="seconds the hang goes on once the circuit is open")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    reports: list[HangReport] = []
    with tempfile.TemporaryDirectory(prefix="minyi-hang-") as tmp:
        for number in range(1, args.rounds + 1):
            data = Path(tmp) / f"round-{number}"
            with citizen_stack(data, args.redis_url, args.port_offset, clients=args.clients) as stack:
                reports.append(asyncio.run(run_hang(stack, steady_s=args.steady, hold_s=args.hold)))
            print(reports[-1].figures(), flush=True)

    print(
        f"\n{args.clients} concurrent citizen views (hotline + grid), hotline stand-in stopped with SIGSTOP; "
        f"{os.cpu_count()} cores; hang window = from 2 s after SIGSTOP to SIGCONT\n"
    )
    print(
        "| round | views | partial | failed | steady views/s | steady p99 ms | hang views/s | hang / steady | "
        "hang p99 ms | rejoin s | short-circuited |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for number, report in enumerate(reports, 1):
        print(_row(number, report))
    p99 = statistics.median(r.hang_p99_s() for r in reports)
    share = statistics.median(r.hang_rate() / r.steady_rate() for r in reports)
    rejoin = statistics.median(r.rejoin_s() for r in reports)
    print("\n| median | value | target |")
    print("|---|---|---|")
    print(f"| p99 from 2 s after the hang began | {p99 * 1000:.0f} ms | < 500 ms |")
    print(f"| throughput during the hang / steady | {share:.0%} | ≥ 80% |")
    print(f"| rejoin after SIGCONT | {rejoin:.2f} s | ≤ 2 s |")


if __name__ == "__main__":
    main()
