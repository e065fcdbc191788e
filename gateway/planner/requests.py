"""How many subgraph requests a plan makes when every fetch in it runs: the figure benchmarks compare with peers.

A :class:`~gateway.planner.plan.BatchFetch` is one request however many parts it carries; a condition counts both
of its branches (the most a plan can send, as peers' plans are counted).
"""

from __future__ import annotations

from gateway.planner.plan import BatchFetch, Condition, Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence

__all__ = ["subgraph_requests"]


def subgraph_requests(plan: QueryPlan) -> int:
    """The subgraph requests of ``plan``: fetches and batched fetches, each counted once."""
    return 0 if plan.node is None else _count(plan.node)


def _count(node: PlanNode) -> int:
    if isinstance(node, Fetch | Flatten | BatchFetch):
        return 1
    if isinstance(node, Sequence | Parallel):
        return sum(_count(child) for child in node.nodes)
    if isinstance(node, Condition):
        return sum(_count(branch) for branch in (node.if_clause, node.else_clause) if branch is not None)
    raise TypeError(f"not a plan node: {node!r}")
