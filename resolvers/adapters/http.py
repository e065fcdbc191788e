"""The one HTTP client every legacy adapter shares.

One :class:`aiohttp.ClientSession` per process (per event loop), keep-alive, with a per-call total timeout.
:class:`LegacyHttp` is the only place that touches aiohttp: it sends a request and returns status, headers and
body, translating every aiohttp failure and timeout into :class:`~resolvers.adapters.errors.LegacyUnavailable`.
Protocol decoding (JSON, SOAP) is the adapters' business. Each call carries the W3C ``traceparent`` of the
subgraph request it serves (``subgraphs.common.trace_context``), so a trace follows it to the legacy system.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import orjson
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from resolvers.adapters.errors import LegacyError, LegacyNotFound, LegacyProtocolError, LegacyUnavailable

__all__ = [
    "REQUEST_ID_HEADER",
    "AdapterOptions",
    "HttpAnswer",
    "LegacyHttp",
    "close_shared_session",
    "gather_limited",
    "read_each",
]

# A write carries its dispatch step's request id here; a legacy system that keeps receipts writes it once.
REQUEST_ID_HEADER = "X-Request-Id"

T = TypeVar("T")
R = TypeVar("R")

_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
_trace_context = TraceContextTextMapPropagator()


def _shared_session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        connector = aiohttp.TCPConnector(limit=200, limit_per_host=64, keepalive_timeout=30)
        session = aiohttp.ClientSession(connector=connector, json_serialize=lambda o: orjson.dumps(o).decode())
        _sessions[loop] = session
    return session


async def close_shared_session() -> None:
    """Close this event loop's shared session (call at process or test shutdown)."""
    loop = asyncio.get_running_loop()
    session = _sessions.pop(loop, None)
    if session is not None and not session.closed:
        await session.close()


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterOptions:
    """How an adapter reaches its legacy system.

    ``timeout_s`` bounds one legacy call end to end; ``max_concurrency`` bounds the calls in flight from one
    process to one system (legacy systems fall over under fan-out); ``batch_size`` is the most ids one batch
    read carries, on systems that have one.
    """

    base_url: str
    username: str = ""
    password: str = ""
    timeout_s: float = 2.0
    max_concurrency: int = 8
    batch_size: int = 100


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self, system: str) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise LegacyProtocolError(system, f"answer is not JSON (HTTP {self.status})") from exc


class LegacyHttp:
    """Sends HTTP requests to one legacy system and maps transport failures onto ``LegacyError``."""

    def __init__(self, system: str, options: AdapterOptions) -> None:
        self.system = system
        self.options = options
        self._base = options.base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=options.timeout_s)
        self.semaphore = asyncio.Semaphore(options.max_concurrency)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        accept_statuses: frozenset[int] = frozenset(),
    ) -> HttpAnswer:
        """One request, at most ``max_concurrency`` at a time; 5xx answers count as unavailable.

        ``accept_statuses`` lists 5xx statuses whose body the protocol reads itself (SOAP 1.1 sends faults with
        HTTP 500); they are returned like any other answer.
        """
        url = self._base + path
        body: Any = orjson.dumps(json) if json is not None else data
        hdrs = dict(headers or {})
        if json is not None:
            hdrs.setdefault("Content-Type", "application/json")
        _trace_context.inject(hdrs)  # the trace of the request this call serves (W3C traceparent), if any
        async with self.semaphore:
            try:
                session = _shared_session()
                async with session.request(
                    method, url, params=params, data=body, headers=hdrs, timeout=self._timeout
                ) as resp:
                    payload = await resp.read()
                    answer = HttpAnswer(resp.status, dict(resp.headers), payload)
            except TimeoutError as exc:
                raise LegacyUnavailable(
                    self.system, f"no answer within {self.options.timeout_s:g}s ({method} {path})"
                ) from exc
            except aiohttp.ClientError as exc:
                raise LegacyUnavailable(self.system, f"cannot reach {self._base}: {type(exc).__name__}") from exc
        if answer.status >= 500 and answer.status not in accept_statuses:
            raise LegacyUnavailable(self.system, f"HTTP {answer.status} from {method} {path}")
        return answer


async def gather_limited(items: Iterable[T], func: Callable[[T], Awaitable[R]], limit: int) -> list[R | BaseException]:
    """Run ``func`` over ``items`` with at most ``limit`` in flight; failures come back in place as exceptions."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: T) -> R:
        async with semaphore:
            return await func(item)

    return list(await asyncio.gather(*(one(i) for i in items), return_exceptions=True))


K = TypeVar("K")


async def read_each(keys: Sequence[K], read_one: Callable[[K], Awaitable[T]]) -> list[T | LegacyError | None]:
    """For systems without a batch read: one read per distinct key, in the order asked.

    A missing record (``LegacyNotFound``) is ``None``; any other legacy failure comes back in place. Concurrency is
    bounded by the adapter's :class:`LegacyHttp` semaphore, which every read goes through.
    """

    async def one(key: K) -> T | None:
        try:
            return await read_one(key)
        except LegacyNotFound:
            return None

    distinct = list(dict.fromkeys(keys))
    answers = await asyncio.gather(*(one(k) for k in distinct), return_exceptions=True)
    found: dict[K, T | LegacyError | None] = {}
    for key, answer in zip(distinct, answers, strict=True):
        if isinstance(answer, BaseException) and not isinstance(answer, LegacyError):
            raise answer
        found[key] = answer
    return [found[k] for k in keys]
