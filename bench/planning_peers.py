"""Cold planning against Apollo Gateway's planner, on the same generated supergraph (50 subgraphs, 500 types).

``bench/planning.py`` measures this gateway's planner alone; here both planners get the same supergraph file from
``bench/synthetic_supergraph.py`` and the same queries. For each query, a new process of each planner (Apollo's,
then ours, so that both meet the same load of a shared machine) loads the supergraph and plans the query
``--repeat`` times from scratch:

- **load ms**: this gateway's ``load_supergraph`` against Apollo's ``Supergraph.build`` + ``new QueryPlanner``
  (which builds its query graph there);
- **cold plan ms**: the first plan of a query on that freshly loaded supergraph (for Apollo,
  ``operationFromDocument`` + ``buildQueryPlan``);
- **CPU ms**: the process's CPU time for load + first plan (Python's ``process_time``, Node's ``process.cpuUsage``;
  both count every thread, V8's garbage-collector and compiler threads included). On a busy machine the wall clock
  also counts the time a process waited for a core; CPU time does not;
- **fetches**: the subgraph fetches the plan makes.

Two cases: the **first** load of a new process (what a gateway pays when it starts: V8 has not compiled the
planner's code yet), and the **warm** case, the median of the ``--repeat`` − 1 loads after it in the same process
(what a running gateway pays to load a new supergraph). Apollo's planner (``@apollo/query-planner``, installed with
``@apollo/gateway`` by ``bench/gateways.py`` into ``--node-dir``) runs under Node.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from gateways import install_node_packages
from graphql import parse
from synthetic_supergraph import generate_supergraph, representative_queries

from gateway.planner import build_query_plan, subgraph_requests
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


def ours(sdl: str, query: str, repeat: int) -> dict[str, object]:
    """Apollo's script's answer for this gateway: each load's ms, its first plan's ms, their CPU ms; the fetches."""
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
        fetches = subgraph_requests(plan)
    return {"loads": loads, "colds": colds, "cpus": cpus, "fetches": fetches}


def _cells(mine: dict[str, Any], peer: dict[str, Any], warm: bool) -> str:
    """load ms, plan ms, CPU ms (ours / Apollo) and Apollo / ours for load + plan, wall and CPU."""

    def pick(values: list[float]) -> float:
        return statistics.median(values[1:]) if warm else values[0]

    load, cold, cpu = (pick(mine[key]) for key in ("loads", "colds", "cpus"))
    peer_load, peer_cold, peer_cpu = (pick(peer[key]) for key in ("loads", "colds", "cpus"))
    return (
        f"{load:.0f} / {peer_load:.0f} | {cold:.1f} / {peer_cold:.1f} | {cpu:.0f} / {peer_cpu:.0f} | "
        f"{(peer_load + peer_cold) / (load + cold):.2f}× / {peer_cpu / cpu:.2f}×"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subgraphs", type=int, default=50)
    parser.add_argument("--types", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--node-dir", type=Path, default=Path.home() / ".cache" / "minyi-bench" / "node")
    parser.add_argument(
        "--ours", nargs=3, metavar=("SUPERGRAPH", "QUERIES", "REPEAT"), help="(internal) this gateway's side"
    )
    args = parser.parse_args()
    if args.ours:
        supergraph, queries_json, repeat = args.ours
        sdl_text = Path(supergraph).read_text()
        mine = {
            name: ours(sdl_text, query, int(repeat))
            for name, query in orjson.loads(Path(queries_json).read_bytes()).items()
        }
        print(orjson.dumps(mine).decode())
        return
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    install_node_packages(args.node_dir)
    sdl = generate_supergraph(args.subgraphs, args.types)
    queries = representative_queries(args.subgraphs, args.types)
    header = (
        "| query | case | load ms (ours / Apollo) | first plan ms (ours / Apollo) | load + plan CPU ms (ours / Apollo) "
        "| load + plan, Apollo / ours: wall / CPU | fetches (ours / Apollo) |"
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
            answers = []
            for argv, cwd in (
                (["node", str(script)], args.node_dir),
                ([sys.executable, __file__, "--ours"], Path.cwd()),
            ):
                answer = subprocess.run(
                    [*argv, str(supergraph_file), str(queries_file), str(args.repeat)],
                    cwd=cwd,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                answers.append(orjson.loads(answer.stdout.strip().splitlines()[-1])[name])
            peer, mine = answers
            for warm in (False, True) if args.repeat > 1 else (False,):
                rows.append(
                    f"| {name} | {'warm' if warm else 'first'} | {_cells(mine, peer, warm)} | "
                    f"{mine['fetches']} / {peer['fetches']} |"
                )
                print(rows[-1], file=sys.stderr, flush=True)
    print(
        f"\nsupergraph: {args.subgraphs} subgraphs, {args.types} entity types; first: the first load of a new "
        f"process; warm: median of the {args.repeat - 1} loads after it in that process"
    )
    print(f"\n{header}\n|" + "---|" * (header.count("|") - 1))
    print("\n".join(rows))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
