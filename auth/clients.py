"""Registered OAuth clients: the portal SPA (public, PKCE S256 required, exact redirect URIs) and the
confidential service client (client credentials).

Redirect URIs are compared as exact strings (RFC 9700 §4.1.3): no prefix, wildcard or normalisation, so an
unregistered URI can never become a redirect target.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from auth.settings import AuthOptions

__all__ = ["API_SCOPES", "PORTAL_CLIENT_ID", "SERVICE_CLIENT_ID", "Client", "ClientRegistry"]

PORTAL_CLIENT_ID = "minyi-portal"
SERVICE_CLIENT_ID = "minyi-service"
OIDC_SCOPES = ("openid", "profile", "offline_access")
API_SCOPES = ("appeals:read", "appeals:write", "contact:reveal")


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    name: str
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    secret_sha256: str | None = None  # confidential clients only; secrets are long random strings, so SHA-256

    @property
    def public(self) -> bool:
        return self.secret_sha256 is None

    def check_secret(self, secret: str | None) -> bool:
        if self.secret_sha256 is None or not secret:
            return False
        return hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), self.secret_sha256)

    def allows_redirect(self, uri: str | None) -> bool:
        return uri is not None and uri in self.redirect_uris

    def allowed_scopes(self, requested: Iterable[str]) -> tuple[str, ...]:
        return tuple(s for s in dict.fromkeys(requested) if s in self.scopes)


class ClientRegistry:
    def __init__(self, clients: Iterable[Client]) -> None:
        self._clients = {c.client_id: c for c in clients}

    @classmethod
    def from_options(cls, options: AuthOptions) -> ClientRegistry:
        clients = [
            Client(
                PORTAL_CLIENT_ID,
                "民意门户",
                ("authorization_code", "refresh_token"),
                OIDC_SCOPES + API_SCOPES,
                redirect_uris=options.portal_redirect_uris,
                post_logout_redirect_uris=options.portal_logout_redirect_uris,
            )
        ]
        if options.service_client_secret:
            clients.append(
                Client(
                    SERVICE_CLIENT_ID,
                    "服务客户端",
                    ("client_credentials",),
                    ("appeals:read",),
                    secret_sha256=hashlib.sha256(options.service_client_secret.encode()).hexdigest(),
                )
            )
        return cls(clients)

    def get(self, client_id: str | None) -> Client | None:
        return self._clients.get(client_id or "")

    def all(self) -> list[Client]:
        return list(self._clients.values())
