"""The executor's seam to the network: a :class:`Fetcher` sends one GraphQL request to one subgraph.

The executor never touches aiohttp; the HTTP fetcher (``gateway.executor.http_fetcher``) and test fakes implement
this protocol. A fetcher never raises for a subgraph's failure: it returns a :class:`SubgraphResponse` whose
``failure`` says what went wrong (unreachable, timeout, non-JSON, HTTP error), and the executor turns that into
errors with ``extensions.code`` and ``extensions.service``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Fetcher", "SubgraphRequest", "SubgraphResponse"]


@dataclass(frozen=True, slots=True)
class SubgraphRequest:
    query: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    operation_name: str | None = None
    headers: Mapping[str, str] | None = None  # per-request HTTP headers (the internal token), added by the pipeline


@dataclass(frozen=True, slots=True)
class SubgraphResponse:
    data: Any = None  # the "data" member, a dict or None
    errors: tuple[Mapping[str, Any], ...] = ()  # the "errors" member as sent by the subgraph
    failure: str | None = None  # set when no usable GraphQL response came back
    failure_code: str = "SUBGRAPH_UNAVAILABLE"  # extensions.code for a failure
    headers: tuple[tuple[str, str], ...] = ()  # response headers (lower-case names), kept when the fetcher is asked


class Fetcher(Protocol):
    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse: ...
