"""The one HTTP client every legacy adapter shares.

One :class:`aiohttp.ClientSession` per process (per event loop), keep-alive, with a per-call total timeout.
:class:`LegacyHttp` is the only place that touches aiohttp: it sends a request and returns status, headers and
body, translating every aiohttp failure and timeout into :class:`~resolvers.adapters.errors.LegacyUnavailable`.
Protocol decoding (JSON, SOAP) is the adapters' business. Each call carries the W3C ``traceparent`` of the
subgraph request it serves (``subgraphs.common.trace_context``), so a trace follows it to the legacy system.

Each system has a circuit breaker (:mod:`resolvers.adapters.circuits`): timeouts, refused connections and 5xx
answers count as failures, and so does a call still unanswered after the policy's ``slow_s`` — which opens the
circuit at once when nothing has been answered since it was sent (the system is stalled), and is then abandoned;
the trial calls of a half-open circuit go on in the background (for reads), so users never wait on them; while it is open a call fails at once with
:class:`~resolvers.adapters.errors.LegacyCircuitOpen` (a ``LegacyUnavailable``) instead of waiting for its timeout,
and the system is not called. Idempotent calls (GET and HEAD, or those the adapter marks so, such as SOAP reads)
are retried after a refused or reset connection or a 502/503/504, with jittered delays
(:mod:`resilience.backoff`); a timeout is not retried (the system had its whole time), and a write never is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import orjson
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from resilience import BreakerPolicy, CircuitBreaker, CircuitState, Permit, RetryPolicy, retry_delays
from resolvers.adapters.circuits import breaker_for
from resolvers.adapters.errors import (
    LegacyCircuitOpen,
    LegacyError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyUnavailable,
)

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

DEFAULT_BREAKER = BreakerPolicy()  # 5 failures in a row open it for 1 s
DEFAULT_RETRY = RetryPolicy()  # 2 retries, 0–50 ms then 0–100 ms

_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
_trace_context = TraceContextTextMapPropagator()


def _shared_session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        connector = aiohttp.TCPConnector(limit=200, limit_per_host=64, keepalive_timeout=30)
        session = aiohttp.ClientSession(
            connector=connector,
            json_serialize=lambda o: orjson.dumps(o).decode(),
            cookie_jar=aiohttp.DummyCookieJar(),  # no legacy system keeps a session in cookies: none to file per call
        )
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
    read carries, on systems that have one. ``breaker`` is the system's circuit breaker policy, ``retry`` how
    idempotent calls are retried.
    """

    base_url: str
    username: str = ""
    password: str = ""
    timeout_s: float = 2.0
    max_concurrency: int = 8
    batch_size: int = 100
    breaker: BreakerPolicy = DEFAULT_BREAKER
    retry: RetryPolicy = DEFAULT_RETRY


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
        self.breaker: CircuitBreaker = breaker_for(system, self._base, options.breaker)

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
        idempotent: bool | None = None,
    ) -> HttpAnswer:
        """One request, at most ``max_concurrency`` at a time; 5xx answers count as unavailable.

        ``accept_statuses`` lists 5xx statuses whose body the protocol reads itself (SOAP 1.1 sends faults with
        HTTP 500); they are returned like any other answer. ``idempotent`` (default: GET and HEAD are) allows
        retries after a transport failure; a write must never set it.
        """
        url = self._base + path
        body: Any = orjson.dumps(json) if json is not None else data
        hdrs = dict(headers or {})
        if json is not None:
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(data, Mapping):  # the form aiohttp would build, encoded here once (its FormData is slow)
            body = urlencode(data).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        _trace_context.inject(hdrs)  # the trace of the request this call serves (W3C traceparent), if any
        retryable = method.upper() in _IDEMPOTENT_METHODS if idempotent is None else idempotent
        delays = retry_delays(self.options.retry) if retryable else iter(())
        while True:
            try:
                answer = await self._call(method, path, url, params, body, hdrs, accept_statuses, retryable)
            except _Retryable as failure:
                delay = next(delays, None)
                if delay is None or self.breaker.state is not CircuitState.CLOSED:
                    raise failure.error from failure.__cause__
                await asyncio.sleep(delay)
                continue
            if answer.status >= 500 and answer.status not in accept_statuses:
                raise LegacyUnavailable(self.system, f"HTTP {answer.status} from {method} {path}")
            return answer

    async def _call(
        self,
        method: str,
        path: str,
        url: str,
        params: Mapping[str, str] | None,
        body: Any,
        hdrs: dict[str, str],
        accept_statuses: frozenset[int],
        idempotent: bool,
    ) -> HttpAnswer:
        """One attempt through the breaker; raises ``LegacyUnavailable`` (in a ``_Retryable`` when a retry may
        help). A trial call of an idempotent read goes on in the background: its caller is answered "unavailable"
        at once, so no user waits on a system that may still be hung."""
        permit = self.breaker.allow()
        if permit is None:
            raise self._short_circuit()
        attempt = self._attempt(permit, method, path, url, params, body, hdrs, accept_statuses)
        if permit.trial and idempotent:
            trial = asyncio.ensure_future(attempt)
            _trials.add(trial)
            trial.add_done_callback(_trial_done)
            raise self._short_circuit()
        return await attempt

    async def _attempt(
        self,
        permit: Permit,
        method: str,
        path: str,
        url: str,
        params: Mapping[str, str] | None,
        body: Any,
        hdrs: dict[str, str],
        accept_statuses: frozenset[int],
    ) -> HttpAnswer:
        outcome: bool | None = None
        judged = False
        try:
            async with self.semaphore:
                if self.breaker.lapsed(permit):  # opened while this call waited for its turn
                    raise self._short_circuit()
                slow_s = self.breaker.policy.slow_s
                if slow_s is None:
                    answer = await self._send(method, path, url, params, body, hdrs)
                else:
                    watch = _SlowWatch(self.breaker, permit, slow_s)
                    try:
                        answer = await self._send(method, path, url, params, body, hdrs)
                    except asyncio.CancelledError:
                        if watch.stopped_waiting():  # the circuit opened while this call was unanswered
                            raise LegacyCircuitOpen(
                                self.system, f"no answer within {slow_s:g}s ({method} {path}); left to recover"
                            ) from None
                        raise
                    finally:
                        watch.done()
                        judged = watch.judged
            outcome = answer.status < 500 or answer.status in accept_statuses  # a SOAP fault: the system is up
            return answer
        except _Retryable:
            outcome = False
            raise
        except LegacyUnavailable as exc:
            outcome = None if isinstance(exc, LegacyCircuitOpen) else False
            raise
        finally:
            if not judged:
                _judge(self.breaker, permit, outcome)

    async def _send(
        self, method: str, path: str, url: str, params: Mapping[str, str] | None, body: Any, hdrs: dict[str, str]
    ) -> HttpAnswer:
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
            error = LegacyUnavailable(self.system, f"cannot reach {self._base}: {type(exc).__name__}")
            raise _Retryable(error) from exc
        if answer.status in _RETRYABLE_STATUSES:
            raise _Retryable(LegacyUnavailable(self.system, f"HTTP {answer.status} from {method} {path}"))
        return answer

    def _short_circuit(self) -> LegacyCircuitOpen:
        return LegacyCircuitOpen(
            self.system, f"not called while it recovers: it failed {self.breaker.policy.failures} times in a row"
        )


class _SlowWatch:
    """Watches the call the current task makes: still unanswered after ``slow_s``, it counts as failed
    (:meth:`CircuitBreaker.slow`, after which ``judged``: nothing more is reported for it), and when that leaves
    the circuit open the task's wait is cancelled (:meth:`stopped_waiting` then tells that cancellation from any
    other). A timer in place of a second task per call, as :func:`asyncio.timeout` does it."""

    __slots__ = ("_breaker", "_handle", "_permit", "_sent_at", "_stopped", "_task", "judged")

    def __init__(self, breaker: CircuitBreaker, permit: Permit, slow_s: float) -> None:
        task = asyncio.current_task()
        assert task is not None, "a legacy call runs in a task"
        self._task = task
        self._breaker = breaker
        self._permit = permit
        self._sent_at = breaker.now()
        self._stopped = False
        self.judged = False
        self._handle: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(slow_s, self._slow)

    def _slow(self) -> None:
        self._handle = None
        self.judged = True
        if self._breaker.slow(self._permit, self._sent_at):  # the circuit is open: stop waiting
            self._stopped = True
            self._task.cancel()

    def stopped_waiting(self) -> bool:
        """Whether a ``CancelledError`` the task met is this watch's own (and no one else cancelled it too)."""
        return self._stopped and self._task.uncancel() == 0

    def done(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_RETRYABLE_STATUSES = frozenset({502, 503, 504})


_trials: set[asyncio.Future[HttpAnswer]] = set()  # trial calls going on in the background (kept from the collector)


def _trial_done(trial: asyncio.Future[HttpAnswer]) -> None:
    _trials.discard(trial)
    if not trial.cancelled():
        trial.exception()  # judged by the breaker already; nobody waits for the answer


class _Retryable(Exception):
    """A failed attempt after which a retry may succeed (connection refused or reset, 502/503/504)."""

    def __init__(self, error: LegacyUnavailable) -> None:
        super().__init__(str(error))
        self.error = error


def _judge(breaker: CircuitBreaker, permit: Permit, outcome: bool | None) -> None:
    if outcome is None:
        breaker.released(permit)
    elif outcome:
        breaker.succeeded(permit)
    else:
        breaker.failed(permit)


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
