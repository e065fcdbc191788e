"""authlib's generic authorization server wrapped for Starlette.

authlib's server classes are synchronous: they read an :class:`OAuth2Request`, call hooks (find the client, find a
token, revoke it) and return ``(status, body, headers)``. :class:`StarletteServer` reads the Starlette request on
the event loop first (:func:`read_request`: method, public URL, headers, form), then runs authlib in a worker
thread (:meth:`StarletteServer.respond`). The hooks reach the provider's stores, which are asynchronous (redis-py's
asyncio client, or the in-process store), back on the event loop through :func:`on_loop` — so a hook waits for
Redis without blocking the loop, and every store keeps one client.

Clients are the registry's :class:`~auth.clients.Client`, seen by authlib through :class:`OAuthClient`: a public
client authenticates with ``none`` (its ``client_id`` alone), a confidential one with ``client_secret_basic`` or
``client_secret_post`` — never ``none``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.from_thread
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    JsonPayload,
    JsonRequest,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from auth.clients import Client, ClientRegistry

__all__ = ["NO_STORE", "OAuthClient", "ReadRequest", "StarletteServer", "on_loop", "read_request"]

T = TypeVar("T")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # every answer of these endpoints (RFC 6749 §5.1)

PUBLIC_AUTH_METHODS = ("none",)
CONFIDENTIAL_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def on_loop(fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """From an authlib hook (a worker thread started by :meth:`StarletteServer.respond`): run ``fn(*args)`` on
    the event loop that started the thread and wait for its result."""
    return anyio.from_thread.run(fn, *args)


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """A Starlette request read in full on the event loop: authlib reads it later from a worker thread."""

    method: str
    uri: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    form: Mapping[str, str]
    json: Any = None
    cookies: Mapping[str, str] = field(default_factory=dict)
    plain_http_ok: bool = False  # dev mode: authlib's HTTPS check is waived (a demo on a LAN address)


async def read_request(request: Request, public_base: str, *, plain_http_ok: bool = False) -> ReadRequest:
    """``uri`` is the endpoint's public URL (``public_base`` + the path below the mount): authlib refuses plain
    HTTP unless it is loopback, and behind a TLS-terminating proxy the URL the app sees is not the public one."""
    form: dict[str, str] = {}
    json_body: Any = None
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.startswith("application/json"):
        json_body = await request.json()
    elif request.method == "POST":
        form = {k: str(v) for k, v in (await request.form()).items()}
    path = request.url.path
    mount = request.scope.get("root_path", "")
    below = path[len(mount) :] if mount and path.startswith(mount) else path
    query = f"?{request.url.query}" if request.url.query else ""
    return ReadRequest(
        method=request.method,
        uri=f"{public_base}{below}{query}",
        headers=request.headers,  # case-insensitive, as authlib reads "Authorization"
        query=dict(request.query_params),
        form=form,
        json=json_body,
        cookies=dict(request.cookies),
        plain_http_ok=plain_http_ok,
    )


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = dict(data)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self._data.items()}


class _Request(OAuth2Request):  # type: ignore[misc]
    def __init__(self, read: ReadRequest) -> None:
        checked = read.uri
        if read.plain_http_ok and checked.startswith("http://"):
            checked = "https://" + checked[len("http://") :]
        super().__init__(method=read.method, uri=checked, headers=read.headers)  # refuses plain HTTP off loopback
        self.uri = read.uri
        self._read = read
        self.payload = _Payload({**read.query, **read.form})

    @property
    def args(self) -> Mapping[str, str]:
        return self._read.query

    @property
    def form(self) -> Mapping[str, str]:
        return self._read.form

    @property
    def cookies(self) -> Mapping[str, str]:
        return self._read.cookies


class _JsonPayload(JsonPayload):  # type: ignore[misc]
    def __init__(self, data: Any) -> None:
        self._data = data

    @property
    def data(self) -> Any:
        return self._data


class _JsonRequest(JsonRequest):  # type: ignore[misc]
    def __init__(self, read: ReadRequest) -> None:
        super().__init__(read.method, read.uri, read.headers)
        self.payload = _JsonPayload(read.json)


class OAuthClient(ClientMixin):  # type: ignore[misc]
    """A registered client as authlib sees it."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get_client_id(self) -> str:
        return self.client.client_id

    @property
    def client_metadata(self) -> dict[str, Any]:
        """The registered metadata authlib's OIDC endpoints read (RP-Initiated Logout's exact-match list)."""
        return {"post_logout_redirect_uris": list(self.client.post_logout_redirect_uris)}

    def get_default_redirect_uri(self) -> str | None:
        return None  # an authorization request names its redirect_uri, always

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(self.client.allowed_scopes((scope or "openid").split()))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return self.client.allows_redirect(redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client.check_secret(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        allowed = PUBLIC_AUTH_METHODS if self.client.public else CONFIDENTIAL_AUTH_METHODS
        return method in allowed

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.client.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.client.grant_types


class StarletteServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's authorization server over the client registry, answering Starlette responses."""

    def __init__(self, clients: ClientRegistry, scopes_supported: list[str], *, plain_http_ok: bool = False) -> None:
        super().__init__(scopes_supported=scopes_supported)
        self.clients = clients
        self.plain_http_ok = plain_http_ok

    def query_client(self, client_id: str | None) -> OAuthClient | None:
        client = self.clients.get(client_id)
        return None if client is None else OAuthClient(client)

    def create_oauth2_request(self, request: ReadRequest | OAuth2Request) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        return _Request(request)

    def create_json_request(self, request: ReadRequest) -> JsonRequest:
        return _JsonRequest(request)

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        merged = dict(headers or [])
        merged.update(NO_STORE)
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=merged)
        return Response(body or "", status_code=status, headers=merged)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    async def respond_token(self, request: Request, public_base: str) -> Response:
        """Answer a token request with the registered grants, authlib running in a worker thread."""
        read = await read_request(request, public_base, plain_http_ok=self.plain_http_ok)
        return await run_in_threadpool(self._answer, self.create_token_response, read)

    async def respond(self, endpoint: str, request: Request, public_base: str) -> Response:
        """Answer ``request`` with the registered endpoint named ``endpoint``, authlib running in a worker thread."""
        read = await read_request(request, public_base, plain_http_ok=self.plain_http_ok)
        return await run_in_threadpool(self._answer, self.create_endpoint_response, endpoint, read)

    def _answer(self, respond: Callable[..., Response], *args: Any) -> Response:
        """authlib's answer; an error it raises before its own handling (``insecure_transport``) as a response."""
        try:
            return respond(*args)
        except OAuth2Error as error:
            response: Response = self.handle_response(*error())
            return response
