"""The embedded OIDC provider: discovery, authorization code + PKCE with a login page, token endpoint (code,
refresh with rotation, client credentials) on authlib's grants, revocation and introspection on authlib's
endpoints (auth/provider/server.py wraps authlib for Starlette), userinfo on authlib's UserInfoEndpoint, logout on
its RP-Initiated Logout EndSessionEndpoint, JWKS with key rotation. JWTs are minted with joserfc. Mounted by the
gateway at ``/oauth`` (:func:`create_oauth_routes`) with discovery at the root (:func:`well_known_routes`)."""

from auth.provider.provider import Provider
from auth.provider.routes import create_oauth_routes, create_provider_app, well_known_routes
from auth.provider.tokens import mint_access_token, mint_id_token

__all__ = [
    "Provider",
    "create_oauth_routes",
    "create_provider_app",
    "mint_access_token",
    "mint_id_token",
    "well_known_routes",
]
