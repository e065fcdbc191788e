"""The request pipeline: parse → validate → limits → plan → execute, transport-agnostic.

:class:`Pipeline` takes one GraphQL request (already decoded from HTTP by :mod:`gateway.http`) and produces an
:class:`Outcome`: the JSON-ready response body and whether it is a *request error* (the GraphQL-over-HTTP spec's
term: no ``data`` member, the status code depends on the media type) or needs a specific HTTP status.

Its collaborators are constructor arguments — the planner, the executor, the fetcher, the caches — so tests inject
fakes at those seams, and :func:`gateway.app.create_app` wires the real ones. The hot path of a repeated request is
two dict lookups (document, plan), variable coercion only when the operation declares variables, and the executor.

Error codes (``extensions.code``) of request errors: ``GRAPHQL_PARSE_FAILED``, ``GRAPHQL_VALIDATION_FAILED``,
``MAX_TOKENS_EXCEEDED``/``MAX_DEPTH_EXCEEDED``/``MAX_ALIASES_EXCEEDED``/``MAX_ROOT_FIELDS_EXCEEDED``,
``OPERATION_RESOLUTION_FAILURE``, ``BAD_USER_INPUT`` (variable coercion), ``COST_LIMIT`` (demand control,
:mod:`gateway.cost`: the estimate is over ``max_cost``; ``extensions.cost`` and ``maxCost`` say by how much), the
persisted-query codes of :mod:`gateway.persisted_queries`, ``METHOD_NOT_ALLOWED`` (a mutation over
GET, HTTP 405), ``SUBSCRIPTION_NOT_SUPPORTED``; when planning itself fails: ``QUERY_PLANNING_FAILED`` (HTTP 500).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from graphql import DocumentNode, GraphQLSchema, execute_sync, get_variable_values

from auth.principal import ANONYMOUS, Principal
from gateway.authorization import Authorization, Authorized
from gateway.caches import DocumentCache, PlanCache, PlanKey
from gateway.cost import CostModel, CostRefusal, cost_model, operation_cost
from gateway.document import (
    PreparedDocument,
    ResolvedOperation,
    parse_document,
    prepare_document,
    render_error,
    validate_document,
)
from gateway.executor.fetcher import Fetcher
from gateway.header_rules import HeaderRules, merge_response_headers
from gateway.introspection import IntrospectionAccess
from gateway.limits import DEFAULT_LIMITS, OperationLimits
from gateway.metrics import GatewayMetrics
from gateway.persisted_queries import PersistedQueries, Refusal, not_supported
from gateway.personal_data import carries_personal_data, variables_carry_personal_data
from gateway.planner.plan import QueryPlan
from gateway.propagating_fetcher import PropagatingFetcher
from gateway.subgraph_auth import ForwardingFetcher, PrincipalFetcher, SubgraphHeaders
from schema.error_codes import is_retryable

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

__all__ = [
    "ExecutionOutcome",
    "GraphQLRequest",
    "Outcome",
    "Pipeline",
    "PlanBuilder",
    "PlanExecutor",
    "PlanPrinter",
    "SupergraphView",
]

log = logging.getLogger("minyi.gateway")


class SupergraphView(Protocol):
    """What the pipeline reads of ``schema.supergraph.Supergraph``."""

    @property
    def api_schema(self) -> GraphQLSchema: ...

    @property
    def schema_hash(self) -> str: ...

    @property
    def subgraph_urls(self) -> Mapping[str, str]: ...


class PlanBuilder(Protocol):
    """``gateway.planner.build_query_plan``."""

    def __call__(self, supergraph: Any, document: DocumentNode, operation_name: str | None, /) -> QueryPlan: ...


class ExecutionOutcome(Protocol):
    """``gateway.executor.ExecutionResult``."""

    @property
    def data(self) -> dict[str, Any] | None: ...

    @property
    def errors(self) -> Sequence[Mapping[str, Any]]: ...


class PlanExecutor(Protocol):
    """``gateway.executor.execute_plan``."""

    def __call__(
        self,
        plan: QueryPlan,
        /,
        *,
        supergraph: Any,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
        fetcher: Fetcher,
    ) -> Awaitable[ExecutionOutcome]: ...


class PlanPrinter(Protocol):
    """``gateway.planner.printer.print_plan``."""

    def __call__(self, plan: QueryPlan, /) -> str: ...


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """The GraphQL-over-HTTP request parameters, decoded and type-checked."""

    query: str | None  # None when the request names a persisted query instead
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None
    principal: Principal | None = None  # who is asking (verified token), None when anonymous
    forward_headers: Mapping[str, str] | None = None  # client headers the subgraphs get too (Idempotency-Key)
    client_headers: tuple[tuple[str, str], ...] = ()  # every client header (lower-case), when propagation rules ask


@dataclass(frozen=True, slots=True)
class Outcome:
    """``body`` is the JSON-ready response. ``request_error``: refused before execution (400 under
    ``application/graphql-response+json``, 200 under ``application/json``). ``status`` overrides both."""

    body: dict[str, Any]
    request_error: bool = False
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()  # subgraph response headers the propagation rules hand back


_NO_INTROSPECTION = (
    "Introspection is answered only to callers with a role or scope allowed to read the schema; "
    "this operation reads __schema or __type."
)


def _refused(errors: Sequence[Mapping[str, Any]], status: int | None = None) -> Outcome:
    return Outcome({"errors": list(errors)}, request_error=True, status=status)


class Pipeline:
    """One supergraph's request pipeline. ``dev`` enables the plan in ``extensions.queryPlan`` on request.

    ``metrics`` counts cache hits and misses and times planning (:mod:`gateway.metrics`); ``tracer`` makes the
    ``graphql.parse``/``validate``/``plan``/``execute`` spans of :mod:`gateway.tracing`. Both are optional."""

    def __init__(
        self,
        supergraph: SupergraphView,
        *,
        planner: PlanBuilder,
        executor: PlanExecutor,
        fetcher: Fetcher,
        printer: PlanPrinter | None = None,
        limits: OperationLimits = DEFAULT_LIMITS,
        documents: DocumentCache | None = None,
        plans: PlanCache | None = None,
        dev: bool = False,
        subgraph_headers: SubgraphHeaders | None = None,
        authorization: Authorization | None = None,
        metrics: GatewayMetrics | None = None,
        tracer: Tracer | None = None,
        introspection: IntrospectionAccess | None = None,
        persisted: PersistedQueries | None = None,
        max_cost: int | None = None,
        default_list_size: int = 10,
        header_rules: HeaderRules | None = None,
    ) -> None:
        self.header_rules = header_rules if header_rules is not None and header_rules.active else None
        self.supergraph = supergraph
        self.persisted = persisted  # APQ and trusted documents; None: a persistedQuery is not supported
        self.planner = planner
        self.executor = executor
        self.fetcher = fetcher
        self.printer = printer
        self.limits = limits
        self.documents = documents if documents is not None else DocumentCache(1000)
        self.plans = plans if plans is not None else PlanCache(1000)
        self.dev = dev
        # who may read the schema (introspection, suggestions); by default the same dev mode as the plan header
        self.introspection = introspection if introspection is not None else IntrospectionAccess(dev=dev)
        self.subgraph_headers = subgraph_headers  # the internal token per subgraph call
        self.metrics = metrics
        self.tracer = tracer
        self._schema = supergraph.api_schema
        self._schema_hash = supergraph.schema_hash
        # demand control: @cost/@listSize are kept in the supergraph's own schema (the API schema drops them)
        self.max_cost = max_cost
        self.costs: CostModel | None = None
        if max_cost is not None:
            directives_schema = getattr(supergraph, "schema", None)
            self.costs = cost_model(
                directives_schema if isinstance(directives_schema, GraphQLSchema) else self._schema,
                default_list_size=default_list_size,
            )
        # @authenticated/@requiresScopes/@policy: read off the supergraph unless given; None when it marks nothing
        self.authorization = authorization if authorization is not None else Authorization.for_supergraph(supergraph)

    def prepare(self, query: str) -> PreparedDocument:
        """Parse, limit-check and validate ``query``, through the document cache."""
        prepared = self.documents.get(query)
        if self.metrics is not None:
            self.metrics.cache_lookup("document", prepared is not None)
        if prepared is None:
            if self.tracer is None:
                prepared = prepare_document(query, self._schema, self.limits)
            else:
                with self.tracer.start_as_current_span("graphql.parse"):
                    parsed = parse_document(query, self.limits)
                if isinstance(parsed, PreparedDocument):
                    prepared = parsed
                else:
                    with self.tracer.start_as_current_span("graphql.validate"):
                        prepared = validate_document(parsed, self._schema)
            self.documents.put(query, prepared)
        return prepared

    def _span(self, name: str) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext() if self.tracer is None else self.tracer.start_as_current_span(name)

    async def run(self, request: GraphQLRequest, *, read_only: bool = False, want_plan: bool = False) -> Outcome:
        """Run ``request``. ``read_only`` (GET) refuses anything but a query with HTTP 405."""
        query = await self._document_text(request)
        if isinstance(query, Refusal):
            return _refused(query.errors, query.status)
        prepared = self.prepare(query)
        may_read_schema = self.introspection.allows(request.principal)
        if prepared.errors:
            return _refused(prepared.errors_for(may_read_schema))
        if prepared.introspects and not may_read_schema:
            return _refused((_error(_NO_INTROSPECTION, "FORBIDDEN"),))
        resolved = prepared.operation(request.operation_name)
        if not isinstance(resolved, ResolvedOperation):
            return _refused((resolved,))
        if read_only and (
            carries_personal_data(prepared.document, resolved.operation)
            or variables_carry_personal_data(request.variables)
        ):
            return _refused(
                (
                    _error(
                        "This operation carries a phone or ID number: send it with POST, never in a URL.",
                        "PERSONAL_DATA_IN_URL",
                    ),
                ),
                405,
            )
        if resolved.kind != "query":
            if read_only:
                return _refused(
                    (_error(f"A {resolved.kind} cannot be sent with GET; use POST.", "METHOD_NOT_ALLOWED"),), 405
                )
            if resolved.kind == "subscription":
                return _refused((_error("Subscriptions are not supported.", "SUBSCRIPTION_NOT_SUPPORTED"),))
        variables: Mapping[str, Any] = {}
        if resolved.operation.variable_definitions:
            coerced = get_variable_values(
                self._schema,
                resolved.operation.variable_definitions,
                request.variables or {},
                hide_suggestions=not may_read_schema,
            )
            if isinstance(coerced, list):
                return _refused([render_error(e, "BAD_USER_INPUT") for e in coerced])
            variables = coerced.coerced
        if self.costs is not None and resolved.remote_document is not None:
            refused = self._cost_refusal(self.costs, prepared, resolved, variables)
            if refused is not None:
                return refused
        data: dict[str, Any] | None = None
        errors: list[Mapping[str, Any]] = []
        plan: QueryPlan | None = None
        rules = self.header_rules
        collected: list[tuple[str, str]] | None = [] if rules is not None and rules.wants_response_headers else None
        authorized: Authorized | None = None
        if resolved.remote_document is not None and self.authorization is not None:
            authorized = self.authorization.authorize(
                resolved.remote_document,
                resolved.remote_normalized,
                request.operation_name,
                request.principal or ANONYMOUS,
            )
            errors.extend(authorized.errors)
        if resolved.remote_document is not None:
            try:
                plan = await self._plan(resolved, request.operation_name, authorized)
            except Exception:
                log.exception("planning failed for operation %r", request.operation_name)
                return Outcome(
                    {
                        "data": None,
                        "errors": [_error("The gateway could not plan this operation.", "QUERY_PLANNING_FAILED")],
                    },
                    status=500,
                )
            with self._span("graphql.execute"):
                result = await self.executor(
                    plan,
                    supergraph=self.supergraph,
                    document=resolved.remote_document,
                    operation_name=request.operation_name,
                    variables=variables,
                    fetcher=self._fetcher_for(request, collected),
                )
            data = result.data
            if authorized is not None and authorized.removed:
                errors.extend(e for e in result.errors if authorized.keep_error(e))
            else:
                errors.extend(result.errors)
        if resolved.local_document is not None:
            local = execute_sync(
                self._schema,
                resolved.local_document,
                variable_values=request.variables or {},
                hide_suggestions=not may_read_schema,
            )
            if local.errors:
                errors.extend(render_error(e, "INTERNAL_SERVER_ERROR") for e in local.errors)
            if resolved.remote_document is None:
                data = local.data
            elif data is not None:
                data = _merge_root(resolved, data, local.data or {})
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        if want_plan and self.dev:
            body["extensions"] = {"queryPlan": self._plan_text(plan)}
        if collected:
            return Outcome(body, headers=tuple(merge_response_headers(collected)))
        return Outcome(body)

    def _cost_refusal(
        self,
        costs: CostModel,
        prepared: PreparedDocument,
        resolved: ResolvedOperation,
        variables: Mapping[str, Any],
    ) -> Outcome | None:
        """``COST_LIMIT`` with the computed cost when the estimate is over ``max_cost``; ``None`` when it may run."""
        assert prepared.document is not None and self.max_cost is not None
        try:
            cost = operation_cost(costs, prepared.document, resolved.operation, variables)
        except CostRefusal as error:
            return _refused((_error(str(error), "BAD_USER_INPUT"),))
        if self.metrics is not None:
            self.metrics.operation_cost.observe(cost)
        if cost <= self.max_cost:
            return None
        over = _error(
            f"This operation is estimated to cost {cost}, more than the limit of {self.max_cost}: "
            "ask for fewer items (smaller `first`) or fewer nested lists.",
            "COST_LIMIT",
        )
        over["extensions"].update(cost=cost, maxCost=self.max_cost)
        return _refused((over,))

    async def _document_text(self, request: GraphQLRequest) -> str | Refusal:
        if self.persisted is not None:
            return await self.persisted.resolve(request.query, request.extensions)
        if request.extensions and "persistedQuery" in request.extensions:
            return not_supported()
        if request.query is None:
            return Refusal(
                (
                    _error(
                        "The request has no `query`: send the GraphQL document as a string in `query`.", "BAD_REQUEST"
                    ),
                ),
                400,
            )
        return request.query

    def _fetcher_for(self, request: GraphQLRequest, collected: list[tuple[str, str]] | None = None) -> Fetcher:
        fetcher = self.fetcher
        if self.header_rules is not None:
            fetcher = PropagatingFetcher(fetcher, self.header_rules, request.client_headers, collected)
        forward = request.forward_headers
        if self.subgraph_headers is None:
            return ForwardingFetcher(fetcher, forward) if forward else fetcher
        return PrincipalFetcher(fetcher, request.principal or ANONYMOUS, self.subgraph_headers, forward)

    async def _plan(
        self, resolved: ResolvedOperation, operation_name: str | None, authorized: Authorized | None = None
    ) -> QueryPlan:
        """The plan of the remote document — of what authorization left of it, when it removed anything (the
        client's document still shapes the response, so removed fields answer null)."""
        if authorized is not None and authorized.document is None:
            return QueryPlan(None)  # nothing the principal may see is left to fetch
        document = resolved.remote_document if authorized is None else authorized.document
        normalized = resolved.remote_normalized if authorized is None else authorized.normalized
        key = PlanKey(self._schema_hash, normalized, operation_name)
        plan = self.plans.get(key)
        metrics = self.metrics
        if metrics is not None:
            metrics.cache_lookup("plan", plan is not None)
        if plan is not None:
            if self.tracer is not None:
                with self.tracer.start_as_current_span("graphql.plan", attributes={"minyi.plan.cache": "hit"}):
                    pass
            return plan
        assert document is not None

        def build() -> QueryPlan:
            started = time.perf_counter()
            built = self.planner(self.supergraph, document, operation_name)
            if metrics is not None:
                metrics.plan_duration.observe(time.perf_counter() - started)
            return built

        with self._span("graphql.plan") as span:
            if span is not None:
                span.set_attribute("minyi.plan.cache", "miss")
            return await self.plans.load(key, build)

    def _plan_text(self, plan: QueryPlan | None) -> str:
        if plan is None:
            return "QueryPlan { (answered by the gateway: introspection) }"
        if self.printer is None:
            return repr(plan)
        return self.printer(plan)


def _error(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code, "retryable": is_retryable(code)}}


def _merge_root(resolved: ResolvedOperation, remote: dict[str, Any], local: dict[str, Any]) -> dict[str, Any]:
    """Root fields in the order the client asked for them, the introspection ones answered locally."""
    merged: dict[str, Any] = {}
    direct = {k for k in resolved.root_keys if k is not None and k not in resolved.local_keys}
    for key in resolved.root_keys:
        if key is None:  # a root fragment: its remote fields here, in the planned order
            for remote_key, value in remote.items():
                if remote_key not in direct and remote_key not in merged:
                    merged[remote_key] = value
        elif key in resolved.local_keys:
            if key in local:
                merged[key] = local[key]
        elif key in remote:
            merged[key] = remote[key]
    for remote_key, value in remote.items():
        merged.setdefault(remote_key, value)
    return merged
