"""Discovery (OIDC Discovery 1.0 §3 with the RFC 8414 revocation and introspection entries, served at ``/.well-known/openid-configuration``) and the JWKS (RFC 7517)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from auth.clients import API_SCOPES, OIDC_SCOPES
from auth.provider.provider import Provider

__all__ = ["discovery_document", "discovery_endpoint", "jwks_endpoint"]


def discovery_document(provider: Provider) -> dict[str, Any]:
    base = provider.options.oauth_base
    return {
        "issuer": provider.issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks",
        "end_session_endpoint": f"{base}/logout",
        "revocation_endpoint": f"{base}/revoke",
        "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "introspection_endpoint": f"{base}/introspect",
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [provider.options.key_alg],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": [*OIDC_SCOPES, *API_SCOPES],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "roles",
            "unit",
            "jurisdiction",
        ],
        "authorization_response_iss_parameter_supported": True,
    }


async def discovery_endpoint(provider: Provider, request: Request) -> Response:
    return JSONResponse(discovery_document(provider), headers={"Cache-Control": "public, max-age=300"})


async def jwks_endpoint(provider: Provider, request: Request) -> Response:
    ring = await provider.keys.ring()
    # Short max-age: a rotation publishes the next key and verifiers also refetch on an unknown kid.
    return JSONResponse(ring.public_jwks(), headers={"Cache-Control": "public, max-age=60"})
