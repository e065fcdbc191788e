"""A dispatch as the outbox keeps it: the command, who asked, its saga steps and where each one stands.

A dispatch is ``PENDING`` from acceptance until every step is applied (``APPLIED``), or until it cannot be
(``FAILED``, with a ``reason`` a person can act on, after the applied steps were compensated). Each step is one
write to one legacy system; its ``request_id`` is fixed when the dispatch is accepted, so every retry of the step
carries the same id and a system that keeps request receipts writes it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import orjson

from resolvers.dispatch.commands import Command

__all__ = ["DispatchRecord", "DispatchState", "StepRecord", "StepSpec", "StepState"]


class DispatchState(StrEnum):
    PENDING = "PENDING"
    APPLIED = "APPLIED"
    FAILED = "FAILED"


class StepState(StrEnum):
    PENDING = "PENDING"
    APPLIED = "APPLIED"
    FAILED = "FAILED"
    COMPENSATED = "COMPENSATED"  # applied, then undone because a later step failed for good
    SKIPPED = "SKIPPED"  # never tried: an earlier step failed for good


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One legacy write of a saga. ``target`` is the record it acts on; ``{"$step": i}`` anywhere in ``target``
    or ``body`` stands for the record number step ``i`` produced. ``compensation`` is the operation that undoes
    it (on the record it produced or acted on), or ``None`` when nothing needs undoing."""

    system: str
    operation: str  # hotline: register | act:<code>; grid: report | act:<action> | link | tier
    target: Any
    body: Mapping[str, Any]
    description: str  # what a person reading the dispatch sees, e.g. "派单 to 43010503"
    compensation: str | None = None
    compensation_body: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepRecord:
    spec: StepSpec
    request_id: str
    state: StepState = StepState.PENDING
    attempts: int = 0
    result: str | None = None  # the legacy record number the write produced or changed
    error: str | None = None  # the last failure, in words a person can act on
    applied_at: str | None = None


@dataclass(frozen=True, slots=True)
class DispatchRecord:
    id: str
    idempotency_key: str
    input_hash: str
    command: Command
    actor: str  # the principal's subject: the user the legacy calls are made for
    actor_roles: tuple[str, ...]
    steps: tuple[StepRecord, ...]
    state: DispatchState = DispatchState.PENDING
    reason: str | None = None
    created_at: str = ""
    updated_at: str = ""
    next_attempt_at: float | None = None  # epoch seconds of the next retry, when one is scheduled

    @property
    def terminal(self) -> bool:
        return self.state is not DispatchState.PENDING

    @property
    def appeal(self) -> str | None:
        """The appeal the dispatch wrote: the one it acted on, or the one its first step registered."""
        if self.command.appeal is not None:
            return self.command.appeal
        first = self.steps[0] if self.steps else None
        return None if first is None or first.result is None else f"{first.spec.system}:{first.result}"

    def with_step(self, index: int, step: StepRecord) -> DispatchRecord:
        steps = list(self.steps)
        steps[index] = step
        return replace(self, steps=tuple(steps))

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "id": self.id,
                "key": self.idempotency_key,
                "hash": self.input_hash,
                "command": self.command.to_json(),
                "actor": self.actor,
                "roles": list(self.actor_roles),
                "state": self.state.value,
                "reason": self.reason,
                "created": self.created_at,
                "updated": self.updated_at,
                "next": self.next_attempt_at,
                "steps": [_step_json(s) for s in self.steps],
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> DispatchRecord:
        data = orjson.loads(raw)
        return cls(
            id=data["id"],
            idempotency_key=data["key"],
            input_hash=data["hash"],
            command=Command.from_json(data["command"]),
            actor=data["actor"],
            actor_roles=tuple(data.get("roles") or ()),
            steps=tuple(_step_of(s) for s in data["steps"]),
            state=DispatchState(data["state"]),
            reason=data.get("reason"),
            created_at=data.get("created", ""),
            updated_at=data.get("updated", ""),
            next_attempt_at=data.get("next"),
        )


def _step_json(s: StepRecord) -> dict[str, Any]:
    spec = s.spec
    return {
        "system": spec.system,
        "operation": spec.operation,
        "target": spec.target,
        "body": dict(spec.body),
        "description": spec.description,
        "compensation": spec.compensation,
        "compensation_body": dict(spec.compensation_body),
        "request_id": s.request_id,
        "state": s.state.value,
        "attempts": s.attempts,
        "result": s.result,
        "error": s.error,
        "applied_at": s.applied_at,
    }


def _step_of(raw: Mapping[str, Any]) -> StepRecord:
    spec = StepSpec(
        system=raw["system"],
        operation=raw["operation"],
        target=raw["target"],
        body=raw.get("body") or {},
        description=raw.get("description", ""),
        compensation=raw.get("compensation"),
        compensation_body=raw.get("compensation_body") or {},
    )
    return StepRecord(
        spec=spec,
        request_id=raw["request_id"],
        state=StepState(raw["state"]),
        attempts=int(raw.get("attempts", 0)),
        result=raw.get("result"),
        error=raw.get("error"),
        applied_at=raw.get("applied_at"),
    )
