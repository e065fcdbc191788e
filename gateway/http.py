"""GraphQL over HTTP: the ``/graphql`` endpoint as a plain ASGI callable.

Implements the GraphQL-over-HTTP spec (graphql.github.io/graphql-over-http, 2024 draft):

- POST with ``Content-Type: application/json`` and a JSON object ``{query, operationName, variables,
  extensions}``; GET with the same parameters in the query string (``variables``/``extensions`` JSON-encoded),
  for queries only — any other operation over GET answers 405 (§ GET).
- The response media type follows ``Accept``: ``application/graphql-response+json`` when the client accepts it
  (at least as much as ``application/json``), else ``application/json``. Under the former a request error (parse,
  validation, limits, variables) answers 400; under the latter 200 (§ Status Codes). Malformed requests (bad
  JSON, no query, variables not an object) answer 400 under both.
- CSRF prevention, the rule of Apollo Server's ``csrfPrevention``: a request that a browser would send without a
  CORS preflight — no ``Content-Type``, or one of ``application/x-www-form-urlencoded``, ``multipart/form-data``,
  ``text/plain``, and none of the :data:`PREFLIGHT_HEADERS` — is refused with 400 before anything else is done.
- Bodies larger than ``max_body_bytes`` answer 413, decided from ``Content-Length`` when given, else while reading:
  the body is read chunk by chunk and reading stops at the limit, so a 10 MB body is never buffered.

The endpoint reads raw ASGI messages rather than building Starlette ``Request``/``Response`` objects: it is the hot
path, and every allocation there is CPU per request.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs

import orjson
import structlog
from opentelemetry.trace import SpanKind, Status, StatusCode

from auth.principal import PRINCIPAL_SCOPE_KEY, Principal
from auth.proxies import TrustedProxies
from gateway.metrics import GatewayMetrics
from gateway.pipeline import GraphQLRequest, Outcome
from gateway.rate_limits import Decision, RateLimiter
from gateway.tracing import context_from_headers

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "PREFLIGHT_HEADERS",
    "PRINCIPAL_SCOPE_KEY",
    "GraphQLEndpoint",
    "RequestRunner",
    "choose_media_type",
]

log = logging.getLogger("minyi.gateway.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

APPLICATION_JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
SIMPLE_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
PREFLIGHT_HEADERS = (
    b"x-minyi-csrf",
    b"apollo-require-preflight",
    b"graphql-require-preflight",
    b"x-apollo-operation-name",
)
PLAN_HEADER = b"x-minyi-plan"
REQUEST_ID_HEADER = b"x-request-id"
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")
IDEMPOTENCY_HEADER = b"idempotency-key"  # passed on to the subgraphs of a POSTed operation (write-through dispatch)
CLIENT_NAME_HEADER = b"apollographql-client-name"  # the client of an anonymous request, for its rate limit
FORWARDED_FOR_HEADER = b"x-forwarded-for"

_CONTENT_TYPE_HEADER = {
    APPLICATION_JSON: b"application/json; charset=utf-8",
    GRAPHQL_RESPONSE_JSON: b"application/graphql-response+json; charset=utf-8",
}
_CSRF_MESSAGE = (
    "This request has been blocked as a potential Cross-Site Request Forgery (CSRF). Send a Content-Type header "
    "other than application/x-www-form-urlencoded, multipart/form-data or text/plain, or a non-empty "
    "X-Minyi-Csrf (or Apollo-Require-Preflight, GraphQL-Require-Preflight) header."
)


class RequestRunner(Protocol):
    """What runs a decoded request: a :class:`~gateway.pipeline.Pipeline`, or the app's
    :class:`~gateway.live.LiveGateway`, which hands it to its current pipeline."""

    async def run(self, request: GraphQLRequest, *, read_only: bool = ..., want_plan: bool = ...) -> Outcome: ...


class BadRequest(Exception):
    """A malformed GraphQL-over-HTTP request: answered with ``status`` and one error, whatever the media type."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class RateLimited(BadRequest):
    """Over a rate limit: 429 with ``Retry-After``."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(
            f"Too many requests (the {decision.limited_by} limit); retry after {decision.retry_after_header} s.",
            429,
            "RATE_LIMITED",
        )
        self.decision = decision


def _essence(content_type: bytes) -> str:
    return content_type.split(b";", 1)[0].strip().lower().decode("latin-1")


_accept_memo: dict[bytes, str] = {}


def choose_media_type(accept: bytes | None) -> str:
    """The response media type for an ``Accept`` header: the accepted one of the two with the higher quality,
    ``application/graphql-response+json`` on a tie; ``application/json`` when neither is named (or no header)."""
    if not accept or b"graphql-response+json" not in accept:
        return APPLICATION_JSON
    chosen = _accept_memo.get(accept)
    if chosen is not None:
        return chosen
    qualities: dict[str, float] = {}
    for part in accept.decode("latin-1").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        qualities[media] = max(quality, qualities.get(media, 0.0))
    modern = qualities.get(GRAPHQL_RESPONSE_JSON, 0.0)
    legacy = qualities.get(APPLICATION_JSON, 0.0)
    chosen = GRAPHQL_RESPONSE_JSON if modern > 0 and modern >= legacy else APPLICATION_JSON
    if len(_accept_memo) < 256:  # a handful of distinct Accept headers exist in practice
        _accept_memo[accept] = chosen
    return chosen


def _json_param(raw: Any, name: str, encoded: bool) -> dict[str, Any] | None:
    if raw is None:
        return None
    if encoded and isinstance(raw, str):  # GET: JSON-encoded in the query string
        if raw == "":
            return None
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadRequest(f"`{name}` is not valid JSON.") from None
        if raw is None:
            return None
    if not isinstance(raw, dict):
        raise BadRequest(f"`{name}` must be a JSON object.")
    return raw


def decode_params(
    params: Any, *, from_query_string: bool = False, principal: Principal | None = None
) -> GraphQLRequest:
    """The GraphQL-over-HTTP request parameters from a decoded JSON body or a query-string mapping (where
    ``variables`` and ``extensions`` are JSON-encoded strings)."""
    if isinstance(params, list):
        raise BadRequest("Batched requests (a JSON array) are not supported; send one request per operation.")
    if not isinstance(params, dict):
        raise BadRequest("The request body must be a JSON object with a `query` member.")
    extensions = _json_param(params.get("extensions"), "extensions", from_query_string)
    query = params.get("query")
    if query == "" or query is None:
        query = None
        if not extensions or "persistedQuery" not in extensions:  # an automatic persisted query has no text
            raise BadRequest("The request has no `query`: send the GraphQL document as a string in `query`.")
    elif not isinstance(query, str):
        raise BadRequest("The request has no `query`: send the GraphQL document as a string in `query`.")
    operation_name = params.get("operationName")
    if operation_name == "":
        operation_name = None
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string or null.")
    return GraphQLRequest(
        query,
        operation_name,
        _json_param(params.get("variables"), "variables", from_query_string),
        extensions,
        principal,
    )


class _RequestIds:
    """Fresh request ids: 32 hex digits, a random half drawn once per process (again in a forked child) and a
    counter, so no two requests of any process share one, without a system call for randomness per request."""

    def __init__(self) -> None:
        self._renew()
        os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(secrets.randbits(32))

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


_fresh_request_id = _RequestIds()


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's (or the load balancer's) ``X-Request-Id`` when it is a short token, else a fresh one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER and _REQUEST_ID.fullmatch(value):
            return value.decode("ascii")
    return _fresh_request_id()


def outcome_of(status: int, body: dict[str, Any]) -> str:
    """The ``outcome`` label of :mod:`gateway.metrics`: success, partial, request_error or failure."""
    if status >= 500:
        return "failure"
    if not body.get("errors"):
        return "success"
    return "partial" if body.get("data") is not None else "request_error"


class GraphQLEndpoint:
    """The ``/graphql`` ASGI endpoint; ``pipeline`` is set when the app starts (see :func:`gateway.app.create_app`).

    Every request gets a request id (the client's ``X-Request-Id`` when it sends a sane one, else a fresh one),
    bound to the structured logs of everything the request does and sent back in ``X-Request-Id``. ``metrics``
    counts and times requests by operation name and outcome; ``tracer`` opens the ``graphql.request`` span, under
    the caller's ``traceparent`` when it sends one."""

    def __init__(
        self,
        *,
        max_body_bytes: int,
        dev: bool = False,
        pipeline: RequestRunner | None = None,
        metrics: GatewayMetrics | None = None,
        tracer: Tracer | None = None,
        rate_limiter: RateLimiter | None = None,
        proxies: TrustedProxies | None = None,
        collect_headers: bool = False,
    ) -> None:
        self.collect_headers = collect_headers  # every client header goes into the request (propagation rules)
        self.rate_limiter = rate_limiter if rate_limiter is not None and rate_limiter.active else None
        self.proxies = proxies if proxies is not None else TrustedProxies()
        self.max_body_bytes = max_body_bytes
        self.dev = dev
        self.pipeline = pipeline
        self.metrics = metrics
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope["headers"])
        metrics = self.metrics
        if metrics is not None:
            metrics.in_flight.inc()
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)  # in every log line of the request
        try:
            if self.tracer is None:
                await self._serve(scope, receive, send, request_id, None)
            else:
                with self.tracer.start_as_current_span(
                    "graphql.request", context=context_from_headers(scope["headers"]), kind=SpanKind.SERVER
                ) as span:
                    span.set_attribute("minyi.request_id", request_id)
                    await self._serve(scope, receive, send, request_id, span)
        finally:
            structlog.contextvars.reset_contextvars(**bound)
            if metrics is not None:
                metrics.in_flight.dec()

    async def _serve(self, scope: Scope, receive: Receive, send: Send, request_id: str, span: Span | None) -> None:
        started = time.perf_counter()
        content_type: bytes | None = None
        accept: bytes | None = None
        content_length: bytes | None = None
        preflighted = False
        want_plan = False
        idempotency_key: bytes | None = None
        client_name: bytes | None = None
        forwarded_for: list[str] = []
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"accept":
                accept = value if accept is None else accept + b"," + value
            elif name == b"content-length":
                content_length = value
            elif name in PREFLIGHT_HEADERS:
                preflighted = preflighted or bool(value.strip())
            elif name == PLAN_HEADER:
                want_plan = value.strip() == b"1"
            elif name == IDEMPOTENCY_HEADER:
                idempotency_key = value.strip()
            elif name == CLIENT_NAME_HEADER:
                client_name = value.strip()
            elif name == FORWARDED_FOR_HEADER:
                forwarded_for.append(value.decode("latin-1"))
        media_type = choose_media_type(accept)
        method = scope["method"]
        status = 200
        body: dict[str, Any]
        operation_name: str | None = None
        extra_headers: list[tuple[bytes, bytes]] = []
        try:
            if self.rate_limiter is not None:
                await self._rate_limit(self.rate_limiter, scope, client_name, forwarded_for)
            essence = _essence(content_type) if content_type is not None else None
            if method not in ("GET", "POST"):
                raise BadRequest("Use GET or POST on /graphql.", 405, "METHOD_NOT_ALLOWED")
            if not preflighted and (essence is None or essence in SIMPLE_CONTENT_TYPES):
                raise BadRequest(_CSRF_MESSAGE, 400, "CSRF_PREVENTED")
            if method == "POST":
                if essence != APPLICATION_JSON:
                    raise BadRequest("POST requests must have Content-Type: application/json.", 415)
                raw = await self._read_body(receive, content_length)
                if raw is None:  # the client went away
                    return
                try:
                    params = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    raise BadRequest("The request body is not valid JSON.") from None
                request = decode_params(params, principal=scope.get(PRINCIPAL_SCOPE_KEY))
                if idempotency_key:  # mutations only come by POST; the subgraph that writes reads the key
                    request = replace(request, forward_headers={"Idempotency-Key": idempotency_key.decode("latin-1")})
            else:
                query = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                request = decode_params(
                    {k: v[0] for k, v in query.items()},
                    from_query_string=True,
                    principal=scope.get(PRINCIPAL_SCOPE_KEY),
                )
            if self.collect_headers:
                request = replace(
                    request,
                    client_headers=tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in scope["headers"]),
                )
            operation_name = request.operation_name
            pipeline = self.pipeline
            if pipeline is None:
                raise BadRequest("The gateway is starting.", 503, "SERVICE_UNAVAILABLE")
            outcome: Outcome = await pipeline.run(request, read_only=method == "GET", want_plan=want_plan and self.dev)
            body = outcome.body
            if outcome.headers:
                extra_headers += [(n.encode("latin-1"), v.encode("latin-1")) for n, v in outcome.headers]
            if outcome.status is not None:
                status = outcome.status
            elif outcome.request_error and media_type == GRAPHQL_RESPONSE_JSON:
                status = 400
        except RateLimited as error:
            status = error.status
            retry_after = error.decision.retry_after_header
            extra_headers.append((b"retry-after", retry_after.encode()))
            extensions = {
                "code": error.code,
                "retryable": True,
                "retryAfter": int(retry_after),
                "limit": error.decision.limited_by,
            }
            body = {"errors": [{"message": error.message, "extensions": extensions}]}
        except BadRequest as error:
            status = error.status
            body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
        except Exception:
            log.exception("the gateway failed on a request")
            status = 500
            body = {"errors": [{"message": "Internal server error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
        payload = orjson.dumps(body)
        headers = [
            (b"content-type", _CONTENT_TYPE_HEADER[media_type]),
            (b"content-length", str(len(payload)).encode()),
            (b"x-request-id", request_id.encode()),
        ]
        if status == 405:
            headers.append((b"allow", b"GET, POST"))
        headers += extra_headers
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        if self.metrics is not None or span is not None:
            label = outcome_of(status, body)
            if self.metrics is not None:
                self.metrics.request_done(operation_name, label, time.perf_counter() - started)
            if span is not None:
                span.set_attribute("graphql.operation.name", operation_name or "")
                span.set_attribute("http.response.status_code", status)
                span.set_attribute("minyi.outcome", label)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
        errors = body.get("errors")
        if errors:
            if log.isEnabledFor(logging.WARNING):
                first = errors[0]
                code = (first.get("extensions") or {}).get("code", "")
                log.warning(
                    "%s /graphql %s op=%s %d error(s), first %s: %s",
                    method,
                    status,
                    operation_name or "-",
                    len(errors),
                    code,
                    first.get("message", ""),
                )
        elif log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s /graphql %s op=%s %.2f ms",
                method,
                status,
                operation_name or "-",
                (time.perf_counter() - started) * 1e3,
            )

    async def _rate_limit(
        self, limiter: RateLimiter, scope: Scope, client_name: bytes | None, forwarded_for: list[str]
    ) -> None:
        """Take a token for the request's user, client and address, or raise :class:`RateLimited`."""
        principal: Principal | None = scope.get(PRINCIPAL_SCOPE_KEY)
        user = principal.subject if principal is not None and principal.authenticated else None
        client = principal.client_id if principal is not None and principal.client_id else None
        if client is None and client_name:
            client = client_name.decode("latin-1")
        peer = scope.get("client")
        ip = self.proxies.client_ip(peer[0] if peer else None, forwarded_for)
        decision = await limiter.check(user=user, client=client, ip=ip)
        if not decision.allowed:
            if self.metrics is not None:
                self.metrics.rate_limited(decision.limited_by or "-")
            raise RateLimited(decision)

    async def _read_body(self, receive: Receive, content_length: bytes | None) -> bytes | None:
        """The whole body, or ``BadRequest(413)`` as soon as it exceeds the limit; ``None`` on disconnect."""
        limit = self.max_body_bytes
        if content_length is not None:
            try:
                declared = int(content_length)
            except ValueError:
                raise BadRequest("Content-Length is not a number.") from None
            if declared > limit:
                raise BadRequest(f"The request body is larger than {limit} bytes.", 413, "PAYLOAD_TOO_LARGE")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise BadRequest(f"The request body is larger than {limit} bytes.", 413, "PAYLOAD_TOO_LARGE")
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
