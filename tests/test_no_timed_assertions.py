"""No test asserts on wall-clock time: on a shared, noisy machine such a test fails by accident, or passes by it.

Behaviour is asserted with counters and events (a stand-in's ``held`` requests, fetch counts); speed targets live
in ``bench/``. Waiting for a process with a deadline is allowed; asserting how long something took is not.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TIMED = re.compile(r"\bassert\b.*(\belapsed\b|monotonic\(\)|perf_counter\(\)|time\.time\(\)\s*-)|perf_counter")


def test_no_test_asserts_how_long_something_took() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if "vendor" not in path.parts and path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TIMED.search(line)
    ]
    assert offenders == [], "timed assertions (use counters or events, or move them to bench/):\n" + "\n".join(
        offenders
    )
