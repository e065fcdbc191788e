"""Client headers the gateway passes on to subgraphs: the ``Idempotency-Key`` of a mutation, never in place of
the gateway's own headers (the internal token)."""

from __future__ import annotations

from collections.abc import Mapping

from auth.principal import Principal
from gateway.executor.fetcher import SubgraphRequest, SubgraphResponse
from gateway.subgraph_auth import ForwardingFetcher, PrincipalFetcher


class Recording:
    def __init__(self) -> None:
        self.headers: list[Mapping[str, str] | None] = []

    async def fetch(self, subgraph: str, request: SubgraphRequest) -> SubgraphResponse:
        self.headers.append(request.headers)
        return SubgraphResponse(data={})


async def test_the_idempotency_key_reaches_the_subgraph_beside_the_internal_token() -> None:
    inner = Recording()
    fetcher = PrincipalFetcher(
        inner,
        Principal(subject="dispatcher"),
        lambda subgraph, principal: {"Authorization": f"Bearer for-{subgraph}-{principal.subject}"},
        {"Idempotency-Key": "k-1", "Authorization": "Bearer forged"},
    )
    await fetcher.fetch("appeals", SubgraphRequest("mutation { x }"))
    assert inner.headers == [{"Idempotency-Key": "k-1", "Authorization": "Bearer for-appeals-dispatcher"}]


async def test_a_gateway_without_internal_tokens_still_passes_the_key_on() -> None:
    inner = Recording()
    await ForwardingFetcher(inner, {"Idempotency-Key": "k-2"}).fetch("appeals", SubgraphRequest("mutation { x }"))
    assert inner.headers == [{"Idempotency-Key": "k-2"}]
