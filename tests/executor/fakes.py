"""Fakes at the executor's seams: a Fetcher answering from functions, and a stand-in for the supergraph."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSchema, build_schema

from gateway.executor.fetcher import SubgraphRequest, SubgraphResponse

Answer = SubgraphResponse | dict[str, Any]
Handler = Callable[[SubgraphRequest], Answer | Awaitable[Answer]]


@dataclass(frozen=True)
class ApiSchemaOnly:
    """Duck-typed stand-in for ``schema.supergraph.Supergraph``: the executor only reads ``api_schema``."""

    api_schema: GraphQLSchema

    @staticmethod
    def from_sdl(sdl: str) -> ApiSchemaOnly:
        return ApiSchemaOnly(build_schema(sdl))


@dataclass
class FakeFetcher:
    """Answers each subgraph with its handler: a dict is a GraphQL body (``data``/``errors``), a SubgraphResponse is
    returned as is. Records every request in order."""

    handlers: Mapping[str, Handler]
    requests: list[tuple[str, SubgraphRequest]] = field(default_factory=list)

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        self.requests.append((subgraph, request))
        answer = self.handlers[subgraph](request)
        if not isinstance(answer, SubgraphResponse | dict):
            answer = await answer
        if isinstance(answer, SubgraphResponse):
            return answer
        return SubgraphResponse(data=answer.get("data"), errors=tuple(answer.get("errors", ())))

    def sent_to(self, subgraph: str) -> list[SubgraphRequest]:
        return [request for name, request in self.requests if name == subgraph]
