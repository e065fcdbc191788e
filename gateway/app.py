"""The gateway's Starlette application: ``/graphql`` (:mod:`gateway.http`) and ``/health``.

:func:`create_app` wires a :class:`~gateway.pipeline.Pipeline` for one supergraph. Planner, executor, printer and
fetcher are arguments (tests inject fakes); left out, the real ones are used: ``gateway.planner``,
``gateway.executor`` and an ``HttpFetcher`` over the supergraph's subgraph URLs (with ``options.subgraph_urls``
overriding some), created when the app starts — its aiohttp session needs the running loop — and closed when it
stops.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Mapping

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.caches import DocumentCache, PlanCache, PlanStore
from gateway.executor import execute_plan
from gateway.executor.fetcher import Fetcher
from gateway.executor.http_fetcher import HttpFetcher
from gateway.http import GraphQLEndpoint
from gateway.pipeline import Pipeline, PlanBuilder, PlanExecutor, PlanPrinter, SupergraphView
from gateway.planner import build_query_plan
from gateway.planner.printer import print_plan
from gateway.settings import DEFAULT_OPTIONS, GatewayOptions

__all__ = ["FetcherFactory", "create_app", "subgraph_urls"]

log = logging.getLogger("minyi.gateway")

FetcherFactory = Callable[[Mapping[str, str], float], Fetcher]


def subgraph_urls(supergraph: SupergraphView, options: GatewayOptions) -> dict[str, str]:
    """The supergraph's subgraph URLs with ``options.subgraph_urls`` applied (unknown names are an error)."""
    urls = dict(supergraph.subgraph_urls)
    for name, url in options.subgraph_urls:
        if name not in urls:
            known = ", ".join(sorted(urls)) or "none"
            raise ValueError(f"the supergraph has no subgraph named {name!r} (it has: {known})")
        urls[name] = url
    return urls


def _http_fetcher(urls: Mapping[str, str], timeout_s: float) -> Fetcher:
    return HttpFetcher(urls, timeout_s=timeout_s)


async def _close(fetcher: Fetcher) -> None:
    close = getattr(fetcher, "close", None)
    if close is None:
        return
    result = close()
    if inspect.isawaitable(result):
        await result


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
) -> Starlette:
    """The gateway app for ``supergraph``. A given ``fetcher`` is used as is (and not closed); otherwise one is
    made by ``make_fetcher`` (default: ``HttpFetcher``) at start-up and closed at shutdown."""
    urls = subgraph_urls(supergraph, options)
    resolved_planner: PlanBuilder = planner if planner is not None else build_query_plan
    resolved_executor: PlanExecutor = executor if executor is not None else execute_plan
    resolved_printer: PlanPrinter = printer if printer is not None else print_plan
    endpoint = GraphQLEndpoint(max_body_bytes=options.max_body_bytes, dev=options.dev)

    def build_pipeline(with_fetcher: Fetcher) -> Pipeline:
        return Pipeline(
            supergraph,
            planner=resolved_planner,
            executor=resolved_executor,
            fetcher=with_fetcher,
            printer=resolved_printer,
            limits=options.limits,
            documents=DocumentCache(options.document_cache_size),
            plans=PlanCache(options.plan_cache_size, plan_store),
            dev=options.dev,
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = fetcher is None
        used = fetcher if fetcher is not None else (make_fetcher or _http_fetcher)(urls, options.subgraph_timeout_s)
        endpoint.pipeline = build_pipeline(used)
        app.state.pipeline = endpoint.pipeline
        try:
            yield
        finally:
            endpoint.pipeline = None
            if owned:
                await _close(used)

    health_body = orjson.dumps({"status": "ok", "schema": supergraph.schema_hash})

    async def health(request: Request) -> Response:
        return Response(health_body, media_type="application/json")

    return Starlette(
        routes=[Route("/graphql", endpoint, methods=None), Route("/health", health, methods=["GET", "HEAD"])],
        lifespan=lifespan,
    )
