"""Cold planning against Apollo Gateway's planner, on the same generated supergraph (50 subgraphs, 500 types).

``bench/planning.py`` measures this gateway's planner alone; here both planners get the same supergraph file from
``bench/synthetic_supergraph.py`` and the same queries, each in its own process, ``--repeat`` times from scratch:

- **load ms**: this gateway's ``load_supergraph`` against Apollo's ``Supergraph.build`` + ``new QueryPlanner``
  (which builds its query graph there);
- **cold plan ms**: the first plan of a query on that freshly loaded supergraph (for Apollo,
  ``operationFromDocument`` + ``buildQueryPlan``);
- **fetches**: the subgraph fetches the plan makes.

Apollo's planner (``@apollo/query-planner``, installed with ``@apollo/gateway`` by ``bench/gateways.py`` into
``--node-dir``) runs under Node; the medians are over ``--repeat`` fresh loads.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from gateways import install_node_packages
from graphql import parse
from synthetic_supergraph import generate_supergraph, representative_queries

from gateway.planner import build_query_plan, print_plan
from schema import fieldset
from schema.supergraph import load_supergraph

APOLLO_PLANNER = """import { readFileSync } from 'node:fs'
import { parse } from 'graphql'
import { Supergraph, operationFromDocument } from '@apollo/federation-internals'
import { QueryPlanner } from '@apollo/query-planner'
const [file, queriesFile, repeat] = process.argv.slice(2)
const sdl = readFileSync(file, 'utf8')
const queries = JSON.parse(readFileSync(queriesFile, 'utf8'))
const out = {}
for (const [name, query] of Object.entries(queries)) {
  const loads = [], colds = []
  let fetches = 0
  for (let i = 0; i < Number(repeat); i++) {
    let started = performance.now()
    const supergraph = Supergraph.build(sdl)
    const planner = new QueryPlanner(supergraph)
    loads.push(performance.now() - started)
    started = performance.now()
    const operation = operationFromDocument(supergraph.schema.toAPISchema(), parse(query))
    const plan = planner.buildQueryPlan(operation)
    colds.push(performance.now() - started)
    fetches = (JSON.stringify(plan).match(/"kind":"Fetch"/g) || []).length
  }
  out[name] = { loads, colds, fetches }
}
console.log(JSON.stringify(out))
"""


def ours(sdl: str, queries: dict[str, str], repeat: int) -> dict[str, tuple[float, float, int]]:
    results = {}
    for name, query in queries.items():
        loads, colds = [], []
        fetches = 0
        for _ in range(repeat):
            clear = getattr(getattr(fieldset, "parse_fieldset", None), "cache_clear", None)
            if clear is not None:
                clear()  # a cold plan is cold: forget what earlier loads taught the memoised field-set parser
            started = time.perf_counter()
            supergraph = load_supergraph(sdl)
            loads.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            plan = build_query_plan(supergraph, parse(query), None)
            colds.append((time.perf_counter() - started) * 1000)
            fetches = print_plan(plan).count("Fetch(")
        results[name] = (statistics.median(loads), statistics.median(colds), fetches)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subgraphs", type=int, default=50)
    parser.add_argument("--types", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--node-dir", type=Path, default=Path.home() / ".cache" / "minyi-bench" / "node")
    args = parser.parse_args()
    install_node_packages(args.node_dir)
    sdl = generate_supergraph(args.subgraphs, args.types)
    queries = representative_queries(args.subgraphs, args.types)
    with tempfile.TemporaryDirectory(prefix="minyi-planning-") as tmp:
        supergraph_file = Path(tmp) / "supergraph.graphql"
        supergraph_file.write_text(sdl)
        queries_file = Path(tmp) / "queries.json"
        queries_file.write_bytes(orjson.dumps(queries))
        script = args.node_dir / "apollo-planner.mjs"
        script.write_text(APOLLO_PLANNER)
        answer = subprocess.run(
            ["node", str(script), str(supergraph_file), str(queries_file), str(args.repeat)],
            cwd=args.node_dir,
            check=True,
            capture_output=True,
            text=True,
        )
    apollo = orjson.loads(answer.stdout.strip().splitlines()[-1])
    mine = ours(sdl, queries, args.repeat)
    print(
        f"\nsupergraph: {args.subgraphs} subgraphs, {args.types} entity types; medians over {args.repeat} fresh loads"
    )
    print(
        "\n| query | load ms (ours / Apollo) | cold plan ms (ours / Apollo) | load + plan: Apollo / ours | fetches (ours / Apollo) |"
    )
    print("|---|---|---|---|---|")
    for name, (load, cold, fetches) in mine.items():
        peer = apollo[name]
        peer_load, peer_cold = statistics.median(peer["loads"]), statistics.median(peer["colds"])
        print(
            f"| {name} | {load:.0f} / {peer_load:.0f} | {cold:.1f} / {peer_cold:.1f} | "
            f"{(peer_load + peer_cold) / (load + cold):.2f}× | {fetches} / {peer['fetches']} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
