"""Errors of the auth package::

    AuthError                   base; ``code`` is the GraphQL ``extensions.code`` a client sees
    ├── Unauthenticated         UNAUTHENTICATED: no token, or one that does not verify (bad signature, alg,
    │                           issuer, audience, expired, unknown key)
    ├── Forbidden               FORBIDDEN: a valid principal without the right role, scope or relation
    ├── RateLimited             RATE_LIMITED: too many attempts (login brute force)
    └── BrokerError             a legacy system refused the broker's service credentials

Messages never contain a token, a password or a legacy credential.
"""

from __future__ import annotations

__all__ = ["AuthError", "BrokerError", "Forbidden", "RateLimited", "Unauthenticated"]


class AuthError(Exception):
    code = "UNAUTHENTICATED"


class Unauthenticated(AuthError):
    code = "UNAUTHENTICATED"


class Forbidden(AuthError):
    code = "FORBIDDEN"


class RateLimited(AuthError):
    code = "RATE_LIMITED"


class BrokerError(AuthError):
    code = "LEGACY_AUTH_FAILED"
