"""The credential broker: per-system service credentials and one :class:`LegacySession` per system."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from auth.broker.acting import ACTING_USER_HEADER, acting_user
from auth.broker.credentials import ServiceCredentials
from auth.broker.session import LegacySession, Login
from auth.errors import BrokerError

__all__ = ["CredentialBroker"]


class CredentialBroker:
    """Holds each legacy system's :class:`ServiceCredentials`; one per process, shared by the adapters.

    ``session(system, login)`` returns that system's :class:`LegacySession` (made on first use with the adapter's
    ``login``); ``credentials(system)`` the credentials for protocols that sign each request instead (WS-Security,
    HMAC, API keys); ``acting_headers()`` the ``X-Acting-User`` header of the current request.
    """

    def __init__(
        self,
        credentials: Iterable[ServiceCredentials],
        *,
        refresh_margin_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = {c.system: c for c in credentials}
        self._sessions: dict[str, LegacySession] = {}
        self._margin = refresh_margin_s
        self._clock = clock

    @classmethod
    def single(
        cls,
        system: str,
        username: str,
        secret: str,
        *,
        refresh_margin_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> CredentialBroker:
        """A broker for one system (an adapter built without a shared broker)."""
        return cls([ServiceCredentials(system, username, secret)], refresh_margin_s=refresh_margin_s, clock=clock)

    def __repr__(self) -> str:
        return f"CredentialBroker(systems={sorted(self._credentials)})"

    @property
    def systems(self) -> tuple[str, ...]:
        return tuple(sorted(self._credentials))

    def credentials(self, system: str) -> ServiceCredentials:
        found = self._credentials.get(system)
        if found is None:
            raise BrokerError(f"the broker holds no service credentials for {system}")
        return found

    def session(self, system: str, login: Login) -> LegacySession:
        found = self._sessions.get(system)
        if found is None:
            found = self._sessions[system] = LegacySession(
                self.credentials(system), login, refresh_margin_s=self._margin, clock=self._clock
            )
        return found

    def sessions(self) -> Mapping[str, LegacySession]:
        return dict(self._sessions)

    @staticmethod
    def acting_headers() -> dict[str, str]:
        """``{"X-Acting-User": subject}`` when the current request acts for a user, else ``{}``."""
        subject = acting_user()
        return {ACTING_USER_HEADER: subject} if subject else {}
