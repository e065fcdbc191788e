"""How failures reach a subgraph's clients.

Resolvers raise :class:`~resolvers.adapters.errors.LegacyError` (from the adapters) or :class:`SubgraphInputError`
(bad arguments, malformed ids). :class:`ErrorCodes`, a Strawberry extension, rewrites every error of a result so
it carries ``extensions.code`` — and ``extensions.service`` naming the legacy system when one is the cause — and so
unexpected exceptions reach the client as ``INTERNAL_SERVER_ERROR`` with no internals (they are logged)::

    SubgraphError               base
    └── SubgraphInputError      BAD_USER_INPUT: malformed id, unknown __typename, page too large

Also passed through with their own code: :class:`auth.errors.AuthError` (``UNAUTHENTICATED``, ``FORBIDDEN``: the
access rules of DOMAIN.md §8) and :class:`resolvers.audit.AuditUnavailable` (``AUDIT_UNAVAILABLE``: an audited
action is refused when its record cannot be written).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from auth.errors import AuthError
from resolvers.adapters.errors import LegacyError
from resolvers.audit import AuditUnavailable

__all__ = ["ErrorCodes", "SubgraphError", "SubgraphInputError", "error_extensions"]

log = logging.getLogger("minyi.subgraph")


class SubgraphError(Exception):
    code = "INTERNAL_SERVER_ERROR"


class SubgraphInputError(SubgraphError):
    code = "BAD_USER_INPUT"


def error_extensions(original: BaseException | None) -> dict[str, Any] | None:
    """The ``extensions`` a client sees for an exception raised by a resolver, or ``None`` to keep graphql's."""
    if isinstance(original, LegacyError):
        return {"code": original.code, "service": original.system}
    if isinstance(original, SubgraphError | AuthError | AuditUnavailable):
        return {"code": original.code}
    return None


def _rewrite(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        if error.extensions and "code" in error.extensions:
            return error
        code = "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"
        return GraphQLError(
            error.message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            None,
            {**(error.extensions or {}), "code": code},
        )
    extensions = error_extensions(original)
    message = str(original)
    if extensions is None:
        log.error("unexpected error at %s", error.path, exc_info=original)
        extensions, message = {"code": "INTERNAL_SERVER_ERROR"}, "internal error"
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)


class ErrorCodes(SchemaExtension):
    """Give every error in a result an ``extensions.code`` (and ``service`` for legacy failures)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_rewrite(e) for e in result.errors]
