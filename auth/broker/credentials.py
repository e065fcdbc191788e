"""A legacy system's service credentials: who the broker logs in as."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ServiceCredentials"]


@dataclass(frozen=True, slots=True)
class ServiceCredentials:
    """``username`` is the account, app code or client id; ``secret`` the password, HMAC key or client secret.
    The secret is left out of ``repr`` (and so of every log line and traceback that prints the object)."""

    system: str
    username: str
    secret: str = field(repr=False)
