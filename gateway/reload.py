"""The gateway's schema at run time: compose the configured subgraphs, and recompose while serving.

:class:`SupergraphSource` reads ``subgraphs.toml`` (again at every reload, so a subgraph added to the file is picked
up), reads every subgraph's SDL (its file, or ``_service { sdl }`` at its URL), composes, and — when the composed
supergraph's hash differs from the one being served — swaps the :class:`~gateway.live.LiveGateway` to it. Requests
already running finish on the schema they started with.

When the config cannot be read, a subgraph cannot be fetched, composition fails or the result cannot be loaded, the
gateway keeps serving the last good schema; the problems are logged (once, when they change) and recorded on the
gateway, where ``/health`` shows them with ``"status": "degraded"``.

:meth:`SupergraphSource.watch` runs the poll loop for the app's lifetime (``create_app(..., watch=source.watch)``):
every ``poll_interval_s`` seconds, or at once on ``SIGHUP`` (when ``handle_sighup``) or
:meth:`SupergraphSource.request_reload`.

Errors::

    ReloadError                 the first composition failed: there is no schema to serve (``problems`` says why)
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from gateway.composition import (
    Composed,
    ComposeFunction,
    SdlFetcher,
    compose_subgraphs,
    default_compose,
    format_problems,
)
from gateway.live import LiveGateway, ReloadProblem, SubgraphStatus
from gateway.pipeline import SupergraphView
from gateway.subgraph_config import SubgraphConfigError, SubgraphsConfig, load_subgraph_config

__all__ = ["ReloadError", "ReloadResult", "SupergraphSource"]

log = logging.getLogger("minyi.gateway.reload")

SupergraphLoader = Callable[[str], SupergraphView]


class ReloadError(Exception):
    def __init__(self, message: str, problems: tuple[ReloadProblem, ...], subgraphs: tuple[SubgraphStatus, ...]):
        super().__init__(message)
        self.problems = problems
        self.subgraphs = subgraphs


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What one reload did: ``swapped`` to ``schema_hash``, or kept the old schema (``problems`` say why, if any)."""

    swapped: bool
    schema_hash: str | None
    subgraphs: tuple[SubgraphStatus, ...] = ()
    problems: tuple[ReloadProblem, ...] = ()
    report: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.error is None for s in self.subgraphs)


def _load_supergraph(sdl: str) -> SupergraphView:
    from schema.supergraph import load_supergraph

    return load_supergraph(sdl)


def _hash(sdl: str) -> str:
    return hashlib.sha256(sdl.encode()).hexdigest()


class SupergraphSource:
    """Composes the subgraphs of ``config_path`` (see the module docstring). ``compose`` defaults to
    ``schema.compose.compose``, imported on first use; ``fetch`` and ``load`` are seams for tests."""

    def __init__(
        self,
        config_path: Path,
        *,
        compose: ComposeFunction | None = None,
        fetch: SdlFetcher | None = None,
        load: SupergraphLoader = _load_supergraph,
        timeout_s: float = 10.0,
        poll_interval_s: float | None = None,
        handle_sighup: bool = False,
    ) -> None:
        self.config_path = config_path
        self._compose = compose
        self._fetch = fetch
        self._load = load
        self.timeout_s = timeout_s
        self._interval_override = poll_interval_s
        self.poll_interval_s = poll_interval_s if poll_interval_s is not None else 10.0
        self.handle_sighup = handle_sighup
        self._wake: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._last_logged: tuple[ReloadProblem | SubgraphStatus, ...] = ()
        self.reloads = 0
        self.last: ReloadResult | None = None
        self._waiters: list[asyncio.Future[ReloadResult]] = []

    # -- composing --------------------------------------------------------------------------------------------------

    def _read_config(self) -> SubgraphsConfig:
        config = load_subgraph_config(self.config_path)
        if self._interval_override is None:
            self.poll_interval_s = config.poll_interval_s
        return config

    async def _compose_now(self, config: SubgraphsConfig) -> Composed:
        if self._compose is None:
            self._compose = default_compose()
        if self._fetch is None:
            return await compose_subgraphs(config, self._compose, timeout_s=self.timeout_s)
        return await compose_subgraphs(config, self._compose, timeout_s=self.timeout_s, fetch=self._fetch)

    async def load_initial(self) -> SupergraphView:
        """The first supergraph, or :class:`ReloadError` with every problem (nothing to fall back on yet)."""
        try:
            config = self._read_config()
        except SubgraphConfigError as error:
            problem = ReloadProblem("INVALID_SUBGRAPHS_CONFIG", str(error))
            raise ReloadError(str(error), (problem,), ()) from None
        composed = await self._compose_now(config)
        statuses = _statuses(config, composed)
        sdl = composed.supergraph_sdl
        if sdl is None:
            raise ReloadError(format_problems(composed), _problems(composed), statuses)
        try:
            return await asyncio.to_thread(self._load, sdl)
        except Exception as error:
            problem = ReloadProblem("INVALID_SUPERGRAPH", f"the composed supergraph cannot be loaded: {error}")
            raise ReloadError(problem.message, (problem,), statuses) from None

    async def reload(self, gateway: LiveGateway) -> ReloadResult:
        """Recompose now and swap when the schema changed; one reload at a time."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            result = await self._reload(gateway)
            self.reloads += 1
            self.last = result
            gateway.record(subgraphs=result.subgraphs, problems=result.problems)
            self._log(result)
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(result)
            return result

    async def _reload(self, gateway: LiveGateway) -> ReloadResult:
        current = gateway.schema_hash
        try:
            config = self._read_config()
        except SubgraphConfigError as error:
            problem = ReloadProblem("INVALID_SUBGRAPHS_CONFIG", str(error))
            return ReloadResult(False, current, gateway.subgraphs, (problem,), str(error))
        try:
            composed = await self._compose_now(config)
        except Exception as error:  # the composer's contract is never to raise; an ImportError or a bug still may
            log.exception("composition crashed")
            problem = ReloadProblem("COMPOSITION_CRASHED", f"the composer crashed: {error!r}")
            return ReloadResult(False, current, _statuses(config, None), (problem,), problem.message)
        statuses = _statuses(config, composed)
        sdl = composed.supergraph_sdl
        if sdl is None:
            return ReloadResult(False, current, statuses, _problems(composed), format_problems(composed))
        for hint in composed.outcome.hints:
            log.debug("composition hint: %s", hint)
        if _hash(sdl) == current:
            return ReloadResult(False, current, statuses)
        try:
            supergraph = await asyncio.to_thread(self._load, sdl)
            await gateway.swap(supergraph)
        except Exception as error:
            problem = ReloadProblem("INVALID_SUPERGRAPH", f"the composed supergraph cannot be served: {error}")
            return ReloadResult(False, current, statuses, (problem,), problem.message)
        return ReloadResult(True, supergraph.schema_hash, statuses)

    def _log(self, result: ReloadResult) -> None:
        if result.swapped:
            log.info("recomposed: now serving schema %s", (result.schema_hash or "")[:12])
        seen: tuple[ReloadProblem | SubgraphStatus, ...] = (
            *result.problems,
            *(s for s in result.subgraphs if s.error is not None),
        )
        if seen == self._last_logged:
            return
        self._last_logged = seen
        if seen:
            log.error(
                "keeping schema %s: the subgraphs do not compose\n%s", (result.schema_hash or "")[:12], result.report
            )
        elif not result.swapped:
            log.info("the subgraphs compose again (schema %s unchanged)", (result.schema_hash or "")[:12])

    # -- polling ----------------------------------------------------------------------------------------------------

    def next_reload(self) -> asyncio.Future[ReloadResult]:
        """A future for the result of the next reload to finish (whatever started it)."""
        waiter: asyncio.Future[ReloadResult] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        return waiter

    def request_reload(self) -> None:
        """Reload at once (what ``SIGHUP`` does). Call it on the gateway's loop."""
        if self._wake is not None:
            self._wake.set()

    @contextlib.asynccontextmanager
    async def watch(self, gateway: LiveGateway) -> AsyncIterator[SupergraphSource]:
        """Poll (and listen for ``SIGHUP``) while the context is open; for ``create_app(watch=...)``."""
        self._wake = asyncio.Event()
        loop = asyncio.get_running_loop()
        sighup = False
        if self.handle_sighup and hasattr(signal, "SIGHUP"):
            try:
                loop.add_signal_handler(signal.SIGHUP, self.request_reload)
                sighup = True
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
                log.warning("SIGHUP cannot be handled here; the gateway reloads only by polling")
        task = asyncio.create_task(self._poll(gateway), name="minyi supergraph poll")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if sighup:
                loop.remove_signal_handler(signal.SIGHUP)
            self._wake = None

    async def _poll(self, gateway: LiveGateway) -> None:
        wake = self._wake
        assert wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.poll_interval_s)
            wake.clear()
            try:
                await self.reload(gateway)
            except Exception:  # a bug here must not stop the polling
                log.exception("reloading the supergraph failed")


def _statuses(config: SubgraphsConfig, composed: Composed | None) -> tuple[SubgraphStatus, ...]:
    failed = {f.name: f.reason for f in composed.failures} if composed is not None else {}
    return tuple(SubgraphStatus(e.name, e.url, failed.get(e.name)) for e in config.subgraphs)


def _problems(composed: Composed) -> tuple[ReloadProblem, ...]:
    return tuple(
        ReloadProblem(e.code, e.message, e.subgraph, e.type_name, e.field_name) for e in composed.outcome.errors
    )
