"""Bearer authentication for ``/graphql``: ASGI middleware that verifies the token and stores the principal.

After Starlette's ``AuthenticationMiddleware``: a backend decides (:class:`auth.verify.TokenVerifier`), this
middleware only reads the header and puts the outcome in the scope, under :data:`PRINCIPAL_SCOPE_KEY`:

- no ``Authorization`` header: the request is anonymous (``None``); the fields it may not see are answered with
  ``UNAUTHENTICATED`` errors by authorization, the rest of the query is answered;
- ``Authorization: Bearer <token>`` that verifies: its :class:`~auth.principal.Principal`;
- anything else — another scheme, an empty or malformed token, one that does not verify — is refused before the
  GraphQL layer with HTTP 401, ``WWW-Authenticate: Bearer error="invalid_token"`` (``invalid_request`` for a header
  that is not a Bearer credential; RFC 6750 §3) and one GraphQL error with ``extensions.code``
  ``UNAUTHENTICATED``. The message says which check failed, never what the token held.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

import orjson

from auth.errors import AuthError
from auth.principal import Principal
from gateway.http import PRINCIPAL_SCOPE_KEY, choose_media_type

__all__ = ["PRINCIPAL_SCOPE_KEY", "BearerAuthentication", "BearerVerifier"]

log = logging.getLogger("minyi.gateway.auth")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BearerVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


class BearerAuthentication:
    """Verify ``Authorization: Bearer`` with ``verifier``; the principal (or ``None``) goes into the scope."""

    def __init__(self, app: ASGIApp, verifier: BearerVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credential: bytes | None = None
        accept: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if credential is not None:
                    await _refuse(send, accept, "Send one Authorization header.", "invalid_request")
                    return
                credential = value
            elif name == b"accept":
                accept = value
        if credential is None:
            scope[PRINCIPAL_SCOPE_KEY] = None
            await self.app(scope, receive, send)
            return
        scheme, _, token = credential.strip().partition(b" ")
        token = token.strip()
        if scheme.lower() != b"bearer" or not token:
            await _refuse(send, accept, "Send the access token as Authorization: Bearer <token>.", "invalid_request")
            return
        try:
            principal = await self.verifier.verify(token.decode("latin-1"))
        except AuthError as error:
            await _refuse(send, accept, str(error) or "The access token is invalid.", "invalid_token")
            return
        except Exception:
            log.exception("token verification failed unexpectedly")
            await _refuse(send, accept, "The access token could not be verified.", "invalid_token")
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal
        await self.app(scope, receive, send)


async def _refuse(send: Send, accept: bytes | None, message: str, error: str) -> None:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]})
    media_type = choose_media_type(accept)
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", f"{media_type}; charset=utf-8".encode()),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", f'Bearer error="{error}"'.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
