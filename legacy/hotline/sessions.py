"""Login sessions of the hotline stand-in: opaque tokens with a time to live (default 30 minutes).

The real system keeps HTTP sessions in the app server; a token that is unknown or past its TTL is answered with
``{"code": 401, "msg": "会话已过期"}``. The operator's console (admin routes) can expire every session at once and
change the TTL, which is how tests force a re-login.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["DEFAULT_TTL_S", "Session", "SessionStore"]

DEFAULT_TTL_S = 30 * 60.0


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    user: str
    expires_at: float  # on the store's monotonic clock
    expires_wall: datetime  # what the login answer shows


class SessionStore:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_s <= 0:
            raise ValueError("session TTL must be positive")
        self.ttl_s = ttl_s
        self._clock = clock
        self._sessions: dict[str, Session] = {}

    def open(self, user: str) -> Session:
        self._sweep()
        session = Session(
            token=secrets.token_hex(16),
            user=user,
            expires_at=self._clock() + self.ttl_s,
            expires_wall=(datetime.now() + timedelta(seconds=self.ttl_s)).replace(microsecond=0),
        )
        self._sessions[session.token] = session
        return session

    def check(self, token: str) -> Session | None:
        """The live session behind ``token``, or ``None`` when unknown or expired."""
        session = self._sessions.get(token)
        if session is None:
            return None
        if session.expires_at <= self._clock():
            del self._sessions[token]
            return None
        return session

    def close(self, token: str) -> None:
        self._sessions.pop(token, None)

    def expire_all(self) -> int:
        count = len(self._sessions)
        self._sessions.clear()
        return count

    def __len__(self) -> int:
        return len(self._sessions)

    def _sweep(self) -> None:
        now = self._clock()
        for token in [t for t, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[token]
