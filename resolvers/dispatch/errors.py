"""Errors of write-through dispatch.

::

    DispatchError                 base; ``code`` is the ``extensions.code`` / ``userErrors.code`` a client sees
    ├── InputRefused              the input cannot be written as given; nothing was written (``field`` names it)
    │   └── PermissionRefused     the principal's role, unit or jurisdiction does not allow the write (DOMAIN §8)
    ├── IdempotencyConflict       the key was used before with a different input
    ├── UnknownDispatch           no dispatch with that id (or not the caller's)
    └── OutboxUnavailable         Redis cannot take the write now; nothing was accepted

Failures of a legacy system while a dispatch is applied are not errors of the caller: they become the dispatch's
state (retried, then FAILED with a reason), never an exception out of :meth:`DispatchService.submit`.
"""

from __future__ import annotations

__all__ = [
    "DispatchError",
    "IdempotencyConflict",
    "InputRefused",
    "OutboxUnavailable",
    "PermissionRefused",
    "UnknownDispatch",
]


class DispatchError(Exception):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class InputRefused(DispatchError):
    code = "BAD_USER_INPUT"


class PermissionRefused(InputRefused):
    code = "FORBIDDEN"


class IdempotencyConflict(DispatchError):
    code = "IDEMPOTENCY_KEY_REUSED"


class UnknownDispatch(DispatchError):
    code = "NOT_FOUND"


class OutboxUnavailable(DispatchError):
    code = "OUTBOX_UNAVAILABLE"
