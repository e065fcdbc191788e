"""The provider's grants on authlib's grant classes (RFC 6749 §4.1, §4.4, §6; RFC 7636; OIDC Core §3.1.3).

- :class:`CodeGrant` — at the authorization endpoint: the client, its exact ``redirect_uri``, ``response_type=code``,
  the scope within the client's, and an ``S256`` challenge (:class:`S256Verifier`); the code it grants carries the
  login session and ``nonce`` and comes back with ``state`` and ``iss`` (RFC 9207). At the token endpoint:
  ``authorization_code`` with PKCE (:class:`S256Verifier`, the verifier checked against the
  code's ``S256`` challenge; a missing or wrong verifier is ``invalid_grant``). The code is taken (GETDEL) as soon
  as it is looked up, so it is single use even when a later check fails.
- :class:`RefreshGrant` — ``refresh_token`` with rotation and reuse detection: looking the token up spends it and
  issues the next one (:meth:`auth.sessions.SessionStore.rotate`, where a spent token presented again revokes its
  family); a token of another client revokes its family too. A refresh may narrow the scope, never widen it.
- :class:`ServiceGrant` — ``client_credentials`` for confidential clients, within the client's scopes.
- :class:`IdToken` — the ID token of the code and refresh grants when ``openid`` is granted, minted with joserfc
  (:func:`auth.provider.tokens.mint_id_token`).

Every grant accepts ``client_secret_basic``, ``client_secret_post`` and ``none``; which one a client may use is the
client's (:class:`auth.provider.server.OAuthClient`). The tokens themselves are minted by :func:`token_generator`
(access tokens as RFC 9068 JWTs). Hooks run in authlib's worker thread and reach the stores through
:func:`~auth.provider.server.on_loop`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    RefreshTokenGrant,
)
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
from authlib.oidc.core.grants import OpenIDToken

from auth.clients import API_SCOPES, OIDC_SCOPES
from auth.principal import Principal, Role
from auth.provider.provider import Provider
from auth.provider.server import OAuthClient, StarletteServer, on_loop
from auth.provider.tokens import mint_access_token, mint_id_token
from auth.sessions import AuthorizationCode, RefreshFamily, new_token, public_sid
from auth.users import User

__all__ = [
    "CodeGrant",
    "GrantUser",
    "IdToken",
    "LoggedIn",
    "RefreshGrant",
    "S256Verifier",
    "ServiceGrant",
    "token_server",
]

ALL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url(SHA-256) without padding


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """Who the authorization endpoint grants a code for: a user logged in with a login session."""

    username: str
    sid: str  # the session cookie's value (stored with the code, hashed into tokens)
    auth_time: int


@dataclass(frozen=True, slots=True)
class GrantUser:
    """The user a code or refresh token speaks for, with what its tokens carry besides the user's claims."""

    user: User
    sid: str | None  # public sid of the login session
    auth_time: int | None
    nonce: str | None
    refresh: str | None  # the refresh token to hand out with this response, if any

    def principal(self, scope: str, client_id: str) -> Principal:
        """The user with the granted scope, ``openid`` and ``profile`` included (the userinfo endpoint needs them)."""
        return self.user.principal(scopes=scope.split(), client_id=client_id)


class CodeRecord(AuthorizationCodeMixin):  # type: ignore[misc]
    def __init__(self, code: AuthorizationCode) -> None:
        self.code = code

    def get_redirect_uri(self) -> str:
        return self.code.redirect_uri

    def get_scope(self) -> str:
        return self.code.scope

    def get_nonce(self) -> str | None:
        return self.code.nonce

    def get_auth_time(self) -> int:
        return self.code.auth_time


class RotatedRefresh:
    """A refresh token already spent by the lookup, with its family and the token that replaces it."""

    def __init__(self, provider: Provider, family: RefreshFamily, next_token: str) -> None:
        self.provider = provider
        self.family = family
        self.next_token = next_token

    def check_client(self, client: OAuthClient) -> bool:
        if client.get_client_id() == self.family.client_id:
            return True
        on_loop(self.provider.sessions.revoke_family, self.family.fid)  # a stolen token: end the whole family
        return False

    def get_scope(self) -> str:
        return self.family.scope


def _active_user(provider: Provider, username: str) -> User:
    user = on_loop(provider.users.get_user, username)
    if user is None or user.disabled:
        raise InvalidGrantError("the user is no longer allowed to sign in")
    return user


class S256Verifier(CodeChallenge):  # type: ignore[misc]
    """RFC 7636 §4.6 for codes whose challenge the authorization endpoint required (S256 only)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ("S256",)

    def __init__(self) -> None:
        super().__init__(required=True)

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        """At the authorization endpoint: a challenge is required, ``S256`` named explicitly (``plain`` refused)."""
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        if not challenge:
            raise InvalidRequestError("code_challenge is required (PKCE)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        if not _CHALLENGE.match(challenge):
            raise InvalidRequestError("code_challenge is not a base64url SHA-256 value")

    def validate_code_verifier(self, grant: AuthorizationCodeGrant, result: Any) -> None:
        verifier = grant.request.form.get("code_verifier")
        record: CodeRecord = grant.request.authorization_code
        if not verifier or not _VERIFIER.match(verifier):
            raise InvalidGrantError("a valid code_verifier is required (PKCE)")
        if not compare_s256_code_challenge(verifier, record.code.code_challenge):
            raise InvalidGrantError("code_verifier does not match the code challenge")


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def __init__(self, request: OAuth2Request, server: TokenServer) -> None:
        super().__init__(request, server)
        self.provider = server.provider

    def validate_requested_scope(self) -> None:
        client: OAuthClient = self.request.client
        requested = (self.request.payload.scope or "openid").split()
        if set(requested) - set(client.client.allowed_scopes(requested)):
            raise InvalidScopeError("a requested scope is not allowed for this client")

    def generate_authorization_code(self) -> str:
        return new_token()

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        user: LoggedIn = request.user
        data = request.payload.data
        grant = AuthorizationCode(
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            code_challenge=data["code_challenge"],
            username=user.username,
            sid=user.sid,
            auth_time=user.auth_time,
            nonce=data.get("nonce"),
        )
        on_loop(self.provider.sessions.issue_code, grant, code)

    def create_authorization_response(self, redirect_uri: str, grant_user: LoggedIn) -> tuple[int, str, Any]:
        """The code and ``state``, plus ``iss`` (RFC 9207) so the client knows which issuer answered."""
        status, body, headers = super().create_authorization_response(redirect_uri, grant_user)
        located = [
            (k, add_params_to_uri(v, {"iss": self.provider.issuer}) if k == "Location" else v) for k, v in headers
        ]
        return status, body, located

    def query_authorization_code(self, code: str, client: OAuthClient) -> CodeRecord | None:
        taken = on_loop(self.provider.sessions.take_code, code)  # single use: taken even if a check below fails
        if taken is None or taken.client_id != client.get_client_id():
            raise InvalidGrantError("the authorization code is invalid, expired or already used")
        return CodeRecord(taken)

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        return None  # taken when it was looked up

    def authenticate_user(self, authorization_code: CodeRecord) -> GrantUser:
        code = authorization_code.code
        user = _active_user(self.provider, code.username)
        refresh = None
        if "refresh_token" in self.request.client.client.grant_types:
            _, refresh = on_loop(
                self.provider.sessions.start_family, code.client_id, code.username, code.scope, code.sid, code.auth_time
            )
        return GrantUser(user, public_sid(code.sid), code.auth_time, code.nonce, refresh)


class RefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def __init__(self, request: OAuth2Request, server: TokenServer) -> None:
        super().__init__(request, server)
        self.provider = server.provider

    def authenticate_refresh_token(self, refresh_token: str) -> RotatedRefresh | None:
        rotated = on_loop(self.provider.sessions.rotate, refresh_token)
        if rotated is None:
            raise InvalidGrantError("the refresh token is invalid, expired, revoked or already used")
        family, next_token = rotated
        return RotatedRefresh(self.provider, family, next_token)

    def authenticate_user(self, refresh_token: RotatedRefresh) -> GrantUser:
        family = refresh_token.family
        user = _active_user(self.provider, family.username)
        return GrantUser(user, public_sid(family.sid), family.auth_time, None, refresh_token.next_token)

    def revoke_old_credential(self, refresh_token: RotatedRefresh) -> None:
        return None  # spent when it was looked up


class ServiceGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def validate_requested_scope(self) -> None:
        client: OAuthClient = self.request.client
        requested = (self.request.payload.scope or " ".join(client.client.scopes)).split()
        if set(requested) - set(client.client.allowed_scopes(requested)):
            raise InvalidScopeError("a requested scope is not allowed for this client")


class IdToken(OpenIDToken):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> str:
        user: GrantUser = request.user
        client_id = request.client.get_client_id()
        o = self.provider.options
        return mint_id_token(
            on_loop(self.provider.keys.ring),
            user.principal(str(token["scope"]), client_id),
            issuer=o.issuer,
            client_id=client_id,
            lifetime_s=o.id_ttl_s,
            nonce=user.nonce,
            auth_time=user.auth_time,
            sid=user.sid,
        )


class TokenServer(StarletteServer):
    def __init__(self, provider: Provider) -> None:
        super().__init__(
            provider.clients, scopes_supported=[*OIDC_SCOPES, *API_SCOPES], plain_http_ok=provider.options.dev
        )
        self.provider = provider

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        return None  # access and ID tokens are self-contained; refresh tokens are stored when made


def token_generator(provider: Provider) -> Any:
    """authlib's token generator: a JWT access token for the grant's user (or the service client), the grant's
    refresh token when it has one."""

    def generate(
        grant_type: str,
        client: OAuthClient,
        user: GrantUser | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        o = provider.options
        registered = client.client
        if user is None:  # client credentials
            granted = " ".join(registered.allowed_scopes((scope or " ".join(registered.scopes)).split()))
            principal = Principal(
                subject=registered.client_id,
                roles=frozenset({Role.SERVICE}),
                scopes=frozenset(granted.split()),
                name=registered.name,
                client_id=registered.client_id,
            )
            sid = None
        else:
            granted = scope or ""
            principal = user.principal(granted, registered.client_id)
            sid = user.sid
        body: dict[str, Any] = {
            "access_token": mint_access_token(
                on_loop(provider.keys.ring),
                principal,
                issuer=o.issuer,
                audience=o.audience,
                lifetime_s=o.access_ttl_s,
                sid=sid,
            ),
            "token_type": "Bearer",
            "expires_in": o.access_ttl_s,
            "scope": granted,
        }
        if include_refresh_token and user is not None and user.refresh is not None:
            body["refresh_token"] = user.refresh
        return body

    return generate


def token_server(provider: Provider) -> TokenServer:
    """authlib's server with the provider's grants registered (the token endpoint answers through it)."""
    server = TokenServer(provider)
    server.register_token_generator("default", token_generator(provider))
    server.register_grant(CodeGrant, [S256Verifier(), IdToken(provider)])
    server.register_grant(RefreshGrant, [IdToken(provider)])
    server.register_grant(ServiceGrant)
    return server
