"""One legacy system's session or access token, cached and refreshed by the broker.

``login`` (given by the adapter that speaks the protocol) logs in with the service credentials and returns an
:class:`Issued` value. :class:`LegacySession`:

- hands out the cached value until ``refresh_margin_s`` before it expires, then logs in again;
- lets concurrent callers share one login (single flight), also when every waiter is cancelled;
- on :meth:`renew` (the system has just refused ``stale``) logs in again once for all callers that saw the same
  stale value, and never hands ``stale`` out again.

:meth:`LegacySession.call` is the usual shape: send with the current value, and if the system says the session has
expired, renew once and send again — a second refusal is the caller's to report. Logins are counted in
:class:`SessionStats`; values never appear in ``repr`` or log lines.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from auth.broker.credentials import ServiceCredentials

__all__ = ["Issued", "LegacySession", "Login", "SessionStats"]

log = logging.getLogger("minyi.broker")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Issued:
    """A session token or access token; ``lifetime_s`` from now, ``None`` when the system does not say."""

    value: str = field(repr=False)
    lifetime_s: float | None = None


@dataclass(slots=True)
class SessionStats:
    logins: int = 0  # every login, the first one included
    renewals: int = 0  # logins because the system refused the session
    failures: int = 0  # logins that failed


Login = Callable[[ServiceCredentials], Awaitable[Issued]]


@dataclass(frozen=True, slots=True)
class _Held:
    value: str = field(repr=False)
    refresh_at: float


class LegacySession:
    def __init__(
        self,
        credentials: ServiceCredentials,
        login: Login,
        *,
        refresh_margin_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials
        self.system = credentials.system
        self.stats = SessionStats()
        self._login = login
        self._margin = refresh_margin_s
        self._clock = clock
        self._held: _Held | None = None
        self._pending: asyncio.Task[_Held] | None = None

    def __repr__(self) -> str:
        return f"LegacySession({self.system!r}, logins={self.stats.logins})"

    async def current(self) -> str:
        """The cached value, or a new one when there is none or it is about to expire."""
        held = self._held
        if held is not None and held.refresh_at > self._clock():
            return held.value
        return await self._shared_login(stale=None)

    async def renew(self, stale: str) -> str:
        """A new value after the system refused ``stale``; callers holding the same stale value share one login."""
        held = self._held
        if held is not None and held.value != stale and held.refresh_at > self._clock():
            return held.value
        return await self._shared_login(stale=stale)

    async def call(self, send: Callable[[str], Awaitable[T]], expired: Callable[[T], bool]) -> T:
        """``send`` with the session; when ``expired(answer)``, log in again once and send again."""
        value = await self.current()
        answer = await send(value)
        if expired(answer):
            log.info("%s refused the broker's session; logging in again", self.system)
            answer = await send(await self.renew(value))
        return answer

    def forget(self) -> None:
        """Drop the cached value (the next call logs in)."""
        self._held = None

    async def _shared_login(self, stale: str | None) -> str:
        pending = self._pending
        if pending is None or pending.done():
            pending = self._pending = asyncio.ensure_future(self._do_login(renewal=stale is not None))
            # every waiter may have been cancelled: the failure is still consumed, not reported as lost
            pending.add_done_callback(lambda task: None if task.cancelled() else task.exception())
        held = await asyncio.shield(pending)
        return held.value

    async def _do_login(self, *, renewal: bool) -> _Held:
        self.stats.logins += 1
        if renewal:
            self.stats.renewals += 1
        try:
            issued = await self._login(self.credentials)
        except BaseException:
            self.stats.failures += 1
            log.warning("login to %s as %r failed", self.system, self.credentials.username)
            raise
        lifetime = issued.lifetime_s  # refreshed early: 10 % of its life, at most the margin
        refresh_at = float("inf") if lifetime is None else self._clock() + lifetime - min(self._margin, lifetime * 0.1)
        held = _Held(issued.value, refresh_at)
        self._held = held
        log.info("logged in to %s as %r", self.system, self.credentials.username)
        return held
