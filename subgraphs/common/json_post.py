"""The hot case of a subgraph's ``/graphql``: a POST with a JSON body, read straight from ASGI.

The gateway sends every subgraph ``POST /graphql`` with ``Content-Type: application/json`` and a JSON object
``{query, variables, operationName}``, thousands of times a second. Serving it through Starlette's ``Request``
and Strawberry's HTTP view builds a request object, a request adapter, a sub-response and a response object per
call; :class:`~subgraphs.common.app.SubgraphApp` serves this one case from the ASGI messages instead, and hands
everything else (GET, another content type, a body that is not JSON, a batch, a ``query`` that is not a
non-empty string, ``variables`` or ``extensions`` that are not objects, a client gone before its body arrived
whole) to Strawberry's view, which answers as it always has (its 400s included): :func:`hot_operation` says
which. The operation itself still runs through the schema's ``execute``, so its extensions, error codes and
logging are the same on both paths.

What is answered is what Strawberry's view answers (``strawberry.http.process_result``, then
``Response(..., media_type="application/json")``): status 200, ``content-type: application/json`` and
``content-length``; a request whose operation cannot be chosen (``CannotGetOperationTypeError``) or whose
operation type POST does not allow is a ``text/plain; charset=utf-8`` 400 with Strawberry's reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["JsonPost", "answer", "hot_operation", "is_json_post", "read_body", "replaying"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON = b"application/json"
_JSON_HEADER = (b"content-type", b"application/json")
_TEXT_HEADER = (b"content-type", b"text/plain; charset=utf-8")


@dataclass(frozen=True, slots=True)
class JsonPost:
    """One GraphQL operation of a JSON POST body, and the request's ``Idempotency-Key`` header."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    idempotency_key: str | None


def is_json_post(scope: MutableMapping[str, Any]) -> bool:
    """Whether the request is an HTTP POST whose ``Content-Type`` is ``application/json`` (parameters such as
    ``charset`` allowed), the only kind the hot path serves; other spellings Strawberry's view judges itself."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.partition(b";")[0].strip() == _JSON)
    return False


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or ``None`` when the client disconnected before sending it."""
    message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def hot_operation(body: bytes, scope: MutableMapping[str, Any]) -> JsonPost | None:
    """The operation of a well-formed JSON body, or ``None`` when Strawberry's view must answer it (a body that
    is not JSON, not an object, or whose ``query`` is missing, empty or not a string, ``operationName`` not a
    string, ``variables`` or ``extensions`` not objects): those answers (400s) are its own."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    query = data.get("query")
    variables = data.get("variables")
    extensions = data.get("extensions")
    if not isinstance(query, str) or not query:
        return None
    if not (variables is None or isinstance(variables, dict)) or not (
        extensions is None or isinstance(extensions, dict)
    ):
        return None
    operation_name = data.get("operationName")
    if not (operation_name is None or isinstance(operation_name, str)):
        return None
    key: str | None = None
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            key = value.decode("latin-1")
            break
    return JsonPost(query, variables, operation_name, extensions, key)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read once, then whatever the client sends next."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def answer(send: Send, status: int, body: bytes, *, text: bool = False) -> None:
    """Send a whole answer: JSON, or plain UTF-8 text (``text``), with its length."""
    headers = [(b"content-length", str(len(body)).encode()), _TEXT_HEADER if text else _JSON_HEADER]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
