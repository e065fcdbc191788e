"""The executor: runs a query plan against the subgraphs and shapes the client's response.

``execute_plan`` (execution.py) walks the plan; ``fetcher.py`` is the seam to the network, ``http_fetcher.py`` its
aiohttp implementation; ``entities.py`` builds representations, ``merge.py`` merges answers, ``shaping.py`` and
``operation.py`` cut the result to the client's operation.
"""

from __future__ import annotations

from gateway.executor.execution import HasApiSchema, execute_plan
from gateway.executor.fetcher import Fetcher, SubgraphRequest, SubgraphResponse
from gateway.executor.operation import PreparedOperation, prepare_operation
from gateway.executor.result import ExecutionResult

__all__ = [
    "ExecutionResult",
    "Fetcher",
    "HasApiSchema",
    "PreparedOperation",
    "SubgraphRequest",
    "SubgraphResponse",
    "execute_plan",
    "prepare_operation",
]
