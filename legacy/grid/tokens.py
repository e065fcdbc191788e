"""The grid system's own OAuth2 token endpoint state: client credentials in, opaque bearer tokens out.

RFC 6749 §4.4 (client credentials grant) and §2.3.1 (client authentication); RFC 6750 for using the tokens.
Tokens are random, held in memory, and expire ``ttl_s`` seconds after issue by the store's clock (monotonic
unless a test injects one); :meth:`TokenStore.expire_all` is the operator's "log everyone out".
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CLIENTS", "DEFAULT_TTL_S", "IssuedToken", "TokenStore"]

DEFAULT_TTL_S = 600
CLIENTS = {"minyi-service": "minyi-service-pass"}


@dataclass(frozen=True, slots=True)
class IssuedToken:
    value: str
    client_id: str
    expires_at: float


class TokenStore:
    def __init__(
        self,
        *,
        ttl_s: int = DEFAULT_TTL_S,
        clients: dict[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s < 1:
            raise ValueError("token ttl_s must be at least 1")
        self.ttl_s = ttl_s
        self._clients = dict(CLIENTS if clients is None else clients)
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}

    def client_ok(self, client_id: str, client_secret: str) -> bool:
        expected = self._clients.get(client_id)
        return expected is not None and hmac.compare_digest(expected.encode(), client_secret.encode())

    def issue(self, client_id: str) -> IssuedToken:
        now = self._clock()
        self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}  # forget the dead ones
        token = IssuedToken(secrets.token_urlsafe(24), client_id, now + self.ttl_s)
        self._tokens[token.value] = token
        return token

    def valid(self, value: str) -> bool:
        token = self._tokens.get(value)
        return token is not None and token.expires_at > self._clock()

    def expire_all(self) -> int:
        count = len(self._tokens)
        self._tokens.clear()
        return count
