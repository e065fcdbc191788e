"""The :class:`~gateway.executor.fetcher.Fetcher` over HTTP: GraphQL-over-HTTP POSTs to each subgraph's URL.

One ``aiohttp.ClientSession`` (created on first use, so inside the running loop) serves every subgraph with
keep-alive connections; ``close()`` releases it. Requests are ``POST`` with an orjson body and
``Accept: application/graphql-response+json, application/json``; each subgraph may have its own timeout. An answer
is read up to ``max_response_bytes`` (16 MiB by default): a larger one — announced by ``Content-Length`` or found
while reading — is dropped unread and is a failure saying so, so one subgraph cannot fill the gateway's memory.

aiohttp's errors never leave this module (translated at the boundary, as the fetcher contract requires): an
unreachable subgraph, a timeout, a body that is not JSON, or an HTTP error status without a GraphQL body becomes a
:class:`~gateway.executor.fetcher.SubgraphResponse` with ``failure`` set (``SUBGRAPH_UNAVAILABLE``) and a short
reason that is safe to show a client. An error status *with* a GraphQL body (``{"errors": [...]}``, as the
GraphQL-over-HTTP spec answers with ``application/graphql-response+json``) is returned as data and errors.

Each subgraph may have a circuit breaker (``breakers``, :class:`resilience.CircuitBreaker`): a call that fails
(no answer in time, no connection, 502/503/504 without a GraphQL body) counts against it; while it is open the
subgraph is not called and the request fails at once with ``CIRCUIT_OPEN``. Queries — never mutations — are
retried after a refused or broken connection or a 502/503/504, with jittered delays (``retry``); a timeout is not
retried (the subgraph had its whole time), nor is anything once the circuit has opened.

With ``merge_inflight`` (the default) identical queries in flight at the same moment share one HTTP call
(:mod:`gateway.executor.inflight`): same subgraph, byte-identical body, identical headers. Each caller decodes the
shared answer itself, so no two requests share mutable data. The trace context (``traceparent``, ``tracestate``)
is not part of what must be identical: a merged call carries the trace context of the caller that made it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any

import aiohttp
import orjson

from gateway.executor.fetcher import SubgraphRequest, SubgraphResponse
from gateway.executor.inflight import InflightCalls
from resilience import CircuitBreaker, CircuitState, Permit, RetryPolicy, retry_delays

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "HttpFetcher"]

DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

logger = logging.getLogger(__name__)

IDLE_CONNECTION_S = 4.0
_ACCEPT = "application/graphql-response+json, application/json"

_Key = tuple[str, bytes, tuple[tuple[str, str], ...]]
_TRACE_HEADERS = frozenset({"traceparent", "tracestate"})
_RETRYABLE_STATUSES = frozenset({502, 503, 504})
NO_RETRIES = RetryPolicy(retries=0)
CIRCUIT_OPEN = "CIRCUIT_OPEN"


@dataclass(frozen=True, slots=True)
class _Answer:
    """What came back over HTTP: a status and body, or a failure (then no body)."""

    status: int = 0
    raw: bytes = b""
    failure: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    code: str = "SUBGRAPH_UNAVAILABLE"
    retryable: bool = False  # a query may be sent again: the connection broke, or 502/503/504


class HttpFetcher:
    """Sends subgraph requests over one keep-alive ``aiohttp`` session.

    ``urls`` maps subgraph names (as in ``join__graph(name:)``) to URLs; ``timeout_s`` is one timeout in seconds for
    all, or one per subgraph (subgraphs not named get 30 s); ``headers`` are added to every request, and a
    request's own ``headers`` (the internal token of :mod:`gateway.subgraph_auth`) to that request;
    ``merge_inflight`` lets identical queries in flight share one call (see the module docstring);
    ``keep_headers`` keeps each answer's response headers in :attr:`SubgraphResponse.headers` (for the header
    propagation rules of :mod:`gateway.header_rules`); ``max_response_bytes`` caps the size of one answer;
    ``breakers`` gives each subgraph's circuit breaker (none: every call goes), ``retry`` how queries are retried.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        *,
        timeout_s: float | Mapping[str, float] = 30,
        headers: Mapping[str, str] | None = None,
        connections: int = 100,
        merge_inflight: bool = True,
        keep_headers: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        breakers: Callable[[str], CircuitBreaker] | None = None,
        retry: RetryPolicy = NO_RETRIES,
    ) -> None:
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self._max_bytes = max_response_bytes
        self._urls = dict(urls)
        self._keep_headers = keep_headers
        if isinstance(timeout_s, Mapping):
            seconds = {name: float(timeout_s.get(name, 30)) for name in self._urls}
        else:
            seconds = dict.fromkeys(self._urls, float(timeout_s))
        self._seconds = seconds
        self._timeouts = {name: aiohttp.ClientTimeout(total=value) for name, value in seconds.items()}
        self._headers = {"Content-Type": "application/json", "Accept": _ACCEPT, **(headers or {})}
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._breakers = breakers
        self._retry = retry
        self.inflight: InflightCalls[_Key, _Answer] | None = InflightCalls() if merge_inflight else None

    def _client(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed:
            # An idle pooled connection is dropped before a subgraph server would close it (uvicorn's keep-alive is
            # 5 s): a request sent on a connection the server has just closed fails without an answer.
            connector = aiohttp.TCPConnector(
                limit=self._connections, ttl_dns_cache=300, keepalive_timeout=IDLE_CONNECTION_S
            )
            session = aiohttp.ClientSession(
                connector=connector, headers=self._headers, cookie_jar=aiohttp.DummyCookieJar()
            )
            self._session = session
        return session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> HttpFetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        url = self._urls.get(subgraph)
        if url is None:
            return SubgraphResponse(failure="no URL is configured for it")
        payload: dict[str, Any] = {"query": request.query}
        if request.variables:
            payload["variables"] = request.variables
        if request.operation_name is not None:
            payload["operationName"] = request.operation_name
        try:
            body = orjson.dumps(payload)
        except TypeError:
            return SubgraphResponse(failure="the request variables cannot be sent as JSON")
        headers = request.headers

        def post() -> Awaitable[_Answer]:
            return self._post(subgraph, url, body, headers)

        query = _is_query(request.query)
        delays = retry_delays(self._retry) if query else iter(())
        while True:
            if self.inflight is not None and query:
                key = (subgraph, body, _identity(headers))
                answer = await self.inflight.run(key, post)
            else:
                answer = await post()
            if not answer.retryable:
                break
            delay = next(delays, None)
            if delay is None or (
                self._breakers is not None and self._breakers(subgraph).state is not CircuitState.CLOSED
            ):
                break
            await asyncio.sleep(delay)
        if answer.failure is not None:
            if answer.status and answer.raw:  # an HTTP error with a body: a GraphQL body is still read
                return _decode(answer.status, answer.raw)
            return SubgraphResponse(failure=answer.failure, failure_code=answer.code)
        decoded = _decode(answer.status, answer.raw)
        return replace(decoded, headers=answer.headers) if answer.headers else decoded

    async def _post(self, subgraph: str, url: str, body: bytes, headers: Mapping[str, str] | None) -> _Answer:
        """One call through the subgraph's breaker (a merged call is judged once)."""
        if self._breakers is None:
            return await self._send(subgraph, url, body, headers)
        breaker = self._breakers(subgraph)
        permit = breaker.allow()
        if permit is None:
            return _Answer(failure="not called: it failed repeatedly and is left to recover", code=CIRCUIT_OPEN)
        answer: _Answer | None = None
        try:
            answer = await self._send(subgraph, url, body, headers)
            return answer
        finally:
            _judge(breaker, permit, answer)

    async def _send(self, subgraph: str, url: str, body: bytes, headers: Mapping[str, str] | None) -> _Answer:
        try:
            async with self._client().post(
                url, data=body, headers=headers, timeout=self._timeouts[subgraph]
            ) as response:
                raw = await _read_at_most(response, self._max_bytes)
                if raw is None:
                    return _Answer(failure=f"its answer is larger than the limit of {self._max_bytes} bytes")
                if response.status >= 500:  # a failure for the breaker; a GraphQL body in it is still read
                    retryable = response.status in _RETRYABLE_STATUSES
                    return _Answer(response.status, raw, failure=f"HTTP {response.status}", retryable=retryable)
                if self._keep_headers:
                    kept = tuple((name.lower(), value) for name, value in response.headers.items())
                    return _Answer(response.status, raw, headers=kept)
                return _Answer(response.status, raw)
        except TimeoutError:  # aiohttp's timeouts (asyncio.TimeoutError is TimeoutError since 3.11)
            return _Answer(failure=f"no answer within {self._seconds[subgraph]:g} s")
        except aiohttp.ClientConnectorError:
            return _Answer(failure="cannot connect", retryable=True)
        except (aiohttp.ClientError, OSError) as exc:
            logger.info("request to subgraph %r failed: %r", subgraph, exc)
            return _Answer(failure="the connection failed", retryable=True)


def _judge(breaker: CircuitBreaker, permit: Permit, answer: _Answer | None) -> None:
    """A call with no answer (cancelled) frees its permit; one that failed counts against the subgraph."""
    if answer is None:
        breaker.released(permit)
    elif answer.failure is not None:
        breaker.failed(permit)
    else:
        breaker.succeeded(permit)


async def _read_at_most(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body, or ``None`` when it is longer than ``limit`` bytes (then the rest is never read)."""
    if response.content_length is not None and response.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(65536):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _identity(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """The headers that must be identical for two requests to merge: all but the trace context."""
    if not headers:
        return ()
    return tuple(sorted((name, value) for name, value in headers.items() if name.lower() not in _TRACE_HEADERS))


def _is_query(document: str) -> bool:
    """Whether a subgraph document is a query (the planner writes ``query …`` or ``mutation …``; ``{`` is a query)."""
    start = document.lstrip()
    return start.startswith("{") or (start.startswith("query") and not start[5:6].isalnum())


def _decode(status: int, raw: bytes) -> SubgraphResponse:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        reason = f"HTTP {status}" if status >= 400 else "the answer is not JSON"
        return SubgraphResponse(failure=reason)
    if not isinstance(body, dict) or ("data" not in body and "errors" not in body):
        reason = f"HTTP {status}" if status >= 400 else "the answer is not a GraphQL response"
        return SubgraphResponse(failure=reason)
    errors = body.get("errors")
    if errors is None:
        listed: tuple[Mapping[str, Any], ...] = ()
    elif isinstance(errors, list):
        listed = tuple(e if isinstance(e, dict) else {"message": str(e)} for e in errors)
    else:
        listed = ({"message": str(errors)},)
    return SubgraphResponse(data=body.get("data"), errors=listed)
