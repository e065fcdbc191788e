"""Token revocation (RFC 7009) and token introspection (RFC 7662) on authlib's endpoints.

Revocation (``POST /oauth/revoke``): a client revokes a refresh token issued to it, which revokes the token's whole
family (every token rotated from the same login of that client). Public clients name themselves with
``client_id``, confidential ones authenticate. An unknown token is answered 200 as RFC 7009 §2.2 asks. Access
tokens are self-contained and short-lived and end with their login session (logout): revoking one is answered
``unsupported_token_type`` (RFC 7009 §2.2.1), never a 200 that would not hold.

Introspection (``POST /oauth/introspect``): only confidential clients, authenticated. An access token is active when
it verifies (signature, issuer, audience, ``typ: at+jwt``, lifetime) and its login session is still open; a refresh
token when it is unspent, its family unrevoked, and it was issued to the asking client. Anything else is
``{"active": false}`` with nothing more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from auth.clients import API_SCOPES, OIDC_SCOPES
from auth.errors import Unauthenticated
from auth.provider.provider import Provider
from auth.provider.server import OAuthClient, StarletteServer, on_loop
from auth.sessions import RefreshFamily

__all__ = [
    "AccessTokenState",
    "RefreshTokenState",
    "TokenIntrospection",
    "TokenRevocation",
    "find_access_token",
    "token_state_server",
]


class UnsupportedTokenType(OAuth2Error):  # type: ignore[misc]
    """RFC 7009 §2.2.1 ``unsupported_token_type``, a §5.2 error: 400 (authlib's own class answers 401)."""

    error = "unsupported_token_type"
    status_code = 400


def _check_params(request: OAuth2Request, supported: tuple[str, ...]) -> None:
    if not request.form.get("token"):
        raise InvalidRequestError(description="token is required")
    hint = request.form.get("token_type_hint")
    if hint and hint not in supported:
        raise UnsupportedTokenType(description=f"token_type_hint must be one of {', '.join(supported)}")


@dataclass(frozen=True, slots=True)
class RefreshTokenState:
    family: RefreshFamily
    spent: bool

    def check_client(self, client: OAuthClient) -> bool:
        return client.get_client_id() == self.family.client_id

    def is_expired(self) -> bool:
        return False  # an expired refresh token is no longer found

    def is_revoked(self) -> bool:
        return self.family.revoked or self.spent


@dataclass(frozen=True, slots=True)
class AccessTokenState:
    claims: dict[str, Any]
    session_open: bool

    def check_client(self, client: OAuthClient) -> bool:
        return client.get_client_id() == self.claims.get("client_id")

    def is_expired(self) -> bool:
        return int(self.claims.get("exp", 0)) <= time.time()

    def is_revoked(self) -> bool:
        return not self.session_open

    def get_scope(self) -> str:
        scope = self.claims.get("scope")
        return scope if isinstance(scope, str) else ""


TokenState = RefreshTokenState | AccessTokenState


def _find(provider: Provider, token: str, hint: str | None) -> TokenState | None:
    """The token's state, looking first where ``hint`` points and then at the other type (RFC 7009 §2.1)."""
    order = ("access_token", "refresh_token") if hint == "access_token" else ("refresh_token", "access_token")
    for kind in order:
        found = _find_refresh(provider, token) if kind == "refresh_token" else find_access_token(provider, token)
        if found is not None:
            return found
    return None


def _find_refresh(provider: Provider, token: str) -> RefreshTokenState | None:
    found = on_loop(provider.sessions.find_refresh, token)
    return None if found is None else RefreshTokenState(*found)


def find_access_token(provider: Provider, token: str) -> AccessTokenState | None:
    """One of the provider's own access tokens that verifies (signature, issuer, audience, ``typ``, lifetime), with
    whether its login session is still open; None for anything else. From an authlib hook (a worker thread)."""
    if token.count(".") != 2:
        return None
    try:
        claims = on_loop(provider.read_access_token, token)
    except Unauthenticated:
        return None
    sid = claims.get("sid")
    session_open = True if not sid else bool(on_loop(provider.sessions.session_open, str(sid)))
    return AccessTokenState(claims, session_open)


class TokenRevocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")

    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def check_params(self, request: OAuth2Request, client: OAuthClient) -> None:
        _check_params(request, self.SUPPORTED_TOKEN_TYPES)

    def query_token(self, token_string: str, token_type_hint: str | None) -> RefreshTokenState | None:
        found = _find(self.provider, token_string, token_type_hint)
        if isinstance(found, AccessTokenState):
            raise UnsupportedTokenType(
                description="access tokens cannot be revoked: they expire within minutes and end with their login "
                "session; revoke the refresh token or log out"
            )
        return found

    def revoke_token(self, token: RefreshTokenState, request: OAuth2Request) -> None:
        on_loop(self.provider.sessions.revoke_family, token.family.fid)


class TokenIntrospection(IntrospectionEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def check_params(self, request: OAuth2Request, client: OAuthClient) -> None:
        _check_params(request, self.SUPPORTED_TOKEN_TYPES)

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenState | None:
        return _find(self.provider, token_string, token_type_hint)

    def check_permission(self, token: TokenState, client: OAuthClient, request: OAuth2Request) -> bool:
        """Refresh tokens only to the client they were issued to; access tokens to any authenticated confidential
        client (a resource server asking about a bearer token it was sent)."""
        return token.check_client(client) if isinstance(token, RefreshTokenState) else True

    def introspect_token(self, token: TokenState) -> dict[str, Any]:
        issuer = self.provider.issuer
        if isinstance(token, RefreshTokenState):
            family = token.family
            return {
                "active": True,
                "token_type": "refresh_token",
                "scope": family.scope,
                "client_id": family.client_id,
                "sub": family.username,
                "username": family.username,
                "iss": issuer,
            }
        claims = token.claims
        body: dict[str, Any] = {"active": True, "token_type": "Bearer"}
        for name in ("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti"):
            if name in claims:
                body[name] = claims[name]
        return body


def token_state_server(provider: Provider) -> StarletteServer:
    """authlib's server for the provider's clients with the revocation and introspection endpoints registered."""
    server = StarletteServer(
        provider.clients, scopes_supported=[*OIDC_SCOPES, *API_SCOPES], plain_http_ok=provider.options.dev
    )
    server.register_endpoint(TokenRevocation(provider))
    server.register_endpoint(TokenIntrospection(provider))
    return server
