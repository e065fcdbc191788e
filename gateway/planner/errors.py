"""Errors of the planner package::

PlanningError               an operation that cannot be planned (unknown operation name, no such root type)
"""

from __future__ import annotations

__all__ = ["PlanningError"]


class PlanningError(Exception):
    pass
