"""Cold planning against Apollo Gateway's planner, on the same generated supergraph (50 subgraphs, 500 types).

``bench/planning.py`` measures this gateway's planner alone; here both planners get the same supergraph file from
``bench/synthetic_supergraph.py`` and the same queries, each in its own process, ``--repeat`` times from scratch:

- **load ms**: this gateway's ``load_supergraph`` against Apollo's ``Supergraph.build`` + ``new QueryPlanner``
  (which builds its query graph there);
- **cold plan ms**: the first plan of a query on that freshly loaded supergraph (for Apollo,
  ``operationFromDocument`` + ``buildQueryPlan``);
- **fetches**: the subgraph fetches the plan makes.

Apollo's planner (``@apollo/query-planner``, installed with ``@apollo/gateway`` by ``bench/gateways.py`` into
``--node-dir``) runs under Node; the medians are over ``--repeat`` fresh loads. The two planners take turns query by
query (Apollo's process, then ours), so that both meet the same load of a shared machine. Beside the wall-clock
times, each side's CPU time for load + first plan is taken (Python's ``process_time``, Node's ``process.cpuUsage``;
both count every thread of the process, V8's garbage-collector and compiler threads included): on a busy machine
the wall clock also counts the time the process waited for a core.
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
  const loads = [], colds = [], cpus = []
  let fetches = 0
  for (let i = 0; i < Number(repeat); i++) {
    const cpu = process.cpuUsage()
    let started = performance.now()
    const supergraph = Supergraph.build(sdl)
    const planner = new QueryPlanner(supergraph)
    loads.push(performance.now() - started)
    started = performance.now()
    const operation = operationFromDocument(supergraph.schema.toAPISchema(), parse(query))
    const plan = planner.buildQueryPlan(operation)
    colds.push(performance.now() - started)
    const used = process.cpuUsage(cpu)
    cpus.push((used.user + used.system) / 1000)
    fetches = (JSON.stringify(plan).match(/"kind":"Fetch"/g) || []).length
  }
  out[name] = { loads, colds, cpus, fetches }
}
console.log(JSON.stringify(out))
"""


def ours(sdl: str, query: str, repeat: int) -> tuple[float, float, float, int]:
    """Median load ms, cold plan ms and CPU ms of both, and the plan's fetches."""
    loads, colds, cpus = [], [], []
    fetches = 0
    for _ in range(repeat):
        clear = getattr(getattr(fieldset, "parse_fieldset", None), "cache_clear", None)
        if clear is not None:
            clear()  # a cold plan is cold: forget what earlier loads taught the memoised field-set parser
        cpu = time.process_time()
        started = time.perf_counter()
        supergraph = load_supergraph(sdl)
        loads.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        plan = build_query_plan(supergraph, parse(query), None)
        colds.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        fetches = print_plan(plan).count("Fetch(")
    return statistics.median(loads), statistics.median(colds), statistics.median(cpus), fetches


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
    header = (
        "| query | load ms (ours / Apollo) | cold plan ms (ours / Apollo) | load + plan: Apollo / ours "
        "| load + plan CPU ms (ours / Apollo) | CPU: Apollo / ours | fetches (ours / Apollo) |"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="minyi-planning-") as tmp:
        supergraph_file = Path(tmp) / "supergraph.graphql"
        supergraph_file.write_text(sdl)
        script = args.node_dir / "apollo-planner.mjs"
        script.write_text(APOLLO_PLANNER)
        print(header, file=sys.stderr)
        for name, query in queries.items():
            queries_file = Path(tmp) / "queries.json"
            queries_file.write_bytes(orjson.dumps({name: query}))
            answer = subprocess.run(
                ["node", str(script), str(supergraph_file), str(queries_file), str(args.repeat)],
                cwd=args.node_dir,
                check=True,
                capture_output=True,
                text=True,
            )
            peer = orjson.loads(answer.stdout.strip().splitlines()[-1])[name]
            peer_load, peer_cold = statistics.median(peer["loads"]), statistics.median(peer["colds"])
            peer_cpu = statistics.median(peer["cpus"])
            load, cold, cpu, fetches = ours(sdl, query, args.repeat)
            rows.append(
                f"| {name} | {load:.0f} / {peer_load:.0f} | {cold:.1f} / {peer_cold:.1f} | "
                f"{(peer_load + peer_cold) / (load + cold):.2f}× | {cpu:.0f} / {peer_cpu:.0f} | {peer_cpu / cpu:.2f}× | "
                f"{fetches} / {peer['fetches']} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    print(
        f"\nsupergraph: {args.subgraphs} subgraphs, {args.types} entity types; medians over {args.repeat} fresh loads"
    )
    print(f"\n{header}\n|" + "---|" * (header.count("|") - 1))
    print("\n".join(rows))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
