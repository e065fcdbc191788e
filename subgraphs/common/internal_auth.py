"""Only the gateway may call a subgraph: every ``/graphql`` request must carry a valid internal token.

:class:`InternalTokenGuard` wraps the GraphQL ASGI app. It reads ``Authorization: Bearer <token>``, verifies it
with an :class:`~auth.internal.InternalTokenVerifier` (audience = this subgraph) and leaves the token's
:class:`~auth.principal.Principal` in the ASGI scope under ``"minyi.principal"``, where the app's ``get_context``
finds it. A request without a token, or with one that does not verify (a user's provider token, one minted for
another subgraph, an expired one), is answered HTTP 401 with one GraphQL error ``UNAUTHENTICATED`` and a
``WWW-Authenticate: Bearer`` header (RFC 6750 §3); the reason is logged, never the token.

One exception: the Federation SDL query (``{ _service { sdl } }``, with nothing else selected) is answered
without a token, so that ``minyi compose`` and the gateway's ``--subgraphs`` reload can read the schema — the SDL
holds no data. A subgraph that does not require internal tokens (``SubgraphSettings.require_internal_token``
off: an external subgraph, tests) is served without this guard.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse

from auth.errors import Unauthenticated
from auth.internal import InternalTokenVerifier
from auth.principal import PRINCIPAL_SCOPE_KEY
from subgraphs.common.json_post import replaying

__all__ = ["PRINCIPAL_SCOPE_KEY", "InternalTokenGuard", "is_sdl_query"]

MAX_PEEK_BYTES = 64 * 1024  # an SDL query is tiny; a tokenless request larger than this is refused unread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("minyi.subgraph.auth")

_SDL_FIELDS = {"_service": {"sdl", "__typename"}, "__typename": set()}


def is_sdl_query(query: str) -> bool:
    """Whether ``query`` asks for nothing but ``_service { sdl }`` (and ``__typename``)."""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return False
    if len(document.definitions) != 1:
        return False
    operation = document.definitions[0]
    if not isinstance(operation, OperationDefinitionNode) or operation.operation != OperationType.QUERY:
        return False
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in _SDL_FIELDS or selection.directives:
            return False
        allowed = _SDL_FIELDS[selection.name.value]
        inner = selection.selection_set.selections if selection.selection_set else ()
        if allowed and not inner:
            return False
        for sub in inner:
            if not isinstance(sub, FieldNode) or sub.name.value not in allowed or sub.selection_set or sub.directives:
                return False
    return True


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


async def _refuse(send: Send, message: str) -> None:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer error="invalid_token"'),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class InternalTokenGuard:
    """ASGI middleware in front of a subgraph's GraphQL app (see the module docstring)."""

    def __init__(self, app: ASGIApp, verifier: InternalTokenVerifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        if token is None:
            body, replay = await self._peek(scope, receive)
            if body is None or not is_sdl_query(body):
                log.info("refused a call without an internal token")
                await _refuse(send, "This subgraph answers only the gateway: the internal token is missing.")
                return
            await self.app(scope, replay, send)
            return
        try:
            principal = await self.verifier.verify(token)
        except Unauthenticated as refusal:
            log.info("refused a call: %s", refusal)
            await _refuse(send, "This subgraph answers only the gateway: the internal token is not valid.")
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal
        await self.app(scope, receive, send)

    async def _peek(self, scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
        """The GraphQL query of a tokenless request (``None`` if there is none), and a ``receive`` that replays
        what was read."""
        if scope["method"] == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("query")
            return (query[0] if query else None), receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None, receive
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_PEEK_BYTES:
                return None, receive
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        replay = replaying(raw, receive)
        try:
            params = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None, replay
        query = params.get("query") if isinstance(params, dict) else None
        return (query if isinstance(query, str) else None), replay
