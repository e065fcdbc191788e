"""What the gateway sends subgraphs about the user: an internal token per subgraph call, never the user's token.

:class:`PrincipalFetcher` wraps the generation's :class:`~gateway.executor.fetcher.Fetcher` for one request: each
subgraph request it passes on carries the headers ``headers_for(subgraph, principal)`` makes — with
:meth:`auth.internal.InternalTokenMinter.headers_for`, ``Authorization: Bearer <internal token>`` whose audience is
that subgraph. :func:`jwks_endpoint` publishes the minter's public key at ``/internal/jwks`` for the subgraphs'
:class:`~auth.internal.InternalTokenVerifier`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response

from auth.internal import InternalTokenMinter
from auth.principal import Principal
from gateway.executor.fetcher import Fetcher, SubgraphRequest, SubgraphResponse

__all__ = ["ForwardingFetcher", "PrincipalFetcher", "SubgraphHeaders", "jwks_endpoint"]

SubgraphHeaders = Callable[[str, Principal], Mapping[str, str]]


class PrincipalFetcher:
    """A fetcher for one request made for ``principal``; ``forward`` are client headers passed on as they came
    (the ``Idempotency-Key`` of a mutation), never overriding the gateway's own."""

    __slots__ = ("_forward", "_headers_for", "_inner", "_principal")

    def __init__(
        self,
        inner: Fetcher,
        principal: Principal,
        headers_for: SubgraphHeaders,
        forward: Mapping[str, str] | None = None,
    ) -> None:
        self._inner = inner
        self._principal = principal
        self._headers_for = headers_for
        self._forward = forward or {}

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        own = self._headers_for(subgraph, self._principal)
        headers = {**self._forward, **(request.headers or {}), **own} if self._forward or request.headers else own
        return await self._inner.fetch(
            subgraph, SubgraphRequest(request.query, request.variables, request.operation_name, headers)
        )


class ForwardingFetcher:
    """A fetcher that passes client headers on (a gateway without internal tokens)."""

    __slots__ = ("_forward", "_inner")

    def __init__(self, inner: Fetcher, forward: Mapping[str, str]) -> None:
        self._inner = inner
        self._forward = forward

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        headers = {**self._forward, **(request.headers or {})}
        return await self._inner.fetch(
            subgraph, SubgraphRequest(request.query, request.variables, request.operation_name, headers)
        )


def jwks_endpoint(minter: InternalTokenMinter) -> Callable[[Request], Awaitable[Response]]:
    """``GET /internal/jwks``: the public key set of the internal tokens (cacheable for a minute)."""
    body = orjson.dumps(minter.jwks())

    async def endpoint(request: Request) -> Response:
        return Response(body, media_type="application/jwk-set+json", headers={"Cache-Control": "public, max-age=60"})

    return endpoint
