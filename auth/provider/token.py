"""The token endpoint (RFC 6749 §3.2): authorization_code with the PKCE verifier checked (RFC 7636 §4.6),
refresh_token with rotation and reuse detection, client_credentials for confidential service clients.
Errors are RFC 6749 §5.2 JSON."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from auth.clients import Client
from auth.errors import OAuthError
from auth.principal import Principal, Role
from auth.provider.provider import Provider
from auth.provider.responses import oauth_error, token_json
from auth.provider.tokens import mint_access_token, mint_id_token
from auth.sessions import RefreshFamily, public_sid

__all__ = ["token_endpoint"]

_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


async def token_endpoint(provider: Provider, request: Request) -> Response:
    try:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client = _authenticate_client(provider, request, form)
        grant = form.get("grant_type")
        if grant not in client.grant_types:
            raise OAuthError("unauthorized_client", "this client may not use this grant type")
        if grant == "authorization_code":
            return token_json(await _authorization_code(provider, client, form))
        if grant == "refresh_token":
            return token_json(await _refresh(provider, client, form))
        if grant == "client_credentials":
            return token_json(await _client_credentials(provider, client, form))
        raise OAuthError("unsupported_grant_type", "unsupported grant_type")
    except OAuthError as error:
        return oauth_error(error)


def s256(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), unpadded."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _authenticate_client(provider: Provider, request: Request, form: dict[str, str]) -> Client:
    """client_secret_basic, client_secret_post, or ``none`` for public clients (RFC 6749 §2.3)."""
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed client authentication", 401) from None
        basic_id, _, basic_secret = raw.partition(":")
        client_id, secret = unquote(basic_id), unquote(basic_secret)
    client = provider.clients.get(client_id)
    if client is None:
        raise OAuthError("invalid_client", "client authentication failed", 401)
    if client.public:
        if secret:
            raise OAuthError("invalid_client", "client authentication failed", 401)
    elif not client.check_secret(secret):
        raise OAuthError("invalid_client", "client authentication failed", 401)
    return client


async def _user_principal(provider: Provider, username: str, scope: str, client: Client) -> Principal:
    user = await provider.users.get_user(username)
    if user is None or user.disabled:
        raise OAuthError("invalid_grant", "the user is no longer allowed to sign in")
    api_scopes = [s for s in scope.split() if s not in ("openid", "profile", "offline_access")]
    return user.principal(scopes=api_scopes, client_id=client.client_id)


async def _tokens(
    provider: Provider,
    client: Client,
    principal: Principal,
    scope: str,
    *,
    nonce: str | None,
    auth_time: int | None,
    refresh: str | None,
    sid: str | None = None,
) -> dict[str, Any]:
    ring = await provider.keys.ring()
    o = provider.options
    body: dict[str, Any] = {
        "access_token": mint_access_token(
            ring, principal, issuer=o.issuer, audience=o.audience, lifetime_s=o.access_ttl_s, sid=sid
        ),
        "token_type": "Bearer",
        "expires_in": o.access_ttl_s,
        "scope": scope,
    }
    if "openid" in scope.split():
        body["id_token"] = mint_id_token(
            ring,
            principal,
            issuer=o.issuer,
            client_id=client.client_id,
            lifetime_s=o.id_ttl_s,
            nonce=nonce,
            auth_time=auth_time,
            sid=sid,
        )
    if refresh is not None:
        body["refresh_token"] = refresh
    return body


async def _authorization_code(provider: Provider, client: Client, form: dict[str, str]) -> dict[str, Any]:
    code, verifier = form.get("code"), form.get("code_verifier")
    if not code:
        raise OAuthError("invalid_request", "code is required")
    grant = await provider.sessions.take_code(code)  # single use: taken even when the checks below fail
    if grant is None or grant.client_id != client.client_id:
        raise OAuthError("invalid_grant", "the authorization code is invalid, expired or already used")
    if form.get("redirect_uri") != grant.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    if not verifier or not _VERIFIER.match(verifier):
        raise OAuthError("invalid_grant", "a valid code_verifier is required (PKCE)")
    if not secrets.compare_digest(s256(verifier), grant.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code challenge")
    principal = await _user_principal(provider, grant.username, grant.scope, client)
    refresh = None
    if "refresh_token" in client.grant_types:
        _, refresh = await provider.sessions.start_family(
            client.client_id, grant.username, grant.scope, grant.sid, grant.auth_time
        )
    return await _tokens(
        provider,
        client,
        principal,
        grant.scope,
        nonce=grant.nonce,
        auth_time=grant.auth_time,
        refresh=refresh,
        sid=public_sid(grant.sid),
    )


async def _refresh(provider: Provider, client: Client, form: dict[str, str]) -> dict[str, Any]:
    token = form.get("refresh_token")
    if not token:
        raise OAuthError("invalid_request", "refresh_token is required")
    rotated = await provider.sessions.rotate(token)
    if rotated is None:
        raise OAuthError("invalid_grant", "the refresh token is invalid, expired, revoked or already used")
    family, new_token = rotated
    if family.client_id != client.client_id:
        await provider.sessions.revoke_family(family.fid)
        raise OAuthError("invalid_grant", "the refresh token was not issued to this client")
    scope = _narrowed(family, form.get("scope"))
    principal = await _user_principal(provider, family.username, scope, client)
    return await _tokens(
        provider,
        client,
        principal,
        scope,
        nonce=None,
        auth_time=family.auth_time,
        refresh=new_token,
        sid=public_sid(family.sid),
    )


def _narrowed(family: RefreshFamily, requested: str | None) -> str:
    """RFC 6749 §6: a refresh may ask for fewer scopes, never more."""
    if not requested:
        return family.scope
    granted = family.scope.split()
    asked = requested.split()
    if any(s not in granted for s in asked):
        raise OAuthError("invalid_scope", "a refresh cannot widen the granted scope")
    return " ".join(asked)


async def _client_credentials(provider: Provider, client: Client, form: dict[str, str]) -> dict[str, Any]:
    requested = (form.get("scope") or " ".join(client.scopes)).split()
    scope = client.allowed_scopes(requested)
    if set(requested) - set(scope):
        raise OAuthError("invalid_scope", "a requested scope is not allowed for this client")
    principal = Principal(
        subject=client.client_id,
        roles=frozenset({Role.SERVICE}),
        scopes=frozenset(scope),
        name=client.name,
        client_id=client.client_id,
    )
    return await _tokens(provider, client, principal, " ".join(scope), nonce=None, auth_time=None, refresh=None)
