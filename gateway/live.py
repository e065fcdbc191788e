"""The running gateway's current supergraph and pipeline, swappable while requests are in flight.

:class:`LiveGateway` is what ``/graphql`` calls (``run``) and what ``/health`` reads (``health``). Each supergraph
gets one *generation*: a :class:`~gateway.pipeline.Pipeline` and the fetcher it sends subgraph requests with. A
request takes the current generation when it starts and keeps it to the end, so :meth:`LiveGateway.swap` never
disturbs a request already running: new requests go to the new generation, and the old generation's fetcher is
closed once its last request has finished.

The reload machinery (:mod:`gateway.reload`) records what it saw in :meth:`LiveGateway.record` — which subgraphs it
could not fetch, the composition errors — so ``/health`` says ``degraded`` while the gateway serves the last good
schema.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.executor.fetcher import Fetcher
from gateway.pipeline import GraphQLRequest, Outcome, Pipeline, SupergraphView

__all__ = ["LiveGateway", "ReloadProblem", "SubgraphStatus"]

log = logging.getLogger("minyi.gateway.live")

PipelineFactory = Callable[[SupergraphView, Fetcher], Pipeline]
FetcherMaker = Callable[[SupergraphView], Fetcher]


@dataclass(frozen=True, slots=True)
class SubgraphStatus:
    """A subgraph as ``/health`` lists it; ``error`` says why its SDL could not be read at the last reload."""

    name: str
    url: str
    error: str | None = None

    def as_json(self) -> dict[str, str | None]:
        answer: dict[str, str | None] = {"name": self.name, "url": self.url}
        if self.error is not None:
            answer["error"] = self.error
        return answer


@dataclass(frozen=True, slots=True)
class ReloadProblem:
    """Why the last reload kept the old schema: a composition error (with its location) or another cause
    (``code`` ``INVALID_SUBGRAPHS_CONFIG``, ``INVALID_SUPERGRAPH``…)."""

    code: str
    message: str
    subgraph: str | None = None
    type_name: str | None = None
    field_name: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message": self.message,
            "subgraph": self.subgraph,
            "type": self.type_name,
            "field": self.field_name,
        }


@dataclass(slots=True, eq=False)
class _Generation:
    supergraph: SupergraphView
    pipeline: Pipeline
    fetcher: Fetcher
    owned: bool
    active: int = 0
    retired: bool = False
    closed: bool = False
    idle: asyncio.Event = field(default_factory=asyncio.Event)


async def _close(fetcher: Fetcher) -> None:
    close = getattr(fetcher, "close", None)
    if close is None:
        return
    result = close()
    if inspect.isawaitable(result):
        await result


class LiveGateway:
    """The current generation and the health report. ``fetcher`` given: every generation uses it and it is never
    closed here; otherwise ``make_fetcher(supergraph)`` makes one per generation and it is closed on retirement."""

    def __init__(
        self,
        supergraph: SupergraphView,
        *,
        build_pipeline: PipelineFactory,
        make_fetcher: FetcherMaker | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        if (fetcher is None) == (make_fetcher is None):
            raise ValueError("give LiveGateway exactly one of fetcher and make_fetcher")
        self._initial = supergraph
        self._build_pipeline = build_pipeline
        self._make_fetcher = make_fetcher
        self._fetcher = fetcher
        self._current: _Generation | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._retired: list[_Generation] = []
        self.subgraphs: tuple[SubgraphStatus, ...] = _statuses(supergraph)
        self.problems: tuple[ReloadProblem, ...] = ()
        self.last_reload = datetime.now(UTC)
        self.swaps = 0
        self.on_swap: Callable[[Pipeline], None] | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the first generation (needs the running loop: the fetcher's session does)."""
        if self._current is None:
            self._current = self._generation(self._initial)

    async def close(self) -> None:
        """Close every fetcher this gateway made, waiting for nothing: the server has stopped taking requests."""
        retiring = list(self._retiring)
        for task in retiring:
            task.cancel()
        if retiring:
            await asyncio.gather(*retiring, return_exceptions=True)
        current, self._current = self._current, None
        generations = [*self._retired, *([current] if current is not None else [])]
        self._retired.clear()
        for generation in generations:
            if generation.owned and not generation.closed:
                generation.closed = True
                await _close(generation.fetcher)

    async def drained(self) -> None:
        """Wait until every replaced generation has finished its requests and its fetcher is closed."""
        while self._retiring:
            await asyncio.gather(*list(self._retiring), return_exceptions=True)

    # -- what the app reads -----------------------------------------------------------------------------------------

    @property
    def supergraph(self) -> SupergraphView:
        return self._current.supergraph if self._current is not None else self._initial

    @property
    def pipeline(self) -> Pipeline | None:
        return self._current.pipeline if self._current is not None else None

    @property
    def schema_hash(self) -> str:
        return self.supergraph.schema_hash

    @property
    def in_flight(self) -> int:
        """Requests running on the current generation."""
        return self._current.active if self._current is not None else 0

    async def run(self, request: GraphQLRequest, *, read_only: bool = False, want_plan: bool = False) -> Outcome:
        """Run ``request`` on the generation current when it starts, to the end, whatever swaps meanwhile."""
        generation = self._current
        if generation is None:
            raise RuntimeError("the gateway has not started")
        generation.active += 1
        generation.idle.clear()
        try:
            return await generation.pipeline.run(request, read_only=read_only, want_plan=want_plan)
        finally:
            generation.active -= 1
            if generation.active == 0:
                generation.idle.set()

    def health(self) -> dict[str, Any]:
        """The ``/health`` body: ``degraded`` when the last reload kept the old schema (or a subgraph failed)."""
        degraded = bool(self.problems) or any(s.error is not None for s in self.subgraphs)
        return {
            "status": "degraded" if degraded else "ok",
            "schema": self.schema_hash,
            "subgraphs": [s.as_json() for s in self.subgraphs],
            "composition_errors": [p.as_json() for p in self.problems],
            "last_reload": self.last_reload.isoformat(timespec="seconds"),
        }

    # -- what the reload machinery calls ----------------------------------------------------------------------------

    async def swap(self, supergraph: SupergraphView) -> None:
        """Serve ``supergraph`` from now on. Raises (and changes nothing) when its pipeline cannot be built."""
        old = self._current
        new = self._generation(supergraph)
        self._current = new
        self.swaps += 1
        if self.on_swap is not None:
            self.on_swap(new.pipeline)
        log.info("now serving schema %s over %s", supergraph.schema_hash[:12], ", ".join(supergraph.subgraph_urls))
        if old is not None:
            old.retired = True
            self._retired.append(old)
            if old.active == 0:
                old.idle.set()
            task = asyncio.create_task(self._retire(old), name=f"retire schema {old.supergraph.schema_hash[:12]}")
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    def record(
        self, *, subgraphs: Sequence[SubgraphStatus] | None = None, problems: Sequence[ReloadProblem] = ()
    ) -> None:
        """What the last reload saw; ``subgraphs`` left out: those of the current supergraph, all fine."""
        self.subgraphs = tuple(subgraphs) if subgraphs is not None else _statuses(self.supergraph)
        self.problems = tuple(problems)
        self.last_reload = datetime.now(UTC)

    # -- internals --------------------------------------------------------------------------------------------------

    def _generation(self, supergraph: SupergraphView) -> _Generation:
        if self._fetcher is not None:
            return _Generation(supergraph, self._build_pipeline(supergraph, self._fetcher), self._fetcher, owned=False)
        assert self._make_fetcher is not None
        fetcher = self._make_fetcher(supergraph)
        try:
            pipeline = self._build_pipeline(supergraph, fetcher)
        except BaseException:
            task = asyncio.ensure_future(_close(fetcher))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)
            raise
        return _Generation(supergraph, pipeline, fetcher, owned=True)

    async def _retire(self, generation: _Generation) -> None:
        await generation.idle.wait()
        if generation.owned and not generation.closed:
            generation.closed = True
            await _close(generation.fetcher)
        if generation in self._retired:
            self._retired.remove(generation)
        log.debug("closed the fetcher of schema %s", generation.supergraph.schema_hash[:12])


def _statuses(supergraph: SupergraphView) -> tuple[SubgraphStatus, ...]:
    urls: Mapping[str, str] = supergraph.subgraph_urls
    return tuple(SubgraphStatus(name, url) for name, url in urls.items())
