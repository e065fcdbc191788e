"""The write path's output types: a dispatch and its steps, user errors, and one payload per mutation."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.dispatch import DispatchRecord
from subgraphs.common.node import Node

__all__ = [
    "Dispatch",
    "DispatchState",
    "DispatchStep",
    "DispatchStepState",
    "UserError",
    "dispatch_for",
    "dispatch_of",
]


@strawberry.enum(description="Where a dispatch (an accepted write) stands.")
class DispatchState(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Accepted and durable; being applied (or waiting to retry a legacy system that is down)."
    )
    APPLIED = strawberry.enum_value("APPLIED", description="Written to every system of record, once.")
    FAILED = strawberry.enum_value(
        "FAILED", description="Could not be applied; `reason` says why and what was undone. Nothing is left half done."
    )


@strawberry.enum(description="Where one step of a dispatch stands.")
class DispatchStepState(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Not written yet (`attempts` so far, `error` the last).")
    APPLIED = strawberry.enum_value("APPLIED", description="Written to its system.")
    FAILED = strawberry.enum_value("FAILED", description="Refused by its system, or out of attempts.")
    COMPENSATED = strawberry.enum_value("COMPENSATED", description="Written, then undone because a later step failed.")
    SKIPPED = strawberry.enum_value("SKIPPED", description="Never tried: an earlier step failed.")


@strawberry.type(description="One write of a dispatch to one legacy system.")
class DispatchStep:
    system: str = strawberry.field(description="The system written to: hotline, grid, …")
    description: str = strawberry.field(description="What the step writes, in words a person can follow.")
    state: DispatchStepState = strawberry.field(description="Where the step stands.")
    attempts: int = strawberry.field(description="How often it was sent so far.")
    legacy_reference: str | None = strawberry.field(
        description="The record it wrote, as the legacy system numbers it (工单编号, 任务号), once applied."
    )
    error: str | None = strawberry.field(description="The last failure, when there was one.")
    applied_at: datetime | None = strawberry.field(description="When it was written.")


@strawberry.federation.type(shareable=True, description="Something in the input the user can fix.")
class UserError:
    code: str = strawberry.field(
        description="UNKNOWN_UNIT, TRANSITION_NOT_ALLOWED, DEADLINE_PASSED, TOO_LONG, REQUIRED, BAD_VALUE, NOT_FOUND, FORBIDDEN, "
        "UNSUPPORTED or IDEMPOTENCY_KEY_REUSED."
    )
    field: list[str] | None = strawberry.field(description="The path of the input field at fault, when one is.")
    message: str = strawberry.field(description="What is wrong, for a person.")


@strawberry.federation.type(
    keys=["id"],
    description="An accepted write (派发记录) and how far it has been applied. Poll `dispatch(id:)` or "
    "`node(id:)`; only the user who made the write sees it.",
)
class Dispatch(Node):
    id: strawberry.ID = strawberry.field(description='The dispatch id, `"dispatch:<id>"`.')
    mutation: str = strawberry.field(description="The mutation that asked for it, e.g. `dispatchAppeal`.")
    state: DispatchState = strawberry.field(description="APPLIED, PENDING or FAILED.")
    reason: str | None = strawberry.field(description="Why it FAILED and what was undone; null otherwise.")
    steps: list[DispatchStep] = strawberry.field(description="Its writes, in order.")
    accepted_at: datetime = strawberry.field(description="When it was accepted.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    next_attempt_at: datetime | None = strawberry.field(description="When the next retry is due, while one waits.")

    @classmethod
    async def resolve_reference(cls, info: Info, **representation: Any) -> Dispatch | None:
        return await dispatch_for(info, str(representation.get("id") or ""))


async def dispatch_for(info: Info, dispatch_id: str) -> Dispatch | None:
    """The dispatch by its id, for the user who made it; ``None`` for anyone else, an unknown id, or a deployment
    without an outbox."""
    service = getattr(info.context, "dispatch", None)
    if service is None or not dispatch_id.startswith("dispatch:"):
        return None
    record = await service.outbox.load(dispatch_id.removeprefix("dispatch:"))
    if record is None or record.actor != info.context.principal.subject:
        return None
    return dispatch_of(record)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def dispatch_of(record: DispatchRecord) -> Dispatch:
    from zoneinfo import ZoneInfo

    china = ZoneInfo("Asia/Shanghai")
    steps = [
        DispatchStep(
            system=s.spec.system,
            description=s.spec.description,
            state=DispatchStepState(s.state.value),
            attempts=s.attempts,
            legacy_reference=s.result,
            error=s.error,
            applied_at=_time(s.applied_at).astimezone(china) if s.applied_at else None,  # type: ignore[union-attr]
        )
        for s in record.steps
    ]
    accepted = _time(record.created_at) or datetime.now(china)
    return Dispatch(
        id=strawberry.ID(f"dispatch:{record.id}"),
        mutation=record.command.action.value,
        state=DispatchState(record.state.value),
        reason=record.reason,
        steps=steps,
        accepted_at=accepted.astimezone(china),
        updated_at=(_time(record.updated_at) or accepted).astimezone(china),
        next_attempt_at=datetime.fromtimestamp(record.next_attempt_at, china) if record.next_attempt_at else None,
    )
