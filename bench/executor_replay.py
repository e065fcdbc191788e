"""The executor alone on the deep query: subgraph answers recorded once, then replayed in this process.

``bench/gateways.py`` measures whole gateways over HTTP on a shared machine, where a run's rounds differ by a third.
This isolates what the executor itself costs per request, repeatably: it starts ``bench/store_subgraphs.py``, plans
the deep query of ``bench/gateways.py`` over their composed supergraph, executes it once over HTTP and records
every subgraph answer (keyed by subgraph and variables), stops the subgraphs, and then runs ``execute_plan`` again
and again against a fetcher that encodes each request and decodes the recorded answer with orjson, as the HTTP
fetcher does. Every replayed answer is checked against the recorded one before anything is measured.

Two ways to read it:

- ``--mode time`` (default): CPU milliseconds per request (process time), the best of ``--repeats`` passes of
  ``--requests`` requests each. Noisy on a shared machine; compare two checkouts in alternation.
- ``--mode count``: ``--requests`` requests with the garbage collector off and nothing printed, to run under
  ``valgrind --tool=callgrind``, which counts instructions and gives the same count for the same code whatever else
  the machine is doing. Instructions per request = (count at N requests - count at M requests) / (N - M), which
  takes the start-up out; set ``PYTHONHASHSEED=0`` for both runs.

``--checkout`` runs the executor of another checkout (its ``gateway/``, ``schema/`` and the rest come first on the
import path), so two revisions are measured by one script::

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/executor_replay.py --mode count --requests 60
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="See the module docstring (python -m pydoc bench/executor_replay.py) for the callgrind recipe.",
    )
    parser.add_argument("--mode", choices=("time", "count"), default="time", help="time: CPU ms; count: for callgrind")
    parser.add_argument("--requests", type=int, default=200, help="requests per pass (count: in all)")
    parser.add_argument("--repeats", type=int, default=5, help="passes in time mode; the best is shown")
    parser.add_argument("--warmup", type=int, default=50, help="requests before measuring")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose executor runs")
    parser.add_argument("--subgraph-port", type=int, default=5301, help="accounts; the next three ports follow")
    return parser.parse_args()


class _Recorder:
    """Passes requests to ``inner`` and keeps each answer's JSON by subgraph and variables."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.answers: dict[tuple[str, bytes], bytes] = {}

    async def fetch(self, subgraph: str, request: Any) -> Any:
        response = await self.inner.fetch(subgraph, request)
        if response.failure is not None:
            raise SystemExit(f"error: subgraph {subgraph} failed while recording: {response.failure}")
        self.answers[_key(subgraph, request.variables)] = orjson.dumps(
            {"data": response.data, "errors": list(response.errors)}
        )
        return response


class _Replayer:
    """Answers from the recording: the request encoded and the answer decoded, as over HTTP."""

    def __init__(self, answers: Mapping[tuple[str, bytes], bytes], response_type: Any) -> None:
        self.answers = answers
        self.response_type = response_type

    async def fetch(self, subgraph: str, request: Any) -> Any:
        orjson.dumps({"query": request.query, "variables": request.variables})
        body = orjson.loads(self.answers[_key(subgraph, request.variables)])
        return self.response_type(data=body.get("data"), errors=tuple(body.get("errors") or ()))


def _key(subgraph: str, variables: Mapping[str, Any]) -> tuple[str, bytes]:
    return subgraph, orjson.dumps(dict(variables), option=orjson.OPT_SORT_KEYS)


async def _run(args: argparse.Namespace, work: Path) -> None:
    sys.path[:0] = [str(args.checkout.resolve()), str(BENCH)]
    import gateways
    from graphql import parse

    from gateway.executor import SubgraphResponse, execute_plan
    from gateway.executor.http_fetcher import HttpFetcher
    from gateway.planner import build_query_plan
    from schema.supergraph import load_supergraph

    supergraph_file = gateways.compose_supergraph(work, args.subgraph_port)
    supergraph = load_supergraph(supergraph_file.read_text())
    document = parse(gateways.DEEP_QUERY)
    plan = build_query_plan(supergraph, document, None)

    subgraphs = gateways.start_subgraphs(args.subgraph_port, None)
    try:
        async with HttpFetcher(supergraph.subgraph_urls) as http:
            recorder = _Recorder(http)
            first = await execute_plan(
                plan, supergraph=supergraph, document=document, operation_name=None, variables={}, fetcher=recorder
            )
    finally:
        subgraphs.terminate()
        subgraphs.wait(10)
    expected = orjson.dumps({"data": first.data, "errors": first.errors})
    replayer = _Replayer(recorder.answers, SubgraphResponse)

    async def one() -> bytes:
        result = await execute_plan(
            plan, supergraph=supergraph, document=document, operation_name=None, variables={}, fetcher=replayer
        )
        return orjson.dumps({"data": result.data, "errors": result.errors})

    if await one() != expected:
        raise SystemExit("error: the replayed answer differs from the one over HTTP")
    for _ in range(args.warmup):
        await one()
    if args.mode == "count":
        gc.collect()
        gc.disable()
        for _ in range(args.requests):
            await one()
        return
    passes = []
    for _ in range(args.repeats):
        started = time.process_time()
        for _ in range(args.requests):
            await one()
        passes.append((time.process_time() - started) / args.requests * 1000)
    print(f"checkout {args.checkout}: {len(recorder.answers)} subgraph answers, {len(expected):,} bytes")
    print("CPU ms per request, each pass:", " ".join(f"{value:.3f}" for value in passes))
    print(f"best: {min(passes):.3f} ms")


def main() -> None:
    args = _arguments()
    if args.requests < 1 or args.repeats < 1:
        raise SystemExit("error: --requests and --repeats must be at least 1")
    if not (args.checkout / "gateway" / "executor").is_dir():
        raise SystemExit(f"error: {args.checkout} is not a checkout of this project (no gateway/executor)")
    with tempfile.TemporaryDirectory(prefix="minyi-replay-") as work:
        try:
            asyncio.run(_run(args, Path(work)))
        except subprocess.CalledProcessError as exc:
            raise SystemExit(f"error: {exc}") from exc


if __name__ == "__main__":
    main()
