"""Minting the provider's JWTs: access tokens (RFC 9068 profile, claims of auth/principal.py) and ID tokens."""

from __future__ import annotations

import secrets
import time
from typing import Any

from auth.keys import KeyRing
from auth.principal import Principal

__all__ = ["mint_access_token", "mint_id_token"]


def mint_access_token(
    ring: KeyRing,
    principal: Principal,
    *,
    issuer: str,
    audience: str,
    lifetime_s: int,
    sid: str | None = None,
    now: int | None = None,
) -> str:
    """A signed access token for ``principal``: ``iss sub aud exp iat nbf jti`` + scope/roles/unit/jurisdiction/
    name/client_id (auth.principal), and ``sid`` — the login session it came from, so the gateway can refuse it
    once that session is logged out. ``typ`` is ``at+jwt`` (RFC 9068 §2.1)."""
    at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": principal.subject,
        "aud": audience,
        "iat": at,
        "nbf": at,
        "exp": at + lifetime_s,
        "jti": secrets.token_urlsafe(16),
        **principal.to_claims(),
    }
    claims.setdefault("scope", "")
    if sid:
        claims["sid"] = sid
    return ring.sign(claims, typ="at+jwt")


def mint_id_token(
    ring: KeyRing,
    principal: Principal,
    *,
    issuer: str,
    client_id: str,
    lifetime_s: int,
    nonce: str | None,
    auth_time: int | None,
    sid: str | None = None,
    now: int | None = None,
) -> str:
    """An OpenID Connect ID token (OIDC Core §2): ``aud`` = the client, ``nonce`` echoed, ``auth_time``."""
    at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": principal.subject,
        "aud": client_id,
        "azp": client_id,
        "iat": at,
        "exp": at + lifetime_s,
        **{k: v for k, v in principal.to_claims().items() if k not in ("scope", "client_id")},
    }
    if nonce:
        claims["nonce"] = nonce
    if auth_time is not None:
        claims["auth_time"] = auth_time
    if sid:
        claims["sid"] = sid
    return ring.sign(claims, typ="JWT")
