"""The query planner: a pure function from (supergraph, operation) to a :class:`QueryPlan` tree."""

from gateway.planner.errors import PlanningError
from gateway.planner.plan import QueryPlan
from gateway.planner.printer import print_plan
from gateway.planner.query_planner import build_query_plan
from gateway.planner.requests import subgraph_requests

__all__ = ["PlanningError", "QueryPlan", "build_query_plan", "print_plan", "subgraph_requests"]
