"""Serving a system subgraph: a Starlette app with POST/GET ``/graphql``, ``/health`` and ``/metrics``.

``/health`` names the circuit breaker of each legacy system this process calls (state and counts); its ``status``
is ``degraded`` while one of them is not closed, and the answer is 200 either way: the subgraph still serves (the
other systems' data, and errors naming the system that is away). A JSON POST to ``/graphql``, what the gateway
sends, is read from the ASGI messages without Starlette's and Strawberry's per-request objects (:mod:`.json_post`);
every other request goes through Strawberry's view."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from auth.broker import set_acting_user
from auth.internal import InternalTokenVerifier
from auth.principal import ANONYMOUS, PRINCIPAL_SCOPE_KEY, Principal
from resilience import CircuitState
from resolvers.adapters.circuits import legacy_breakers
from resolvers.adapters.http import close_shared_session
from resolvers.appeals.warning import WarningLimits
from resolvers.audit import AuditLog, MemoryAuditLog, RedisAuditLog
from resolvers.calendar import calendar_for, schedule_gaps
from resolvers.dedupe.index import DedupeIndex, MemoryIndex, RedisIndex
from resolvers.persons import MemoryDirectory, PersonDirectory, RedisDirectory, connect_redis
from resolvers.units import MemoryUnits, RedisUnits, UnitDirectory
from subgraphs.common.context import SubgraphContext, beijing_now
from subgraphs.common.heap import settle_heap
from subgraphs.common.http_protocol import HeadWithBodyProtocol
from subgraphs.common.internal_auth import InternalTokenGuard
from subgraphs.common.json_post import answer, hot_operation, is_json_post, read_body, replaying
from subgraphs.common.metrics import metrics_endpoint
from subgraphs.common.schema import SubgraphSchema
from subgraphs.common.trace_context import TraceContextMiddleware
from subgraphs.settings import SubgraphSettings

__all__ = [
    "PRINCIPAL_SCOPE_KEY",
    "SubgraphApp",
    "SubgraphStarlette",
    "build_subgraph_app",
    "create_subgraph_app",
    "serve",
]


log = logging.getLogger("minyi.subgraph")

ContextFactory = Callable[[], SubgraphContext]

_POST_OPERATIONS = OperationType.from_http("POST")


class SubgraphApp(GraphQL[SubgraphContext, None]):
    def __init__(self, schema: Any, context_factory: ContextFactory, fallback: Principal = ANONYMOUS) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self._context_factory = context_factory
        self._fallback = fallback

    def encode_json(self, data: object) -> bytes:
        """The answer as orjson writes it (UTF-8, no escapes); what orjson refuses, as Strawberry would write it."""
        try:
            return orjson.dumps(data)
        except TypeError:
            encoded = super().encode_json(data)
            return encoded.encode() if isinstance(encoded, str) else encoded

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # orjson.JSONDecodeError is a json.JSONDecodeError: a 400 as before

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> SubgraphContext:
        return self._context(request.scope, request.headers.get("idempotency-key"))

    def _context(self, scope: Scope, idempotency_key: str | None) -> SubgraphContext:
        context = self._context_factory()
        found = scope.get(PRINCIPAL_SCOPE_KEY)
        # the fallback (anonymous, or the dev principal of SubgraphSettings) stands in for nobody-logged-in
        context.principal = found if isinstance(found, Principal) and found.authenticated else self._fallback
        set_acting_user(context.principal.subject)  # the legacy calls of this request are made for this user
        context.idempotency_key = idempotency_key
        return context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A JSON POST is served from the ASGI messages (:mod:`.json_post`); anything else by Strawberry's view."""
        if not is_json_post(scope):
            await super().__call__(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return  # the client went away before its request arrived whole: nobody to answer
        post = hot_operation(body, scope)
        if post is None:
            await super().__call__(scope, replaying(body, receive), send)
            return
        context = self._context(scope, post.idempotency_key)
        schema = self.schema
        try:
            result = None
            if isinstance(schema, SubgraphSchema):  # a document it has seen: without the extension machinery
                result = await schema.execute_known(
                    post.query, post.variables, context, post.operation_name, post.extensions, _POST_OPERATIONS
                )
            if result is None:
                result = await schema.execute(
                    post.query,
                    variable_values=post.variables,
                    context_value=context,
                    operation_name=post.operation_name,
                    allowed_operation_types=_POST_OPERATIONS,
                    operation_extensions=post.extensions,
                )
        except CannotGetOperationTypeError as refusal:
            await answer(send, 400, refusal.as_http_error_reason().encode(), text=True)
            return
        except InvalidOperationTypeError as refusal:
            await answer(send, 400, refusal.as_http_error_reason("POST").encode(), text=True)
            return
        await answer(send, 200, self.encode_json(process_result(result)))


class SubgraphStarlette(Starlette):
    """A subgraph's Starlette app, with a POST to ``/graphql`` (every call the gateway makes) served straight from
    the server: that endpoint already answers every request itself, errors included, so the per-request layers
    Starlette puts in front of a route (its error and exception middleware, the router's match over every route) are
    skipped for it. GET and every other path, and the lifespan, go through Starlette as usual; the route is still in
    ``routes``."""

    def __init__(self, *, graphql: ASGIApp, routes: Sequence[BaseRoute], lifespan: Any) -> None:
        super().__init__(routes=routes, lifespan=lifespan)
        self._graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and scope["method"] == "POST"
            and not scope.get("root_path")
        ):
            scope["app"] = self
            await self._graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_subgraph_app(
    name: str,
    schema: Any,
    context_factory: ContextFactory,
    *,
    on_startup: Callable[[], None] | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
    fallback_principal: Principal = ANONYMOUS,
    verifier: InternalTokenVerifier | None = None,
) -> Starlette:
    """``fallback_principal`` is who a request without a principal in its scope is taken to be (anonymous).
    ``on_startup`` runs in a worker thread once the app starts (start-up checks that log, off the serving path).
    With a ``verifier``, ``/graphql`` answers only calls with a valid internal token (:mod:`.internal_auth`)."""
    graphql_app: Any = SubgraphApp(schema, context_factory, fallback_principal)
    if verifier is not None:  # only the gateway may call: an internal token on every request
        graphql_app = InternalTokenGuard(graphql_app, verifier)
    graphql_app = TraceContextMiddleware(graphql_app)  # the gateway's trace goes on to the legacy calls

    async def health(request: Request) -> JSONResponse:
        legacy = [{"system": system, "url": url, **b.stats().as_json()} for system, url, b in legacy_breakers()]
        degraded = any(entry["state"] != CircuitState.CLOSED for entry in legacy)
        return JSONResponse({"status": "degraded" if degraded else "ok", "subgraph": name, "legacy": legacy})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        checks = None if on_startup is None else asyncio.get_running_loop().run_in_executor(None, on_startup)
        yield
        if checks is not None:
            await checks
        if on_shutdown is not None:
            await on_shutdown()
        await close_shared_session()

    return SubgraphStarlette(
        graphql=graphql_app,
        routes=[
            Route("/health", health),
            Route("/metrics", metrics_endpoint(), methods=["GET"]),
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )


def serve(app: Starlette, host: str, port: int) -> None:
    log.info("subgraph on http://%s:%d/graphql", host, port)
    settle_heap()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        http=HeadWithBodyProtocol,  # httptools, each answer's head and body in one write
    )


def build_subgraph_app(
    name: str,
    schema: Any,
    client: Any,
    settings: SubgraphSettings,
    *,
    dispatch: tuple[Any, Any] | None = None,
    clock: Callable[[], datetime] | None = None,
    warning_limits: WarningLimits | None = None,
    dedupe_index: bool = False,
) -> Starlette:
    """Wire a system subgraph: one adapter client per process, the person directory, a context per request;
    ``dispatch`` is the write path's service and its Redis client (closed at shutdown), when the subgraph writes;
    ``clock`` (naive Beijing time) and ``warning_limits`` serve the three-colour warnings; ``dedupe_index`` gives
    the requests the duplicate-detection index (in Redis when there is one)."""
    redis = connect_redis(settings.redis_url) if settings.redis_url else None
    directory: PersonDirectory = RedisDirectory(redis) if redis is not None else MemoryDirectory()
    audit: AuditLog = RedisAuditLog(redis) if redis is not None else MemoryAuditLog()
    units: UnitDirectory = RedisUnits(redis) if redis is not None else MemoryUnits()
    secret = settings.person_key_secret.encode()
    calendar = calendar_for(settings.holiday_folders())
    limits = warning_limits or WarningLimits()  # read only: one for every request
    index: DedupeIndex | None = None
    if dedupe_index:
        index = RedisIndex(redis) if redis is not None else MemoryIndex()

    def warn_about_the_calendar() -> None:
        gap = schedule_gaps(calendar, date.today())
        if gap is not None:
            log.warning("%s subgraph: %s", name, gap.message)

    def context_factory() -> SubgraphContext:
        return SubgraphContext(
            client=client,
            directory=directory,
            person_secret=secret,
            audit=audit,
            units=units,
            calendar=calendar,
            dispatch=None if dispatch is None else dispatch[0],
            clock=clock or beijing_now,
            warning_limits=limits,
            index=index,
        )

    async def shutdown() -> None:
        if redis is not None:
            await redis.aclose()
        if dispatch is not None:
            await dispatch[1].aclose()

    return create_subgraph_app(
        name,
        schema,
        context_factory,
        on_startup=warn_about_the_calendar,
        on_shutdown=shutdown,
        fallback_principal=settings.dev_principal(),
        verifier=_verifier(name, settings),
    )


def _verifier(name: str, settings: SubgraphSettings) -> InternalTokenVerifier | None:
    if not settings.require_internal_token:
        return None
    return InternalTokenVerifier(name, issuer=settings.internal_issuer, jwks_url=settings.internal_jwks_url)
