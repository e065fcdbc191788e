"""How failures reach a subgraph's clients.

Resolvers raise :class:`~resolvers.adapters.errors.LegacyError` (from the adapters) or :class:`SubgraphInputError`
(bad arguments, malformed ids). :class:`ErrorCodes`, a Strawberry extension, rewrites every error of a result so
it carries ``extensions.code`` from the published list (:mod:`schema.error_codes`) and ``extensions.retryable`` —
and ``extensions.service``, a ``SourceSystem`` value: the legacy system at fault when one is (with a message for
people: what the legacy system said stays in the log), else the system the subgraph serves (none for the
cross-system appeals subgraph; the gateway then names the subgraph). Unexpected exceptions reach the client as
``INTERNAL_SERVER_ERROR`` with no internals (they are logged)::

    SubgraphError               base
    └── SubgraphInputError      BAD_USER_INPUT: malformed id, unknown __typename, page too large

Also passed through with their own code: :class:`auth.errors.AuthError` (``UNAUTHENTICATED``, ``FORBIDDEN``: the
access rules of DOMAIN.md §8) and :class:`resolvers.audit.AuditUnavailable` (``AUDIT_UNAVAILABLE``: an audited
action is refused when its record cannot be written) and :class:`resolvers.dispatch.errors.DispatchError` (a write
refused for permission, ``FORBIDDEN``/``OUTSIDE_JURISDICTION``, or ``OUTBOX_UNAVAILABLE``).
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
from resolvers.dispatch.errors import DispatchError
from schema.error_codes import is_retryable

__all__ = [
    "SERVICES",
    "ErrorCodes",
    "SubgraphError",
    "SubgraphInputError",
    "client_message",
    "coded",
    "error_extensions",
]

log = logging.getLogger("minyi.subgraph")


class SubgraphError(Exception):
    code = "INTERNAL_SERVER_ERROR"


class SubgraphInputError(SubgraphError):
    code = "BAD_USER_INPUT"


# the legacy systems by the names the adapters give them, as SourceSystem values and as people say them
SERVICES = {
    "hotline": "HOTLINE",
    "petition": "PETITION",
    "board": "MSGBOARD",
    "grid": "GRID",
    "suggestion": "SUGGESTION",
}
_SYSTEM_NAMES = {
    "hotline": "the 12345 hotline system",
    "petition": "the petition system",
    "board": "the message board",
    "grid": "the grid management system",
    "suggestion": "the suggestion system",
}
_LEGACY_MESSAGES = {
    "LEGACY_UNAVAILABLE": "{name} did not answer in time; try again later",
    "LEGACY_BAD_RESPONSE": "{name} answered something unexpected; try again later",
    "LEGACY_AUTH_FAILED": "{name} refused the platform's credentials; the operators are told",
    "LEGACY_REJECTED": "{name} refused the request",
    "NOT_FOUND": "{name} has no such record",
}


def error_extensions(original: BaseException | None) -> dict[str, Any] | None:
    """The ``extensions`` a client sees for an exception raised by a resolver, or ``None`` to keep graphql's."""
    if isinstance(original, LegacyError):
        service = SERVICES.get(original.system, original.system.upper())
        return {"code": original.code, "service": service, "retryable": is_retryable(original.code)}
    if isinstance(original, SubgraphError | AuthError | AuditUnavailable | DispatchError):
        return {"code": original.code, "retryable": is_retryable(original.code)}
    return None


def client_message(original: BaseException) -> str:
    """What a client reads: for a legacy failure a sentence naming the system, never the legacy system's text."""
    if isinstance(original, LegacyError):
        name = _SYSTEM_NAMES.get(original.system, f"the {original.system} system")
        text = _LEGACY_MESSAGES.get(original.code, "{name} failed").format(name=name)
        return text[0].upper() + text[1:] + "."
    return str(original)


def _rewrite(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        if error.extensions and "code" in error.extensions:
            return error
        code = "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"
        retryable = (error.extensions or {}).get("retryable", False)
        return GraphQLError(
            error.message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            None,
            {**(error.extensions or {}), "code": code, "retryable": retryable},
        )
    extensions = error_extensions(original)
    message = client_message(original)
    if isinstance(original, LegacyError):
        log.warning("legacy failure at %s: %s", error.path, original)  # the legacy system's own words stay here
    if extensions is None:
        log.error("unexpected error at %s", error.path, exc_info=original)
        extensions, message = {"code": "INTERNAL_SERVER_ERROR", "retryable": False}, "internal error"
    return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None, extensions)


def _with_service(error: GraphQLError, service: str | None) -> GraphQLError:
    if service is None or (error.extensions or {}).get("service"):
        return error
    error.extensions = {**(error.extensions or {}), "service": service}
    return error


def coded(errors: list[GraphQLError], service: str | None) -> list[GraphQLError]:
    """Every error with an ``extensions.code``, and ``service``: the legacy system at fault, else ``service`` (the
    ``SourceSystem`` value of the system the subgraph serves, if it serves one); unexpected ones masked, logged."""
    return [_with_service(_rewrite(e), service) for e in errors]


class ErrorCodes(SchemaExtension):
    """The errors of a result :func:`coded`."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = coded(result.errors, self.service)
