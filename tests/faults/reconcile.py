"""Reconciling accepted dispatches against a stand-in's own SQLite database."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from resolvers.dispatch import DispatchRecord, DispatchState, Outbox
from tests.faults.processes import count_rows

__all__ = ["Tally", "reconcile_registrations", "wait_all_ended"]


@dataclass(frozen=True)
class Tally:
    accepted: int
    applied: int
    failed: int
    duplicates: int
    lost: int

    def line(self, label: str) -> str:
        return (
            f"{label}: accepted={self.accepted} applied={self.applied} failed={self.failed} "
            f"duplicates={self.duplicates} lost={self.lost}"
        )


async def wait_all_ended(outbox: Outbox, ids: list[str], timeout_s: float) -> list[DispatchRecord]:
    deadline = time.monotonic() + timeout_s
    slots = asyncio.Semaphore(50)

    async def load(dispatch: str) -> DispatchRecord | None:
        async with slots:
            return await outbox.load(dispatch)

    while True:
        records = await asyncio.gather(*(load(i) for i in ids))
        pending = [r for r in records if r is None or not r.terminal]
        if not pending or time.monotonic() > deadline:
            return [r for r in records if r is not None]
        await asyncio.sleep(0.5)


def reconcile_registrations(db: Path, records: list[DispatchRecord], accepted: int, marker: str) -> Tally:
    """Each accepted registration carries a unique title; the hotline's own ``gd`` table says how often it was
    written. APPLIED must mean exactly one row (the one the dispatch names), FAILED none; anything else is lost."""
    rows = count_rows(db, "SELECT bt, gdbh FROM gd WHERE bt LIKE ?", f"{marker}%")
    written = Counter(title for title, _ in rows)
    number_of = {title: number for title, number in rows}
    applied = failed = lost = 0
    for record in records:
        title = str(record.command.params["title"])
        if record.state is DispatchState.APPLIED and written[title] >= 1 and number_of[title] == record.steps[0].result:
            applied += 1
        elif record.state is DispatchState.FAILED and written[title] == 0 and record.reason:
            failed += 1
        else:
            lost += 1
    lost += accepted - len(records)
    duplicates = sum(n - 1 for n in written.values() if n > 1)
    return Tally(accepted, applied, failed, duplicates, lost)
