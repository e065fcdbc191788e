"""The gateway's Starlette application: ``/graphql`` (:mod:`gateway.http`; GraphiQL for browsers when
``options.graphiql``, :mod:`gateway.graphiql`), ``/health``, and with the embedded OIDC provider ``/oauth`` and the
agents' workbench under ``/portal`` (:mod:`gateway.portal`).

:func:`create_app` wires a :class:`~gateway.pipeline.Pipeline` for one supergraph. Planner, executor, printer and
fetcher are arguments (tests inject fakes); left out, the real ones are used: ``gateway.planner``,
``gateway.executor`` and an ``HttpFetcher`` over the supergraph's subgraph URLs (with ``options.subgraph_urls``
overriding some), created when the app starts — its aiohttp session needs the running loop — and closed when it
stops.

The supergraph can change while the app runs: ``app.state.gateway`` is a :class:`~gateway.live.LiveGateway` whose
``swap(supergraph)`` builds a new pipeline (and fetcher) for new requests while running ones finish on the old.
``watch``, when given, is entered for the app's lifetime with that gateway — :mod:`gateway.reload` uses it to poll
the subgraphs and recompose. ``/health`` answers :meth:`LiveGateway.health`, plus ``circuits`` (each subgraph's circuit breaker, state and
counts; ``status`` is ``degraded`` while one is not closed), ``process`` (the pid of the worker process that
answered, one of ``minyi gateway --workers``) and ``warnings``: conditions that
do not stop serving but need an operator, such as a year in use with no holiday schedule (working days there are
counted Monday to Friday; the same warning is logged at start-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date
from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.internal import InternalTokenMinter
from auth.proxies import TrustedProxies
from gateway.auth_middleware import BearerAuthentication, BearerVerifier
from gateway.caches import DocumentCache, PlanCache, PlanStore
from gateway.circuits import SubgraphCircuits
from gateway.document_stores import DocumentStore, RedisApqStore, RedisTrustedDocuments
from gateway.executor import execute_plan
from gateway.executor.fetcher import Fetcher
from gateway.executor.http_fetcher import HttpFetcher
from gateway.executor.native import native_status
from gateway.graphiql import GraphiQL
from gateway.http import GraphQLEndpoint
from gateway.instrumented_fetcher import InstrumentedFetcher
from gateway.introspection import IntrospectionAccess
from gateway.live import LiveGateway
from gateway.metrics import GatewayMetrics, metrics_endpoint
from gateway.persisted_queries import PersistedQueries
from gateway.pipeline import Pipeline, PlanBuilder, PlanExecutor, PlanPrinter, SupergraphView
from gateway.plan_store import RedisPlanStore
from gateway.planner import build_query_plan
from gateway.planner.printer import print_plan
from gateway.portal import portal_routes
from gateway.rate_limits import Buckets, MemoryBuckets, RateLimiter, RedisBuckets
from gateway.settings import DEFAULT_OPTIONS, GatewayOptions
from gateway.subgraph_auth import jwks_endpoint
from workdays import load_calendar, schedule_gaps

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer
    from redis.asyncio import Redis

    from auth.provider import Provider

__all__ = ["FetcherFactory", "GatewayApp", "Watcher", "create_app", "subgraph_urls"]

log = logging.getLogger("minyi.gateway")

# (subgraph URLs, timeout in seconds: one for all or one per subgraph) -> a fetcher
FetcherFactory = Callable[[Mapping[str, str], float | Mapping[str, float]], Fetcher]
Watcher = Callable[[LiveGateway], AbstractAsyncContextManager[Any]]


def subgraph_urls(supergraph: SupergraphView, options: GatewayOptions) -> dict[str, str]:
    """The supergraph's subgraph URLs with ``options.subgraph_urls`` applied (unknown names are an error)."""
    urls = dict(supergraph.subgraph_urls)
    for name, url in options.subgraph_urls:
        if name not in urls:
            known = ", ".join(sorted(urls)) or "none"
            raise ValueError(f"the supergraph has no subgraph named {name!r} (it has: {known})")
        urls[name] = url
    return urls


def _http_fetchers(options: GatewayOptions, circuits: SubgraphCircuits) -> FetcherFactory:
    def make(urls: Mapping[str, str], timeout_s: float | Mapping[str, float]) -> Fetcher:
        return HttpFetcher(
            urls,
            timeout_s=timeout_s,
            merge_inflight=options.merge_inflight,
            keep_headers=options.header_rules.wants_response_headers,
            max_response_bytes=options.max_subgraph_response_bytes,
            breakers=circuits,
            retry=options.subgraph_retry,
        )

    return make


class GatewayApp(Starlette):
    """The gateway's Starlette app, with ``/graphql`` served straight from the server: its endpoint is already a
    plain ASGI callable that answers every request itself, errors included, so the per-request layers that Starlette
    puts in front of a route (its error and exception middleware, the router's match over every route) are skipped
    for it; every other path, and the lifespan, go through Starlette as usual. The route is still in ``routes``."""

    def __init__(self, *, graphql: ASGIApp, routes: Sequence[BaseRoute], lifespan: Any) -> None:
        super().__init__(routes=routes, lifespan=lifespan)
        self._graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql" and not scope.get("root_path"):
            scope["app"] = self
            await self._graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    supergraph: SupergraphView,
    options: GatewayOptions = DEFAULT_OPTIONS,
    *,
    planner: PlanBuilder | None = None,
    executor: PlanExecutor | None = None,
    printer: PlanPrinter | None = None,
    fetcher: Fetcher | None = None,
    make_fetcher: FetcherFactory | None = None,
    plan_store: PlanStore | None = None,
    redis: Redis | None = None,
    watch: Watcher | None = None,
    minter: InternalTokenMinter | None = None,
    verifier: BearerVerifier | None = None,
    provider: Provider | None = None,
    on_close: Sequence[Callable[[], Awaitable[object]]] = (),
    metrics: GatewayMetrics | None = None,
    tracer: Tracer | None = None,
    today: Callable[[], date] = date.today,
) -> Starlette:
    """The gateway app for ``supergraph``. A given ``fetcher`` is used as is (and not closed); otherwise one is
    made by ``make_fetcher`` (default: ``HttpFetcher``) for each supergraph served and closed when it is done.

    Every subgraph request carries an internal token minted by ``minter`` (default: one with a fresh key of this
    process; pass one from :meth:`InternalTokenMinter.from_store` to share the key between replicas); its public
    key is served at ``/internal/jwks``.

    ``verifier`` checks ``Authorization: Bearer`` tokens on ``/graphql`` (:mod:`gateway.auth_middleware`); left out,
    every request is anonymous. A verifier with ``warm``/``close`` is warmed at start-up and closed at shutdown.

    ``provider``, when given, is the embedded OIDC provider: its routes are mounted at ``/oauth`` with discovery at
    ``/.well-known/openid-configuration``, and — unless ``verifier`` is given — its tokens are the ones verified
    (:meth:`~auth.provider.Provider.verifier`: key ring, issuer, audience, login session still open).
    ``on_close`` callables run at shutdown (e.g. closing the provider's Redis client).

    ``metrics`` are served at ``/metrics`` (a fresh :class:`~gateway.metrics.GatewayMetrics` when left out);
    ``tracer``, when given, traces every request (:mod:`gateway.tracing`). ``today`` dates the holiday schedule
    check of ``/health`` (the calendar of ``options.holiday_dirs``).

    ``redis``, when given, holds the tiers shared by replicas, each behind its in-process tier: the plan cache's
    second tier (:mod:`gateway.plan_store`, unless ``plan_store`` is given), automatic persisted queries and the
    trusted documents (:mod:`gateway.document_stores`), and the rate limits' buckets (:mod:`gateway.rate_limits`;
    in process without it). ``options.trusted_documents`` needs it."""
    subgraph_urls(supergraph, options)  # unknown overrides are refused now, not at start-up
    named_in_rules = (set(options.header_rules.request) | set(options.header_rules.response)) - {"*"}
    if named_in_rules - set(supergraph.subgraph_urls):
        unknown = ", ".join(sorted(named_in_rules - set(supergraph.subgraph_urls)))
        raise ValueError(f"the header rules name subgraphs the supergraph does not have: {unknown}")
    if provider is not None and verifier is None:
        verifier = provider.verifier()
    resolved_planner: PlanBuilder = planner if planner is not None else build_query_plan
    resolved_executor: PlanExecutor = executor if executor is not None else execute_plan
    resolved_printer: PlanPrinter = printer if printer is not None else print_plan
    internal = minter if minter is not None else InternalTokenMinter.generate()
    metrics = metrics if metrics is not None else GatewayMetrics()
    circuits = SubgraphCircuits(options.subgraph_breaker, metrics=metrics)
    fetcher_factory = make_fetcher or _http_fetchers(options, circuits)
    buckets: Buckets = RedisBuckets(redis) if redis is not None else MemoryBuckets()
    limiter = RateLimiter(
        buckets,
        per_user=options.rate_limit_user,
        per_client=options.rate_limit_client,
        per_ip=options.rate_limit_ip,
    )
    endpoint = GraphQLEndpoint(
        max_body_bytes=options.max_body_bytes,
        dev=options.dev,
        metrics=metrics,
        tracer=tracer,
        rate_limiter=limiter,
        proxies=TrustedProxies(options.trusted_proxies),
        collect_headers=options.header_rules.wants_client_headers,
    )
    if options.trusted_documents and redis is None:
        raise ValueError("trusted documents need Redis (MINYI_GATEWAY_REDIS_URL): that is where they are registered")
    if plan_store is None and redis is not None:
        plan_store = RedisPlanStore(redis, ttl_s=options.plan_cache_ttl_s)
    apq_store: DocumentStore | None = None
    if redis is not None:
        apq_store = RedisApqStore(redis, ttl_s=options.apq_ttl_s)
    persisted = PersistedQueries(
        apq=apq_store,
        apq_enabled=options.apq,
        trusted=RedisTrustedDocuments(redis) if options.trusted_documents and redis is not None else None,
        lru_size=options.document_cache_size,
        metrics=metrics,
    )

    def build_pipeline(served: SupergraphView, with_fetcher: Fetcher) -> Pipeline:
        return Pipeline(
            served,
            planner=resolved_planner,
            executor=resolved_executor,
            fetcher=InstrumentedFetcher(with_fetcher, metrics=metrics, tracer=tracer),
            printer=resolved_printer,
            limits=options.limits,
            documents=DocumentCache(options.document_cache_size),
            plans=PlanCache(options.plan_cache_size, plan_store),
            dev=options.dev,
            introspection=IntrospectionAccess(
                dev=options.dev, roles=options.introspection_roles, scopes=options.introspection_scopes
            ),
            subgraph_headers=internal.headers_for,
            metrics=metrics,
            tracer=tracer,
            persisted=persisted,
            max_cost=options.max_cost,
            default_list_size=options.default_list_size,
            header_rules=options.header_rules,
        )

    def new_fetcher(served: SupergraphView) -> Fetcher:
        urls = subgraph_urls(served, options)
        own = dict(options.subgraph_timeouts)
        return fetcher_factory(urls, {name: own.get(name, options.subgraph_timeout_s) for name in urls})

    live = LiveGateway(
        supergraph,
        build_pipeline=build_pipeline,
        make_fetcher=None if fetcher is not None else new_fetcher,
        fetcher=fetcher,
    )

    calendar = load_calendar(*options.holiday_dirs)

    def warnings() -> list[str]:
        gap = schedule_gaps(calendar, today())
        return [] if gap is None else [gap.message]

    def log_warnings() -> None:
        for warning in warnings():
            log.warning("%s", warning)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # start-up checks that only log run beside the start, in a worker thread
        checks = asyncio.get_running_loop().run_in_executor(None, log_warnings)
        await live.start()
        if verifier is not None and hasattr(verifier, "warm") and not await verifier.warm():
            log.warning("the token issuer's keys could not be loaded yet; they will be fetched on the first token")
        endpoint.pipeline = live
        app.state.pipeline = live.pipeline  # the current one, kept up to date by swaps
        live.on_swap = lambda pipeline: setattr(app.state, "pipeline", pipeline)
        try:
            async with watch(live) if watch is not None else contextlib.nullcontext():
                yield
        finally:
            endpoint.pipeline = None
            await live.close()
            if verifier is not None and hasattr(verifier, "close"):
                await verifier.close()
            for close in on_close:
                await close()
            await checks

    executor_mode = native_status().mode  # "pure Python" or "compiled (mypyc)": bash scripts/native.sh

    async def health(request: Request) -> Response:
        if getattr(request.app.state, "draining", False):  # shutting down: the load balancer should stop sending
            return Response(
                orjson.dumps({"status": "draining", "process": os.getpid()}), 503, media_type="application/json"
            )
        body = {
            **live.health(),
            "circuits": circuits.health(),
            "warnings": warnings(),
            "process": os.getpid(),
            "executor": executor_mode,
        }
        if circuits.any_open() and body["status"] == "ok":
            body["status"] = "degraded"
        return Response(orjson.dumps(body), media_type="application/json")

    graphql: ASGIApp = endpoint if verifier is None else BearerAuthentication(endpoint, verifier)
    served: ASGIApp = GraphiQL(graphql) if options.graphiql else graphql
    routes: list[BaseRoute] = [
        Route("/graphql", served, methods=None),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_endpoint(metrics), methods=["GET"]),
        Route("/internal/jwks", jwks_endpoint(internal), methods=["GET"]),
    ]
    if provider is not None:
        from auth.provider import create_oauth_routes, well_known_routes

        routes += [*well_known_routes(provider), Mount("/oauth", routes=create_oauth_routes(provider))]
        routes += portal_routes()  # the workbench logs in through the embedded provider
    app = GatewayApp(graphql=served, routes=routes, lifespan=lifespan)
    app.state.gateway = live
    app.state.minter = internal
    app.state.metrics = metrics
    app.state.plan_store = plan_store
    app.state.persisted = persisted
    app.state.rate_limiter = limiter
    app.state.circuits = circuits
    app.state.draining = False  # set on SIGTERM when the server drains first: /health answers 503
    app.state.provider = provider
    return app
