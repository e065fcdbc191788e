"""Fakes at the pipeline's seams (supergraph, planner, executor, printer, fetcher) and a gateway served on loopback.

The fake planner and executor count their calls, so tests can prove what the caches save. The fake executor
answers by running the planned document with graphql-core against a small in-memory graph, so responses carry real
data without any subgraph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from graphql import DocumentNode, GraphQLSchema, build_schema, execute_sync, print_ast
from redis.asyncio import Redis
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.executor.fetcher import SubgraphRequest, SubgraphResponse
from gateway.pipeline import Pipeline
from gateway.planner.plan import Fetch, QueryPlan
from gateway.settings import GatewayOptions
from tests.support.servers import BackgroundServer, serve_asgi

SDL = """
type Query {
  hello: String
  me: User
  user(id: ID!): User
  users(first: Int!): [User!]!
}

type Mutation {
  rename(name: String!): User
}

type User {
  id: ID!
  name: String
  friends: [User!]!
}
"""


@dataclass(frozen=True, slots=True)
class FakeSupergraph:
    api_schema: GraphQLSchema
    schema_hash: str = "fake-schema-hash"
    subgraph_urls: Mapping[str, str] = field(default_factory=lambda: {"users": "http://127.0.0.1:9/graphql"})


SUPERGRAPH = FakeSupergraph(build_schema(SDL))

ADA = {"id": "1", "name": "Ada", "friends": [{"id": "2", "name": "Grace", "friends": []}]}


def _rename(info: Any, name: str) -> dict[str, Any]:
    return {**ADA, "name": name}


ROOT = {
    "hello": "world",
    "me": ADA,
    "user": lambda info, id: {**ADA, "id": id},
    "users": lambda info, first: [ADA] * first,
    "rename": _rename,
}


@dataclass(slots=True)
class CountingPlanner:
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def __call__(self, supergraph: Any, document: DocumentNode, operation_name: str | None, /) -> QueryPlan:
        self.calls.append((print_ast(document), operation_name))
        return QueryPlan(Fetch(subgraph="users", operation=print_ast(document), operation_name=operation_name))


@dataclass(frozen=True, slots=True)
class FakeResult:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]


@dataclass(slots=True)
class FakeExecutor:
    """Runs the plan's document against :data:`ROOT` with graphql-core; records the variables it was given."""

    calls: list[Mapping[str, Any]] = field(default_factory=list)

    async def __call__(
        self,
        plan: QueryPlan,
        /,
        *,
        supergraph: Any,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
        fetcher: Any,
    ) -> FakeResult:
        self.calls.append(variables)
        result = execute_sync(
            supergraph.api_schema, document, ROOT, operation_name=operation_name, variable_values=dict(variables)
        )
        return FakeResult(result.data, [dict(e.formatted) for e in result.errors or ()])


def print_fake_plan(plan: QueryPlan) -> str:
    assert isinstance(plan.node, Fetch)
    return f'QueryPlan {{ Fetch(service: "{plan.node.subgraph}") }}'


class NullFetcher:
    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        return SubgraphResponse(failure="the fake executor never fetches")


@dataclass(slots=True)
class Gateway:
    server: BackgroundServer
    app: Starlette
    planner: CountingPlanner
    executor: FakeExecutor

    @property
    def url(self) -> str:
        return f"{self.server.url}/graphql"

    def pipeline(self) -> Pipeline:
        """The running pipeline, read on the server's loop."""

        async def read() -> Pipeline:
            return cast(Pipeline, self.app.state.pipeline)

        return cast(Pipeline, self.server.call(read()))


def serve_gateway(options: GatewayOptions, *, redis_url: str | None = None) -> Gateway:
    """A gateway over the fake seams; with ``redis_url``, its shared tiers are in that Redis (a client of its own,
    used only on the server's loop, closed when the server stops)."""
    planner, executor = CountingPlanner(), FakeExecutor()
    redis = Redis.from_url(redis_url) if redis_url is not None else None
    app = create_app(
        SUPERGRAPH,
        options,
        planner=planner,
        executor=executor,
        printer=print_fake_plan,
        fetcher=NullFetcher(),
        redis=redis,
        on_close=(redis.aclose,) if redis is not None else (),
    )
    return Gateway(serve_asgi(lambda: app), app, planner, executor)
