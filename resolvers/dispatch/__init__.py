"""Write-through dispatch: every write reaches its system of record exactly once, and nothing is lost.

A mutation becomes a :class:`~resolvers.dispatch.commands.Command`; :class:`~resolvers.dispatch.service.DispatchService`
checks it (permissions and the workflow's rules, :mod:`.rules`), plans its saga of legacy writes (:mod:`.plan`) and
puts it in the durable outbox on Redis Streams (:mod:`.outbox`) under its idempotency key; workers
(:class:`~resolvers.dispatch.worker.Worker`, ``minyi worker``) apply the steps through the legacy adapters
(:mod:`.writers`, :mod:`.saga`), with retries, compensation and an audit record per write.
"""

from resolvers.dispatch.commands import Action, Command, input_hash
from resolvers.dispatch.errors import (
    DispatchError,
    IdempotencyConflict,
    InputRefused,
    OutboxUnavailable,
    PermissionRefused,
    UnknownDispatch,
)
from resolvers.dispatch.outbox import Outbox
from resolvers.dispatch.record import DispatchRecord, DispatchState, StepRecord, StepState
from resolvers.dispatch.saga import RetryPolicy
from resolvers.dispatch.service import DispatchService, LegacyAppealReader, Submitted
from resolvers.dispatch.worker import Worker, WorkerOptions
from resolvers.dispatch.writers import LegacyWriters

__all__ = [
    "Action",
    "Command",
    "DispatchError",
    "DispatchRecord",
    "DispatchService",
    "DispatchState",
    "IdempotencyConflict",
    "InputRefused",
    "LegacyAppealReader",
    "LegacyWriters",
    "Outbox",
    "OutboxUnavailable",
    "PermissionRefused",
    "RetryPolicy",
    "StepRecord",
    "StepState",
    "Submitted",
    "UnknownDispatch",
    "Worker",
    "WorkerOptions",
    "input_hash",
]
