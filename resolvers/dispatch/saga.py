"""Applying one dispatch: its steps in order, each exactly once, retried with backoff and jitter, compensated
when a later step fails for good.

:func:`advance` takes a leased dispatch as far as it can go now and returns it:

- a step that succeeds is saved ``APPLIED`` with the record number it produced, and audited (who, what, when,
  which legacy record), before the next one starts;
- a failure that may pass (the system is down, slow, or answered garbage: :class:`LegacyUnavailable`,
  :class:`LegacyProtocolError`, :class:`LegacyAuthError`) counts an attempt and schedules the next one after
  ``backoff`` — unless the attempts are used up;
- a refusal (:class:`LegacyRejected`), or the attempts used up, fails the step for good: the steps applied before
  it are compensated in reverse order, the rest are skipped, and the dispatch ends ``FAILED`` with a reason a person
  can act on (and lands in the dead letters).

A retried step carries the request id it had the first time, so a system with request receipts writes it once
even if its answer was lost; for a system without, the step is read back before every send — also the first one
of a worker that claimed the dispatch from a worker that died after sending, before it could record the step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from resolvers.adapters.errors import LegacyError, LegacyRejected
from resolvers.dispatch.audit import audit_step
from resolvers.dispatch.outbox import Outbox
from resolvers.dispatch.record import DispatchRecord, DispatchState, StepRecord, StepState
from resolvers.dispatch.writers import StepWriter, resolve_refs

__all__ = ["RetryPolicy", "advance"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Equal-jitter exponential backoff: attempt ``n`` waits between half and all of ``min(cap, base·2ⁿ)``."""

    base_s: float = 0.5
    cap_s: float = 20.0
    max_attempts: int = 10

    def backoff(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** max(0, attempt - 1))
        return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _why(step: StepRecord, exc: LegacyError, attempts: int) -> str:
    if isinstance(exc, LegacyRejected):
        return f"{step.spec.system} refused「{step.spec.description}」: {exc.detail}"
    return (
        f"{step.spec.system} could not be reached for「{step.spec.description}」after {attempts} attempts: {exc.detail}"
    )


async def advance(
    record: DispatchRecord,
    writer: StepWriter,
    outbox: Outbox,
    policy: RetryPolicy,
    *,
    rng: random.Random,
    clock: Callable[[], float] = time.time,
    renew: Callable[[], object] | None = None,
) -> DispatchRecord:
    results = {i: s.result for i, s in enumerate(record.steps) if s.result is not None}
    for index, step in enumerate(record.steps):
        if step.state is StepState.APPLIED:
            continue
        spec = replace(
            step.spec, target=resolve_refs(step.spec.target, results), body=resolve_refs(step.spec.body, results)
        )
        try:
            found = None
            if not writer.deduplicates(spec.system):  # no receipts there: a step sent before must not be sent again
                found = await writer.read_back(spec, record.actor)
            result = found if found is not None else await writer.apply(spec, step.request_id, record.actor)
        except LegacyError as exc:
            attempts = step.attempts + 1
            if not isinstance(exc, LegacyRejected) and attempts < policy.max_attempts:
                due = clock() + policy.backoff(attempts, rng)
                waiting = replace(step, attempts=attempts, error=_why(step, exc, attempts))
                record = replace(record.with_step(index, waiting), next_attempt_at=due, updated_at=_now_iso())
                await outbox.save(record)
                await outbox.schedule_retry(record.id, due)
                return record
            failed = replace(step, state=StepState.FAILED, attempts=attempts, error=_why(step, exc, attempts))
            record = record.with_step(index, failed)
            return await _fail(record, index, writer, outbox, failed.error or "")
        applied = replace(
            step, state=StepState.APPLIED, attempts=step.attempts + 1, result=result, error=None, applied_at=_now_iso()
        )
        results[index] = result
        record = replace(record.with_step(index, applied), next_attempt_at=None, updated_at=_now_iso())
        await audit_step(outbox.redis, record, applied)
        await outbox.save(record)
        if renew is not None:
            await renew()  # type: ignore[misc]
    record = replace(record, state=DispatchState.APPLIED, updated_at=_now_iso())
    await outbox.finish(record)
    return record


async def _fail(
    record: DispatchRecord, failed_at: int, writer: StepWriter, outbox: Outbox, reason: str
) -> DispatchRecord:
    notes = [reason]
    for index in range(failed_at - 1, -1, -1):
        step = record.steps[index]
        if step.state is not StepState.APPLIED or step.result is None:
            continue
        if step.spec.compensation is None:
            continue
        try:
            await writer.compensate(step.spec, step.result, f"{step.request_id}.undo", record.actor)
        except LegacyError as exc:
            notes.append(
                f"undoing「{step.spec.description}」({step.spec.system} {step.result}) failed: {exc.detail}; "
                "undo it by hand"
            )
            continue
        record = record.with_step(index, replace(step, state=StepState.COMPENSATED))
        notes.append(f"undone: {step.spec.description} ({step.spec.system} {step.result})")
    for index in range(failed_at + 1, len(record.steps)):
        record = record.with_step(index, replace(record.steps[index], state=StepState.SKIPPED))
    record = replace(
        record, state=DispatchState.FAILED, reason="; ".join(notes), next_attempt_at=None, updated_at=_now_iso()
    )
    await outbox.finish(record)
    return record
