"""The Strawberry federation schema every system subgraph is built with.

Differences from ``strawberry.federation.Schema``: one bad representation in ``_entities`` (not an object,
no ``__typename``, a type that is not an entity here) becomes an error at its own index instead of failing the
whole call; every error gets an ``extensions.code`` and, in a system's subgraph, ``extensions.service``; the people served in a request reach the person directory; errors
a resolver reports beside a partial answer join the response; each document is parsed and validated once
(:mod:`.documents`); ``DateTime`` is RFC 3339 with the ``+08:00`` offset (:mod:`subgraphs.common.scalars`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Iterable
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLUnionType, specified_rules
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key
from strawberry.schema._graphql_core import execute
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext, ExecutionResult, Info
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe

from resolvers.domain import SourceSystem
from resolvers.persons import DirectoryUnavailable
from subgraphs.common.documents import CachedDocuments, KnownDocuments
from subgraphs.common.errors import ErrorCodes, SubgraphInputError, coded
from subgraphs.common.executor import SubgraphExecutor
from subgraphs.common.scalars import DateTimeScalar

__all__ = ["FEDERATION_VERSION", "SubgraphSchema"]

FEDERATION_VERSION = "2.9"  # @policy needs 2.6, @listSize (demand control) 2.9

log = logging.getLogger("minyi.subgraph")

_SPECIFIED_RULES = tuple(specified_rules)  # the rules Strawberry validates with, as CachedDocuments keys them


class AfterExecution(SchemaExtension):
    """After execution: the identifiers behind the person keys served go to the person directory, the units whose
    ids were served to the unit directory (``node(id: "unit:…")``), and errors resolvers reported beside a partial
    answer (``context.partial_errors``) join the response. One extension for the three, as Strawberry's cost per
    request grows with the number of extension hooks."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        await after_execution(self.execution_context.context, self.execution_context.result)


async def after_execution(context: Any, result: Any) -> None:
    """What :class:`AfterExecution` does once the operation has run (``result``: graphql-core's, or ``None``)."""
    found = getattr(context, "partial_errors", None)
    if result is not None and found:
        result.errors = [*(result.errors or []), *found]
    units = getattr(context, "seen_units", None)
    if units:
        try:
            await context.units.remember(dict(units))
        except DirectoryUnavailable as exc:
            log.warning("unit directory not updated: %s", exc)
    people = getattr(context, "seen_people", None)
    if people:
        try:
            await context.directory.remember(dict(people))
        except DirectoryUnavailable as exc:
            log.warning("person directory not updated: %s", exc)


def _resolvable(graphql_type: Any) -> bool:
    """Whether this subgraph resolves the entity by key: not when every ``@key`` says ``resolvable: false`` (a
    reference to another subgraph's type, such as the Node references of :mod:`subgraphs.common.node`)."""
    definition = graphql_type.extensions.get("strawberry-definition") if graphql_type.extensions else None
    keys = [d for d in getattr(definition, "directives", ()) if isinstance(d, Key)]
    return not keys or any(k.resolvable is not False for k in keys)


class SubgraphSchema(strawberry.federation.Schema):
    def __init__(
        self,
        *,
        query: type,
        mutation: type | None = None,
        types: Iterable[type] = (),
        extensions: Iterable[Any] = (),
        system: SourceSystem | None = None,
    ) -> None:
        """``system``: the system of record this subgraph serves, named as ``extensions.service`` on its errors;
        ``extensions``: more Strawberry extensions (a schema with any is always run by :meth:`execute`)."""
        self.known_documents = KnownDocuments()
        self._service = None if system is None else system.value
        errors = partial(ErrorCodes, service=self._service)
        extensions = tuple(extensions)
        self._lean = not extensions
        super().__init__(
            query=query,
            mutation=mutation,
            types=list(types),
            extensions=[
                partial(CachedDocuments, self.known_documents),
                errors,
                AfterExecution,
                *extensions,
            ],
            federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
            config=StrawberryConfig(scalar_map={datetime: DateTimeScalar}),
            execution_context_class=SubgraphExecutor,
        )
        entity = self._schema.type_map.get("_Entity")
        self._entity_names = (
            frozenset(t.name for t in entity.types if _resolvable(t))
            if isinstance(entity, GraphQLUnionType)
            else frozenset()
        )

    async def execute_known(
        self,
        query: str,
        variables: dict[str, Any] | None,
        context: Any,
        operation_name: str | None,
        operation_extensions: dict[str, Any] | None,
        allowed: Collection[OperationType],
    ) -> ExecutionResult | None:
        """What :meth:`execute` answers, without its extension machinery, for a ``query`` parsed and validated
        before; ``None`` for any other (call :meth:`execute`, which validates and remembers it). Raises as
        ``execute`` does for an operation that cannot be chosen (``CannotGetOperationTypeError``) or is not
        ``allowed`` (``InvalidOperationTypeError``).

        The three extensions' work is done in the order Strawberry does it: errors go to :meth:`process_errors`
        as graphql-core reports them, then :func:`after_execution` (directories, partial errors), then
        :func:`~subgraphs.common.errors.coded` over them all; an exception out of execution is the one error of
        a ``data: null`` answer, as ``execute`` makes it."""
        known = self.known_documents
        document = known.parse(query) if self._lean and known.is_valid(query, _SPECIFIED_RULES) else None
        if document is None:
            return None
        execution = ExecutionContext(
            query=query,
            schema=self,
            allowed_operations=allowed,
            context=context,
            variables=variables,
            provided_operation_name=operation_name,
            operation_extensions=operation_extensions,
        )
        execution.graphql_document = document
        try:
            operation_type = execution.operation_type
        except RuntimeError as error:
            raise CannotGetOperationTypeError(execution.operation_name) from error
        if operation_type not in allowed:
            raise InvalidOperationTypeError(operation_type)
        execution.pre_execution_errors = []  # valid before
        try:
            result = await await_maybe(
                execute(
                    self._schema,
                    document,
                    variable_values=variables,
                    operation_name=execution.operation_name,  # the first operation's when none is named
                    context_value=context,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                    executor_class=self.execution_context_class,
                    operation_extensions=operation_extensions,
                )
            )
            execution.result = result
            if result.errors:
                execution.pre_execution_errors = result.errors
                self._process_errors(result.errors, execution)
            await after_execution(context, result)
        except Exception as exc:  # Schema.execute answers it so too
            failure = exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            self._process_errors([failure], execution)
            return ExecutionResult(data=None, errors=[failure], extensions={})
        errors = coded(result.errors, self._service) if result.errors else result.errors
        return ExecutionResult(data=result.data, errors=errors, extensions={})

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Client errors are the client's business; unexpected ones are logged by ``ErrorCodes``."""
        for error in errors:
            if error.extensions and error.extensions.get("code") == "INTERNAL_SERVER_ERROR":
                continue  # already logged with its traceback
            log.debug("graphql error at %s: %s", error.path, error.message)

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        results: list[Any] = []  # records, awaitables, or an error for that index
        for index, representation in enumerate(representations):
            problem = self._check_representation(representation)
            if problem is not None:
                results.append(SubgraphInputError(f"representation {index}: {problem}"))
                continue
            results.extend(super().entities_resolver(info, [FederationAny(dict(representation))]))  # type: ignore[call-overload]
        return results

    def _check_representation(self, representation: Any) -> str | None:
        if not isinstance(representation, dict):
            return "expected an object with __typename and key fields"
        typename = representation.get("__typename")
        if not isinstance(typename, str):
            return "missing __typename"
        if typename not in self._entity_names:
            return f"unknown __typename {typename!r}: this subgraph resolves {', '.join(sorted(self._entity_names))}"
        return None
