"""The fetcher of one request under header propagation rules (:mod:`gateway.header_rules`).

:class:`PropagatingFetcher` adds the client headers the rules send to each subgraph — never overriding a header
the gateway itself set on the request, such as the internal token — and collects the response headers the rules
hand back, for the pipeline to put on the client's response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gateway.executor.fetcher import Fetcher, SubgraphRequest, SubgraphResponse
from gateway.header_rules import HeaderRules

__all__ = ["PropagatingFetcher"]


class PropagatingFetcher:
    __slots__ = ("_client_headers", "_collected", "_inner", "_rules")

    def __init__(
        self,
        inner: Fetcher,
        rules: HeaderRules,
        client_headers: Sequence[tuple[str, str]],
        collected: list[tuple[str, str]] | None,
    ) -> None:
        self._inner = inner
        self._rules = rules
        self._client_headers = client_headers
        self._collected = collected

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        if self._rules.request:
            added = self._rules.to_subgraph(subgraph, self._client_headers)
            if added:
                own = {name.lower() for name in request.headers or {}}
                headers = {name: value for name, value in added.items() if name not in own}
                request = replace(request, headers={**headers, **(request.headers or {})})
        response = await self._inner.fetch(subgraph, request)
        if self._collected is not None and response.headers:
            self._collected += self._rules.from_subgraph(subgraph, response.headers)
        return response
