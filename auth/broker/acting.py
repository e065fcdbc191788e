"""The user a legacy call is made for (代办人), as the request's context carries it.

A subgraph sets it once per request from the verified principal (:func:`set_acting_user`); the adapters read it
with :func:`acting_user` when they build a legacy request and send it where the protocol has room: the
``X-Acting-User`` header (hotline, grid, suggestion), a SOAP header element (petition), a signed form field
(board). A :class:`~contextvars.ContextVar`, because the adapters are shared by every request of a process and
each request runs in its own task (asyncio copies the context into the tasks a request spawns).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["ACTING_USER_HEADER", "acting_as", "acting_user", "set_acting_user"]

ACTING_USER_HEADER = "X-Acting-User"

_acting: ContextVar[str | None] = ContextVar("minyi_acting_user", default=None)


def acting_user() -> str | None:
    """The subject of the user the current request acts for, or ``None`` (anonymous, or no request)."""
    return _acting.get()


def set_acting_user(subject: str | None) -> None:
    """Set for the rest of the current task (a subgraph request)."""
    _acting.set(subject or None)


@contextmanager
def acting_as(subject: str | None) -> Iterator[None]:
    """Within the block, legacy calls are made for ``subject``."""
    token = _acting.set(subject or None)
    try:
        yield
    finally:
        _acting.reset(token)
