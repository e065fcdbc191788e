"""The provider's Starlette routes: everything under ``/oauth`` plus discovery at the root.

``create_oauth_routes(provider)`` gives the routes the gateway mounts at ``/oauth``;
``well_known_routes(provider)`` gives ``/.well-known/openid-configuration`` for the app's root;
``create_provider_app(provider)`` is a standalone ASGI app with both (tests, an external-issuer instance).
Redis failures become a 503 ``temporarily_unavailable`` here, at the boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeout
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from auth.provider.authorize import authorize_get, authorize_post
from auth.provider.grants import token_server
from auth.provider.logout import EndSession, logout
from auth.provider.metadata import discovery_endpoint, jwks_endpoint
from auth.provider.provider import Provider
from auth.provider.token_state import token_state_server
from auth.provider.userinfo import ProviderUserInfo

__all__ = ["create_oauth_routes", "create_provider_app", "well_known_routes"]

log = logging.getLogger("minyi.auth")
Handler = Callable[[Provider, Request], Awaitable[Response]]


def _bind(provider: Provider, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(provider, request)
        except RedisError as error:
            log.error("auth store unavailable: %s", type(error).__name__)
            if isinstance(error, RedisTimeout):
                description = "the login service is unavailable: its store did not answer in time"
            else:
                description = "the login service is unavailable: its store cannot be reached"
            return JSONResponse(
                {"error": "temporarily_unavailable", "error_description": description},
                status_code=503,
                headers={"Cache-Control": "no-store", "Retry-After": "5"},
            )

    return endpoint


def create_oauth_routes(provider: Provider) -> list[BaseRoute]:
    """Routes relative to the ``/oauth`` mount point."""

    server = token_state_server(provider)
    server.register_endpoint(ProviderUserInfo(provider))
    server.register_endpoint(EndSession(provider))
    grants = token_server(provider)

    async def authorize(provider: Provider, request: Request) -> Response:
        if request.method == "POST":
            return await authorize_post(provider, grants, request)
        return await authorize_get(provider, grants, request)

    async def token(provider: Provider, request: Request) -> Response:
        return await grants.respond_token(request, provider.options.oauth_base)

    async def revoke(provider: Provider, request: Request) -> Response:
        return await server.respond("revocation", request, provider.options.oauth_base)

    async def introspect(provider: Provider, request: Request) -> Response:
        return await server.respond("introspection", request, provider.options.oauth_base)

    async def userinfo(provider: Provider, request: Request) -> Response:
        return await server.respond("userinfo", request, provider.options.oauth_base)

    async def end_session(provider: Provider, request: Request) -> Response:
        return await logout(provider, server, request)

    return [
        Route("/authorize", _bind(provider, authorize), methods=["GET", "POST"]),
        Route("/token", _bind(provider, token), methods=["POST"]),
        Route("/revoke", _bind(provider, revoke), methods=["POST"]),
        Route("/introspect", _bind(provider, introspect), methods=["POST"]),
        Route("/userinfo", _bind(provider, userinfo), methods=["GET", "POST"]),
        Route("/jwks", _bind(provider, jwks_endpoint), methods=["GET"]),
        Route("/logout", _bind(provider, end_session), methods=["GET", "POST"]),
        Route("/.well-known/openid-configuration", _bind(provider, discovery_endpoint), methods=["GET"]),
    ]


def well_known_routes(provider: Provider) -> list[BaseRoute]:
    return [Route("/.well-known/openid-configuration", _bind(provider, discovery_endpoint), methods=["GET"])]


def create_provider_app(provider: Provider) -> Starlette:
    return Starlette(routes=[*well_known_routes(provider), Mount("/oauth", routes=create_oauth_routes(provider))])
