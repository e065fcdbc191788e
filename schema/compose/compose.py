"""``compose(subgraphs)``: subgraph SDLs in, a Federation 2 supergraph SDL (link/v1.0, join/v0.3+) out.

Pure and total: it never raises on bad input; every problem found in any subgraph is reported at once, each with
its code and location. Subgraphs are taken in name order, as Apollo's composer does.
"""

from __future__ import annotations

from collections.abc import Sequence

from schema.compose.errors import CompositionError
from schema.compose.merge import merge_types
from schema.compose.model import Subgraph
from schema.compose.printer import print_supergraph
from schema.compose.result import CompositionResult, SubgraphSource
from schema.compose.subgraph import read_subgraph

__all__ = ["compose"]


def _join_minor(subgraphs: Sequence[Subgraph]) -> int:
    """join/v0.3 unless a subgraph links federation 2.7 (progressive override: v0.4) or later (v0.5 for 2.8+,
    printed as v0.4's vocabulary here since @context is not composed)."""
    newest = max((sg.names.federation_minor or 0 for sg in subgraphs), default=0)
    labels = any(f.override_label for sg in subgraphs for t in sg.types.values() for f in t.fields.values())
    return 4 if newest >= 7 or labels else 3


def compose(subgraphs: Sequence[SubgraphSource]) -> CompositionResult:
    errors: list[CompositionError] = []
    hints: list[str] = []
    seen: set[str] = set()
    read: list[Subgraph] = []
    for source in sorted(subgraphs, key=lambda s: s.name):
        if not source.name or source.name in seen:
            errors.append(
                CompositionError(
                    "INVALID_SUBGRAPH_NAME", f'subgraph name "{source.name}" is empty or repeated', source.name
                )
            )
            continue
        seen.add(source.name)
        subgraph, problems = read_subgraph(source)
        errors.extend(problems)
        if subgraph is not None:
            read.append(subgraph)
    graphs = [sg.graph for sg in read]
    if len(set(graphs)) < len(graphs):
        errors.append(CompositionError("INVALID_SUBGRAPH_NAME", "two subgraph names give the same join__Graph value"))
    if not read and not errors:
        errors.append(CompositionError("NO_QUERIES", "no subgraph to compose"))
    repeatable = frozenset({"tag"}) | {
        name for sg in read for name, d in sg.directive_definitions.items() if d.repeatable
    }
    types = merge_types(read, repeatable, errors, hints)
    query = types.get("Query")
    if read and (query is None or not query.fields):
        errors.append(CompositionError("NO_QUERIES", "no subgraph defines a query field", type_name="Query"))
    if errors:
        return CompositionResult(None, tuple(errors), tuple(hints))
    roots = [name if name in types else "" for name in ("Query", "Mutation", "Subscription")]
    return CompositionResult(print_supergraph(read, types, _join_minor(read), roots), (), tuple(hints))
