"""The Strawberry federation schema every system subgraph is built with.

Differences from ``strawberry.federation.Schema``: one bad representation in ``_entities`` (not an object,
no ``__typename``, a type that is not an entity here) becomes an error at its own index instead of failing the
whole call; every error gets an ``extensions.code`` and, in a system's subgraph, ``extensions.service``; the people served in a request reach the person directory; errors
a resolver reports beside a partial answer join the response; each document is parsed and validated once
(:mod:`.documents`); ``DateTime`` is RFC 3339 with the ``+08:00`` offset (:mod:`subgraphs.common.scalars`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLUnionType
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, Info

from resolvers.domain import SourceSystem
from resolvers.persons import DirectoryUnavailable
from subgraphs.common.documents import CachedDocuments, KnownDocuments
from subgraphs.common.errors import ErrorCodes, SubgraphInputError
from subgraphs.common.scalars import DateTimeScalar

__all__ = ["FEDERATION_VERSION", "SubgraphSchema"]

FEDERATION_VERSION = "2.9"  # @policy needs 2.6, @listSize (demand control) 2.9

log = logging.getLogger("minyi.subgraph")


class AfterExecution(SchemaExtension):
    """After execution: the identifiers behind the person keys served go to the person directory, the units whose
    ids were served to the unit directory (``node(id: "unit:…")``), and errors resolvers reported beside a partial
    answer (``context.partial_errors``) join the response. One extension for the three, as Strawberry's cost per
    request grows with the number of extension hooks."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        found = getattr(context, "partial_errors", None)
        if execution.result is not None and found:
            execution.result.errors = [*(execution.result.errors or []), *found]
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
        """``system``: the system of record this subgraph serves, named as ``extensions.service`` on its errors."""
        self.known_documents = KnownDocuments()
        errors = partial(ErrorCodes, service=None if system is None else system.value)
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
        )
        entity = self._schema.type_map.get("_Entity")
        self._entity_names = (
            frozenset(t.name for t in entity.types if _resolvable(t))
            if isinstance(entity, GraphQLUnionType)
            else frozenset()
        )

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
