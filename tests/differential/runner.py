"""Running operations through the gateway and through the oracle, and comparing the answers.

:class:`Differential` starts a federated graph (an e2e scenario's subgraphs on loopback), the gateway's real HTTP
app over it (``gateway.app.create_app``, served on loopback in this process) and the graph's oracle
(:mod:`tests.differential.oracles`). :meth:`Differential.check` posts an operation to the gateway as a client would
and executes it on the oracle; a difference in ``data`` (field order included) or in whether there were errors is a
failure, which :meth:`Differential.minimized` shrinks. So is a plan with a subgraph operation that is not valid
against that subgraph's schema, even when the answers agree.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from graphql import graphql, parse

from tests.differential.generator import Operation, OperationGenerator
from tests.differential.minimize import minimize
from tests.differential.oracles import ORACLE_RESOLVERS, oracle_schema
from tests.e2e.harness import Scenario, start_scenario
from tests.support.servers import BackgroundServer, serve_asgi
from tests.support.subgraph_operations import assert_valid_subgraph_operations

__all__ = ["GRAPHS", "Differential", "Failure", "GraphSpec", "Sweep"]


@dataclass(frozen=True, slots=True)
class GraphSpec:
    """A federated graph for the differential test: an e2e scenario and argument values that reach its data."""

    scenario: str
    arguments: Mapping[str, Sequence[str]]
    max_depth: int = 6


GRAPHS: dict[str, GraphSpec] = {
    "channels": GraphSpec(
        "channels",
        {
            "Query.search.text": ('"o"', '"bus"', '"street"', '"zzz"'),
            "Query.gridSearch.text": ('"any"',),
            "Query.nearby.district": ('"D1"', '"D2"', '"D9"'),
        },
        max_depth=5,
    ),
    "casework": GraphSpec(
        "casework",
        {
            "Query.appeal.id": ('"a0"', '"a3"', '"a5"', '"a9"'),
            "Query.appeals.first": ("1", "2", "6"),
            "Office.staff.first": ("0", "1", "3"),
        },
        max_depth=7,
    ),
    "shop": GraphSpec(
        "shop",
        {
            "Query.user.id": ('"1"', '"2"', '"3"'),
            "Query.product.upc": ('"p1"', '"p2"', '"p9"'),
            "Query.topProducts.first": ("1", "2", "5"),
        },
    ),
}


@dataclass(frozen=True, slots=True)
class Failure:
    graph: str
    operation: Operation
    gateway: Mapping[str, Any]
    oracle: Mapping[str, Any]
    minimized: Operation | None = None

    def report(self) -> str:
        shown = self.minimized or self.operation
        lines = [
            f"[{self.graph}] gateway and oracle differ",
            shown.query,
            f"variables: {json.dumps(shown.variables)}",
            f"gateway: {json.dumps(self.gateway, ensure_ascii=False)}",
            f"oracle:  {json.dumps(self.oracle, ensure_ascii=False)}",
        ]
        return "\n".join(lines)


def _transport_failure(answer: Mapping[str, Any]) -> bool:
    for error in answer.get("errors") or ():
        message = str(error.get("message", ""))
        code = (error.get("extensions") or {}).get("code")
        if message.startswith("no GraphQL answer") or (code == "SUBGRAPH_UNAVAILABLE" and "connection" in message):
            return True
    return False


def _comparable(answer: Mapping[str, Any]) -> dict[str, Any]:
    return {"data": answer.get("data"), "errors": bool(answer.get("errors"))}


@dataclass
class Differential:
    graph: str
    spec: GraphSpec = field(init=False)
    scenario: Scenario = field(init=False)
    server: BackgroundServer = field(init=False)
    session: aiohttp.ClientSession = field(init=False)
    transient: int = 0  # checks that agreed only when asked again after a transport failure

    async def __aenter__(self) -> Differential:
        from gateway.app import create_app
        from schema.supergraph import load_supergraph

        self.spec = GRAPHS[self.graph]
        self.scenario = start_scenario(self.spec.scenario)
        try:
            self.supergraph = load_supergraph(self.scenario.supergraph_sdl())
            self.oracle = oracle_schema(self.supergraph.api_schema, ORACLE_RESOLVERS[self.graph])
            self.server = serve_asgi(lambda: create_app(self.supergraph))
        except BaseException:
            self.scenario.stop()
            raise
        # a fresh connection per request: no race with the server closing an idle keep-alive connection
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.session.close()
        self.server.stop()
        self.scenario.stop()

    def generator(self, seed: int) -> OperationGenerator:
        return OperationGenerator(
            self.supergraph.api_schema, self.spec.arguments, random.Random(seed), max_depth=self.spec.max_depth
        )

    def invalid_subgraph_operation(self, operation: Operation) -> str | None:
        """What is wrong with a subgraph operation the plan of ``operation`` would send (None: all valid)."""
        from gateway.planner import build_query_plan

        plan = build_query_plan(self.supergraph, parse(operation.query), None)
        try:
            assert_valid_subgraph_operations(self.supergraph, plan)
        except AssertionError as error:
            return f"invalid subgraph operation: {error}"
        return None

    async def gateway_answer(self, operation: Operation) -> dict[str, Any]:
        body = {"query": operation.query, "variables": operation.variables}
        headers = {"accept": "application/graphql-response+json"}
        try:
            async with self.session.post(f"{self.server.url}/graphql", json=body, headers=headers) as response:
                answer: dict[str, Any] = await response.json(content_type=None)
                return answer
        except (aiohttp.ClientError, ValueError) as error:  # no answer at all is a difference too
            return {"data": None, "errors": [{"message": f"no GraphQL answer: {error!r}"}]}

    async def oracle_answer(self, operation: Operation) -> dict[str, Any]:
        result = await graphql(self.oracle, operation.query, variable_values=operation.variables)
        return result.formatted

    async def check(self, operation: Operation) -> Failure | None:
        """None when the gateway answers like the oracle. An answer that failed in transport (a subgraph connection
        dropped on the loopback, no answer from the app) is asked again, at most twice; each such retry that then
        agrees is counted in :attr:`transient`, so a sweep reports it instead of hiding it."""
        oracle = await self.oracle_answer(operation)
        invalid = self.invalid_subgraph_operation(operation)
        if invalid is not None:
            return Failure(self.graph, operation, {"errors": [{"message": invalid}]}, oracle)
        expected = json.dumps(_comparable(oracle))
        for attempt in range(3):
            gateway = await self.gateway_answer(operation)
            if json.dumps(_comparable(gateway)) == expected:
                self.transient += attempt > 0
                return None
            if not _transport_failure(gateway):
                break
        return Failure(self.graph, operation, gateway, oracle)

    async def minimized(self, failure: Failure) -> Failure:
        async def still_fails(candidate: Operation) -> bool:
            return await self.check(candidate) is not None

        smallest = await minimize(failure.operation, self.supergraph.api_schema, still_fails)
        again = await self.check(smallest) or failure
        return Failure(failure.graph, failure.operation, again.gateway, again.oracle, smallest)


@dataclass
class Sweep:
    """What one run tried and found."""

    graph: str
    tried: int = 0
    failures: list[Failure] = field(default_factory=list)
    transient: int = 0


async def sweep(
    graph: str,
    count: int,
    seed: int,
    *,
    minimize_failures: bool = True,
    on_failure: Callable[[Failure], None] | None = None,
    on_progress: Callable[[Sweep], None] | None = None,
    progress_every: int = 100,
) -> Sweep:
    """Draw ``count`` operations for ``graph`` from ``seed`` and check each (``on_failure`` hears of each failure,
    minimized, as it is found; ``on_progress`` hears the counts so far after every ``progress_every`` operations)."""
    result = Sweep(graph)
    async with Differential(graph) as differential:
        generator = differential.generator(seed)
        for _ in range(count):
            operation = generator.operation()
            result.tried += 1
            failure = await differential.check(operation)
            if failure is not None:
                failure = await differential.minimized(failure) if minimize_failures else failure
                result.failures.append(failure)
                if on_failure is not None:
                    on_failure(failure)
            result.transient = differential.transient
            if on_progress is not None and result.tried % progress_every == 0:
                on_progress(result)
        result.transient = differential.transient
    return result
