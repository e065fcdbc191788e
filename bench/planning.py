"""Cold planning time: loading a supergraph, the first plan of a query on it, a warm re-plan and a cached lookup.

For each supergraph file given on the command line (e.g. the federation audit's
``/tmp/audit-data/*/supergraph.graphql``; ``--largest N`` keeps the N largest) and for a generated supergraph of
``--subgraphs`` subgraphs and ``--types`` entity types (``bench/synthetic_supergraph.py``), measures:

- **load ms**: ``load_supergraph`` on the SDL text (parse, join metadata, API schema), a fresh load each repeat;
- **cold plan ms**: the first ``build_query_plan`` of a query on a freshly loaded supergraph (the planner's
  memoised parsing of field sets is cleared first), median over ``--repeat`` fresh loads;
- **warm plan µs**: the same query planned again on the same supergraph (what a plan-cache miss costs a warm
  gateway);
- **cached µs**: what a request with a cached plan pays instead (the baseline): document-cache hit, operation
  resolution and plan-cache hit, as ``gateway.pipeline`` does them.

Queries: ``--query`` (repeatable) for every file; else a file's neighbouring ``tests.json`` (the audit's layout:
``[{"query": ...}, ...]``), summarised over its queries as median / max; queries the API schema refuses or the
planner cannot plan are counted as skipped. The generated supergraph has its own queries of depth 3–5 and a wide
one. Nothing is copied anywhere: files are only read.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
from graphql import DocumentNode
from synthetic_supergraph import generate_supergraph, representative_queries

from gateway.caches import DocumentCache, PlanCache, PlanKey
from gateway.document import PreparedDocument, ResolvedOperation, prepare_document
from gateway.limits import DEFAULT_LIMITS
from gateway.planner import QueryPlan, build_query_plan, subgraph_requests
from schema.supergraph import Supergraph, load_supergraph


@dataclass(frozen=True, slots=True)
class QueryTiming:
    cold_ms: float
    warm_us: float
    cached_us: float
    fetches: int


def _clear_memos() -> None:
    """Forget what earlier loads taught pure caches, so a cold plan is cold."""
    from schema import fieldset

    clear = getattr(getattr(fieldset, "parse_fieldset", None), "cache_clear", None)
    if clear is not None:
        clear()


def _elapsed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _median_elapsed(action: Callable[[], object], *, budget_s: float = 0.3, at_least: int = 5) -> float:
    """Median seconds of ``action`` over repeated calls (at least ``at_least``, about ``budget_s`` in all)."""
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < at_least or (time.perf_counter() < deadline and len(samples) < 100_000):
        samples.append(_elapsed(action))
    return statistics.median(samples)


def _resolve(supergraph: Supergraph, query: str) -> tuple[PreparedDocument, ResolvedOperation] | None:
    prepared = prepare_document(query, supergraph.api_schema, DEFAULT_LIMITS)
    if prepared.errors:
        return None
    resolved = prepared.operation(None)
    if not isinstance(resolved, ResolvedOperation) or resolved.remote_document is None:
        return None
    return prepared, resolved


def _fetch_count(plan: QueryPlan) -> int:
    return subgraph_requests(plan)


def measure(sdl: str, queries: list[str], repeat: int) -> tuple[list[float], list[QueryTiming], int]:
    """Load times (ms) over all fresh loads, a timing per plannable query, and how many queries were skipped."""
    loads: list[float] = []
    timings: list[QueryTiming] = []
    skipped = 0
    for query in queries:
        colds: list[float] = []
        supergraph: Supergraph | None = None
        document: DocumentNode | None = None
        for _ in range(repeat):
            _clear_memos()
            started = time.perf_counter()
            supergraph = load_supergraph(sdl)
            loads.append((time.perf_counter() - started) * 1000)
            found = _resolve(supergraph, query)
            if found is None:
                break
            document = found[1].remote_document
            assert document is not None
            try:
                colds.append(_elapsed(functools.partial(build_query_plan, supergraph, document, None)) * 1000)
            except Exception:
                break
        if supergraph is None or document is None or len(colds) < repeat:
            skipped += 1
            continue
        plan = build_query_plan(supergraph, document, None)
        warm = _median_elapsed(functools.partial(build_query_plan, supergraph, document, None))
        cached = _cached_lookup_us(supergraph, query, plan)
        timings.append(QueryTiming(statistics.median(colds), warm * 1e6, cached, _fetch_count(plan)))
    if not queries:
        for _ in range(repeat):
            _clear_memos()
            loads.append(_elapsed(lambda: load_supergraph(sdl)) * 1000)
    return loads, timings, skipped


def _cached_lookup_us(supergraph: Supergraph, query: str, plan: QueryPlan) -> float:
    """A repeated request's planning cost in the gateway: document cache, operation, plan cache (all hits)."""
    documents = DocumentCache(100)
    plans = PlanCache(100)
    prepared = prepare_document(query, supergraph.api_schema, DEFAULT_LIMITS)
    documents.put(query, prepared)
    resolved = prepared.operation(None)
    assert isinstance(resolved, ResolvedOperation) and resolved.remote_document is not None
    key = PlanKey(supergraph.schema_hash, resolved.remote_normalized, None)
    asyncio.run(plans.load(key, lambda: plan))
    schema_hash = supergraph.schema_hash

    def lookup() -> object:
        hit = documents.get(query)
        assert hit is not None
        operation = hit.operation(None)
        assert isinstance(operation, ResolvedOperation)
        return plans.get(PlanKey(schema_hash, operation.remote_normalized, None))

    return _median_elapsed(lookup, budget_s=0.1) * 1e6


def _neighbour_queries(path: Path) -> list[str]:
    tests = path.with_name("tests.json")
    if not tests.is_file():
        return []
    return [t["query"] for t in orjson.loads(tests.read_bytes()) if isinstance(t, dict) and "query" in t]


def _summary(values: list[float], digits: int) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} / {max(values):.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("supergraphs", nargs="*", type=Path, help="supergraph SDL files (only read)")
    parser.add_argument("--largest", type=int, default=0, help="keep only the N largest files (0: all)")
    parser.add_argument("--query", action="append", default=[], help="a query to plan on every file (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="fresh loads per query; cold figures are medians")
    parser.add_argument("--subgraphs", type=int, default=50)
    parser.add_argument("--types", type=int, default=500)
    parser.add_argument("--no-generated", action="store_true", help="skip the generated supergraph")
    args = parser.parse_args()

    files = sorted(args.supergraphs, key=lambda p: p.stat().st_size, reverse=True)
    if args.largest:
        files = files[: args.largest]

    # Warm the interpreter (imports, graphql-core's lazy tables) on a throwaway load and plan.
    warm_sdl = generate_supergraph(3, 6)
    measure(warm_sdl, [next(iter(representative_queries(3, 6).values()))], 1)

    print(f"\n{args.repeat} fresh loads per query; cold plan = first plan on a freshly loaded supergraph")
    print("(several queries: median / max over them; warm plan = re-planned on a warm supergraph;")
    print(" cached = document-cache + plan-cache hit, what a repeated request pays)\n")
    print("| supergraph | size KB | queries (skipped) | load ms | cold plan ms | warm plan µs | cached µs | fetches |")
    print("|---|---|---|---|---|---|---|---|")
    for path in files:
        sdl = path.read_text()
        queries = args.query or _neighbour_queries(path)
        loads, timings, skipped = measure(sdl, queries, args.repeat)
        name = f"{path.parent.name}/{path.name}"
        print(
            f"| {name} | {len(sdl) / 1024:.1f} | {len(timings)} ({skipped}) | {statistics.median(loads):.1f} "
            f"| {_summary([t.cold_ms for t in timings], 2)} | {_summary([t.warm_us for t in timings], 0)} "
            f"| {_summary([t.cached_us for t in timings], 1)} | {_summary([float(t.fetches) for t in timings], 0)} |"
        )
        sys.stdout.flush()
    if not args.no_generated:
        sdl = generate_supergraph(args.subgraphs, args.types)
        label = f"generated: {args.subgraphs} subgraphs, {args.types} types"
        for query_name, query in representative_queries(args.subgraphs, args.types).items():
            loads, timings, skipped = measure(sdl, [query], args.repeat)
            if not timings:
                print(f"| {label}, {query_name} | {len(sdl) / 1024:.0f} | 0 (1) | {statistics.median(loads):.1f} |")
                continue
            t = timings[0]
            print(
                f"| {label}, {query_name} | {len(sdl) / 1024:.0f} | 1 (0) | {statistics.median(loads):.1f} "
                f"| {t.cold_ms:.2f} | {t.warm_us:.0f} | {t.cached_us:.1f} | {t.fetches} |"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
