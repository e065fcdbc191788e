"""The published list of ``extensions.code`` values: every error the graph answers carries one of these.

Clients read the list in the README and in the description of ``Query``; :data:`ERROR_CODES` is its one source.
``retryable`` is what ``extensions.retryable`` says for the code: whether sending the same request again later
may succeed (an outage, a rate limit) or cannot (bad input, a refusal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ERROR_CODES", "ErrorCode", "error_codes_text", "is_retryable"]


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    retryable: bool
    meaning: str


ERROR_CODES: tuple[ErrorCode, ...] = (
    ErrorCode("UNAUTHENTICATED", False, "no valid login for something that needs one"),
    ErrorCode("FORBIDDEN", False, "your role may not see or do this"),
    ErrorCode("BAD_USER_INPUT", False, "an argument is malformed or out of range"),
    ErrorCode("BAD_REQUEST", False, "the HTTP request is malformed"),
    ErrorCode("GRAPHQL_PARSE_FAILED", False, "the document is not valid GraphQL syntax"),
    ErrorCode("GRAPHQL_VALIDATION_FAILED", False, "the document does not fit the schema"),
    ErrorCode("OPERATION_RESOLUTION_FAILURE", False, "operationName names no operation of the document"),
    ErrorCode("METHOD_NOT_ALLOWED", False, "a mutation sent with GET, or a method other than GET and POST"),
    ErrorCode("PERSONAL_DATA_IN_URL", False, "a phone or ID number sent with GET: send it with POST"),
    ErrorCode("CSRF_PREVENTED", False, "a GET without a preflight header such as X-Minyi-Csrf"),
    ErrorCode("CSRF", False, "a login form sent without its CSRF token"),
    ErrorCode("PAYLOAD_TOO_LARGE", False, "the request body is over the size limit"),
    ErrorCode("MAX_TOKENS_EXCEEDED", False, "the document has too many tokens"),
    ErrorCode("MAX_DEPTH_EXCEEDED", False, "the document nests too deep"),
    ErrorCode("MAX_ALIASES_EXCEEDED", False, "the document has too many aliases"),
    ErrorCode("MAX_ROOT_FIELDS_EXCEEDED", False, "the document asks too many root fields"),
    ErrorCode("LIMIT_EXCEEDED", False, "the document is over another operation limit"),
    ErrorCode("PERSISTED_QUERY_NOT_FOUND", False, "the persisted query hash or id is unknown: send the text with it"),
    ErrorCode("PERSISTED_QUERY_NOT_SUPPORTED", False, "persisted queries are off: send the text alone"),
    ErrorCode("PERSISTED_QUERY_HASH_MISMATCH", False, "the persisted query hash is not the SHA-256 of the text sent"),
    ErrorCode("PERSISTED_QUERY_NOT_IN_LIST", False, "only registered operations run, and this one is not registered"),
    ErrorCode("DOCUMENTS_UNAVAILABLE", True, "the list of registered operations did not answer"),
    ErrorCode("RATE_LIMITED", True, "too many attempts; wait before trying again"),
    ErrorCode("COST_LIMIT", False, "the operation's estimated cost is over the limit; ask for less"),
    ErrorCode("LEGACY_UNAVAILABLE", True, "a system of record did not answer in time"),
    ErrorCode("LEGACY_BAD_RESPONSE", True, "a system of record answered something it should not"),
    ErrorCode("LEGACY_AUTH_FAILED", False, "a system of record refused the platform's credentials"),
    ErrorCode("LEGACY_REJECTED", False, "a system of record refused the request"),
    ErrorCode("NOT_FOUND", False, "the system of record has no such record"),
    ErrorCode("DIRECTORY_UNAVAILABLE", True, "the person or unit directory did not answer"),
    ErrorCode("AUDIT_UNAVAILABLE", True, "an audited action was refused because its record could not be written"),
    ErrorCode("IDEMPOTENCY_KEY_REUSED", False, "an idempotency key sent again with a different input"),
    ErrorCode("UNSUPPORTED", False, "the write is not available for this appeal's system"),
    ErrorCode("OUTSIDE_JURISDICTION", False, "the write concerns an appeal outside your unit or jurisdiction"),
    ErrorCode(
        "OUTBOX_UNAVAILABLE", True, "a write could not be made durable (the outbox did not answer); nothing was written"
    ),
    ErrorCode(
        "INDEX_UNAVAILABLE",
        True,
        "the duplicate-detection index did not answer; duplicates are looked for among the person's own appeals",
    ),
    ErrorCode("SUBGRAPH_UNAVAILABLE", True, "a part of the graph did not answer"),
    ErrorCode(
        "CIRCUIT_OPEN", True, "a part of the graph failed repeatedly and is left to recover for a moment; not called"
    ),
    ErrorCode("SUBGRAPH_INVALID_RESPONSE", True, "a part of the graph answered something malformed"),
    ErrorCode("QUERY_PLANNING_FAILED", False, "the gateway could not plan the operation"),
    ErrorCode("SERVICE_UNAVAILABLE", True, "the gateway is starting"),
    ErrorCode("SUBSCRIPTION_NOT_SUPPORTED", False, "subscriptions are not served"),
    ErrorCode("INTERNAL_SERVER_ERROR", False, "an unexpected failure; it is logged"),
)

_RETRYABLE: Mapping[str, bool] = {c.code: c.retryable for c in ERROR_CODES}


def is_retryable(code: str) -> bool:
    """``extensions.retryable`` for ``code``; an unlisted code is not."""
    return _RETRYABLE.get(code, False)


def error_codes_text() -> str:
    """The list as one paragraph of a schema description."""
    return "; ".join(f"`{c.code}` {c.meaning}" for c in ERROR_CODES) + "."
