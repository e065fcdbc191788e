"""Serving a system subgraph: a Starlette app with POST/GET ``/graphql`` and ``/health``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from resolvers.adapters.http import close_shared_session
from resolvers.persons import MemoryDirectory, PersonDirectory, RedisDirectory, connect_redis
from subgraphs.common.context import SubgraphContext
from subgraphs.settings import SubgraphSettings

__all__ = ["SubgraphApp", "build_subgraph_app", "create_subgraph_app", "serve"]

log = logging.getLogger("minyi.subgraph")

ContextFactory = Callable[[], SubgraphContext]


class SubgraphApp(GraphQL[SubgraphContext, None]):
    def __init__(self, schema: Any, context_factory: ContextFactory) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self._context_factory = context_factory

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> SubgraphContext:
        return self._context_factory()


def create_subgraph_app(
    name: str,
    schema: Any,
    context_factory: ContextFactory,
    *,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> Starlette:
    graphql_app = SubgraphApp(schema, context_factory)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "subgraph": name})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            await on_shutdown()
        await close_shared_session()

    return Starlette(
        routes=[Route("/health", health), Route("/graphql", graphql_app, methods=["GET", "POST"])],
        lifespan=lifespan,
    )


def serve(app: Starlette, host: str, port: int) -> None:
    log.info("subgraph on http://%s:%d/graphql", host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")


def build_subgraph_app(name: str, schema: Any, client: Any, settings: SubgraphSettings) -> Starlette:
    """Wire a system subgraph: one adapter client per process, the person directory, a context per request."""
    redis = connect_redis(settings.redis_url) if settings.redis_url else None
    directory: PersonDirectory = RedisDirectory(redis) if redis is not None else MemoryDirectory()
    secret = settings.person_key_secret.encode()

    def context_factory() -> SubgraphContext:
        return SubgraphContext(client=client, directory=directory, person_secret=secret)

    async def shutdown() -> None:
        if redis is not None:
            await redis.aclose()

    return create_subgraph_app(name, schema, context_factory, on_shutdown=shutdown)
