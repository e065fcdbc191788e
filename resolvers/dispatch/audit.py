"""Audit records of legacy writes, in the shared append-only audit stream (``minyi:audit:log``).

One entry per applied step: ``who`` (the user the write was made for), ``role``, ``when``, ``appeal``,
``action`` (``write:<system>:<operation>``), ``reason`` (what was written, as the dispatch describes it), and
``legacy`` — the record written in the system of record (``hotline:20261206000123``) — and ``dispatch``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from redis.asyncio import Redis

from resolvers.audit import AUDIT_STREAM
from resolvers.dispatch.record import DispatchRecord, StepRecord

__all__ = ["audit_step"]


async def audit_step(redis: Redis, record: DispatchRecord, step: StepRecord) -> None:
    fields = {
        "who": record.actor,
        "role": " ".join(sorted(record.actor_roles)),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "appeal": record.appeal or "",
        "reason": step.spec.description,
        "action": f"write:{step.spec.system}:{step.spec.operation}",
        "legacy": f"{step.spec.system}:{step.result}",
        "dispatch": record.id,
    }
    await redis.xadd(AUDIT_STREAM, fields)  # type: ignore[arg-type]
