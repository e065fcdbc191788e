"""Run a scenario's subgraphs on loopback and a gateway over them, for the end-to-end tests.

A scenario is a folder ``scenarios/<name>/`` with one SDL file per subgraph, the composed ``supergraph.graphql``
(composed at development time and checked in) and an ``__init__.py`` whose ``RESOLVERS`` maps each subgraph name to
its resolvers. :func:`start_scenario` serves every subgraph with :func:`tests.support.servers.serve_asgi`; the
supergraph's placeholder URLs are replaced by the real loopback URLs (and the fetcher gets the same map).

The gateway comes two ways, with one interface (:class:`Gateway`), and the ``gateway`` fixture gives each test
both: :func:`open_gateway` assembles it from its staged functions — ``parse`` → ``validate`` against the API schema
→ ``build_query_plan`` → ``execute_plan`` with an ``HttpFetcher`` — and :func:`open_http_gateway` serves the real
Starlette app (``gateway.app.create_app``, dev mode for the plan header) on loopback and posts each operation to
it, so that variable coercion, the caches, authorization and the limits are on the path too. Either way every
subgraph operation of the plan is first checked against the subgraph's schema as the supergraph describes it.
"""

from __future__ import annotations

import importlib
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLSyntaxError, parse, validate

from tests.support.federation import Journal, Subgraph
from tests.support.servers import BackgroundServer, free_port, serve_asgi
from tests.support.subgraph_operations import assert_valid_subgraph_operations

SCENARIOS = Path(__file__).parent / "scenarios"
_JOIN_GRAPH = re.compile(r'@join__graph\(name: "(?P<name>[^"]+)", url: "[^"]*"\)')


@dataclass
class Scenario:
    name: str
    supergraph_template: str
    subgraphs: dict[str, Subgraph]
    servers: dict[str, BackgroundServer]
    journal: Journal
    reset_data: Callable[[], None] | None = None

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"{server.url}/graphql" for name, server in self.servers.items()}

    def supergraph_sdl(self, urls: Mapping[str, str] | None = None) -> str:
        urls = urls or self.urls
        return _JOIN_GRAPH.sub(
            lambda m: f'@join__graph(name: "{m["name"]}", url: "{urls[m["name"]]}")', self.supergraph_template
        )

    def reset(self) -> None:
        if self.reset_data is not None:
            self.reset_data()
        self.journal.clear()
        for subgraph in self.subgraphs.values():
            subgraph.reset()

    def calls(self) -> dict[str, int]:
        """Requests received per subgraph (only subgraphs that were called)."""
        return {name: len(s.requests) for name, s in self.subgraphs.items() if s.requests}

    def probe(self, *names: str, timeout: float = 10.0) -> threading.Barrier:
        """Make ``names`` wait for one another: their requests succeed only if all were in flight at once."""
        barrier = threading.Barrier(len(names))
        for name in names:
            self.subgraphs[name].probe = barrier
            self.subgraphs[name].probe_timeout = timeout
        return barrier

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_scenario(name: str) -> Scenario:
    folder = SCENARIOS / name
    module = importlib.import_module(f"tests.e2e.scenarios.{name}")
    resolvers = module.RESOLVERS
    context = getattr(module, "make_context", lambda: None)()
    journal = Journal()
    subgraphs: dict[str, Subgraph] = {}
    for path in sorted(folder.glob("*.graphql")):
        if path.stem == "supergraph":
            continue
        subgraphs[path.stem] = Subgraph(
            path.stem, path.read_text(), resolvers.get(path.stem, {}), journal=journal, context=context
        )
    servers: dict[str, BackgroundServer] = {}
    try:
        for sub_name, subgraph in subgraphs.items():
            servers[sub_name] = serve_asgi(lambda s=subgraph: s)  # type: ignore[misc]
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    supergraph = (folder / "supergraph.graphql").read_text()
    return Scenario(name, supergraph, subgraphs, servers, journal, getattr(module, "reset_data", None))


def dead_url() -> str:
    """A loopback URL nothing listens on (a subgraph that is down)."""
    return f"http://127.0.0.1:{free_port()}/graphql"


@dataclass
class Gateway:
    supergraph: Any
    fetcher: Any
    last_plan: str = ""
    plans: list[str] = field(default_factory=list)
    url: str | None = None  # the real app's /graphql, when the gateway runs over HTTP

    def plan(self, query: str, operation_name: str | None = None) -> Any:
        from gateway.planner import build_query_plan

        return build_query_plan(self.supergraph, parse(query), operation_name)

    def plan_text(self, query: str, operation_name: str | None = None) -> str:
        from gateway.planner.printer import print_plan

        return print_plan(self.plan(query, operation_name))

    async def run(
        self, query: str, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
    ) -> dict[str, Any]:
        from gateway.executor import execute_plan
        from gateway.planner import build_query_plan

        if self.url is not None:
            self._check_subgraph_operations(query, operation_name)
            return await self._post(query, variables, operation_name)
        document = parse(query)
        errors = validate(self.supergraph.api_schema, document)
        if errors:
            return {"errors": [e.formatted for e in errors]}
        plan = build_query_plan(self.supergraph, document, operation_name)
        assert_valid_subgraph_operations(self.supergraph, plan)
        self.last_plan = _printed(plan)
        self.plans.append(self.last_plan)
        result = await execute_plan(
            plan,
            supergraph=self.supergraph,
            document=document,
            operation_name=operation_name,
            variables=dict(variables or {}),
            fetcher=self.fetcher,
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [dict(e) for e in result.errors]
        # what a client would see: plain JSON
        return json.loads(json.dumps(out))  # type: ignore[no-any-return]

    def _check_subgraph_operations(self, query: str, operation_name: str | None) -> None:
        """The plan the app will make (the planner is deterministic) sends only valid subgraph operations."""
        from gateway.planner import build_query_plan

        try:
            document = parse(query)
        except GraphQLSyntaxError:
            return  # the app answers the parse error
        if not validate(self.supergraph.api_schema, document):
            assert_valid_subgraph_operations(
                self.supergraph, build_query_plan(self.supergraph, document, operation_name)
            )

    async def _post(
        self, query: str, variables: Mapping[str, Any] | None, operation_name: str | None
    ) -> dict[str, Any]:
        """The operation through the real app; the answer without the plan it carries in ``extensions``."""
        import aiohttp

        assert self.url is not None
        body = {"query": query, "variables": dict(variables or {}), "operationName": operation_name}
        headers = {"accept": "application/graphql-response+json", "x-minyi-plan": "1"}
        async with aiohttp.ClientSession() as session, session.post(self.url, json=body, headers=headers) as resp:
            answer: dict[str, Any] = await resp.json(content_type=None)
        plan = answer.pop("extensions", {}).get("queryPlan")
        if plan is not None:
            self.last_plan = plan
            self.plans.append(plan)
        if "data" not in answer:  # a request error (validation): the staged path answers only the errors
            return {"errors": answer.get("errors", [])}
        return answer


def _printed(plan: Any) -> str:
    try:
        from gateway.planner.printer import print_plan

        return print_plan(plan)
    except ImportError:
        return repr(plan)


@asynccontextmanager
async def open_gateway(scenario: Scenario, urls: Mapping[str, str] | None = None) -> AsyncIterator[Gateway]:
    from gateway.executor.http_fetcher import HttpFetcher
    from schema.supergraph import load_supergraph

    urls = dict(urls or scenario.urls)
    supergraph = load_supergraph(scenario.supergraph_sdl(urls))
    fetcher = HttpFetcher(urls)
    if hasattr(fetcher, "__aenter__"):
        async with fetcher as entered:
            yield Gateway(supergraph, entered if entered is not None else fetcher)
        return
    try:
        yield Gateway(supergraph, fetcher)
    finally:
        for closer in ("aclose", "close"):
            if hasattr(fetcher, closer):
                outcome = getattr(fetcher, closer)()
                if hasattr(outcome, "__await__"):
                    await outcome
                break


@asynccontextmanager
async def open_http_gateway(scenario: Scenario, urls: Mapping[str, str] | None = None) -> AsyncIterator[Gateway]:
    """The real gateway app over the scenario, served on loopback (dev mode: plans come back in the answer)."""
    from gateway.app import create_app
    from gateway.settings import GatewayOptions
    from schema.supergraph import load_supergraph

    supergraph = load_supergraph(scenario.supergraph_sdl(urls))
    server = serve_asgi(lambda: create_app(supergraph, GatewayOptions(dev=True)))
    try:
        yield Gateway(supergraph, None, url=f"{server.url}/graphql")
    finally:
        server.stop()


OPENERS = {"staged": open_gateway, "http": open_http_gateway}


def assert_data(result: Mapping[str, Any], expected: Any, gateway: Gateway | None = None) -> None:
    """The response's data equals ``expected``, field order included."""
    context = f"\nresponse: {json.dumps(result, ensure_ascii=False)}"
    if gateway is not None:
        context += f"\nplan:\n{gateway.last_plan}"
    assert result.get("data") == expected, context
    assert json.dumps(result.get("data")) == json.dumps(expected), "field order differs" + context


def error_paths(result: Mapping[str, Any]) -> list[list[str | int]]:
    return sorted((e.get("path") or [] for e in result.get("errors", [])), key=json.dumps)
