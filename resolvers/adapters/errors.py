"""Errors raised by the legacy adapters.

Every failure of a legacy call — a refused connection, a timeout, a 5xx page, unparsable JSON or XML, a SOAP
fault, a business error code — is translated at the adapter boundary into one of these, so nothing from aiohttp,
``xml.etree`` or ``json`` ever leaks into the resolvers::

    LegacyError                 base; carries ``system`` (hotline | petition | board | grid | ...)
    ├── LegacyUnavailable       not reached: connection refused or reset, timeout, HTTP 5xx
    │   └── LegacyCircuitOpen   not called: its circuit breaker is open after repeated failures
    ├── LegacyAuthError         credentials refused, also after the one re-login an adapter allows itself
    ├── LegacyProtocolError     an answer that does not follow the protocol (bad JSON/XML, missing fields)
    └── LegacyRejected          a well-formed refusal: business error code, SOAP fault, bad request
        └── LegacyNotFound      the record does not exist in the system of record

The subgraphs turn these into GraphQL errors with ``extensions.code`` (``LEGACY_UNAVAILABLE``, ...) and
``extensions.service`` naming the system; see :mod:`subgraphs.common.errors`.
"""

from __future__ import annotations

__all__ = [
    "LegacyAuthError",
    "LegacyCircuitOpen",
    "LegacyError",
    "LegacyNotFound",
    "LegacyProtocolError",
    "LegacyRejected",
    "LegacyUnavailable",
]


class LegacyError(Exception):
    """A legacy system failed to serve a request; ``system`` names it."""

    code = "LEGACY_ERROR"

    def __init__(self, system: str, message: str) -> None:
        super().__init__(f"{system}: {message}")
        self.system = system
        self.detail = message


class LegacyUnavailable(LegacyError):
    code = "LEGACY_UNAVAILABLE"


class LegacyCircuitOpen(LegacyUnavailable):
    """Not called at all: the system failed repeatedly and is left alone while it recovers."""


class LegacyAuthError(LegacyError):
    code = "LEGACY_AUTH_FAILED"


class LegacyProtocolError(LegacyError):
    code = "LEGACY_BAD_RESPONSE"


class LegacyRejected(LegacyError):
    code = "LEGACY_REJECTED"


class LegacyNotFound(LegacyRejected):
    code = "NOT_FOUND"
