"""A subgraph's SDL, asked of the subgraph itself with ``{ _service { sdl } }`` (Federation subgraph spec).

Errors::

    SubgraphFetchError          the subgraph did not answer its SDL (unreachable, timeout, HTTP error, not JSON,
                                GraphQL errors, no ``_service.sdl`` string)
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

__all__ = ["SERVICE_QUERY", "SubgraphFetchError", "fetch_subgraph_sdl"]

SERVICE_QUERY = "query SubgraphSdl { _service { sdl } }"
_HEADERS = {"Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json"}


class SubgraphFetchError(Exception):
    def __init__(self, subgraph: str, url: str, reason: str) -> None:
        super().__init__(f"cannot fetch the SDL of subgraph {subgraph!r} from {url}: {reason}")
        self.subgraph = subgraph
        self.url = url
        self.reason = reason


async def fetch_subgraph_sdl(
    name: str, url: str, *, timeout_s: float = 10.0, session: aiohttp.ClientSession | None = None
) -> str:
    """The SDL subgraph ``name`` at ``url`` answers to ``_service { sdl }``; raises :class:`SubgraphFetchError`."""
    if session is None:
        async with aiohttp.ClientSession() as own:
            return await fetch_subgraph_sdl(name, url, timeout_s=timeout_s, session=own)
    body = orjson.dumps({"query": SERVICE_QUERY, "operationName": "SubgraphSdl"})
    try:
        async with session.post(
            url, data=body, headers=_HEADERS, timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as response:
            raw = await response.read()
            status = response.status
    except TimeoutError:
        raise SubgraphFetchError(name, url, f"no answer within {timeout_s:g} s") from None
    except aiohttp.ClientError as error:
        raise SubgraphFetchError(name, url, str(error) or type(error).__name__) from None
    try:
        payload: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict):
        if status != 200:
            raise SubgraphFetchError(name, url, f"HTTP {status}")
        raise SubgraphFetchError(name, url, "the answer is not a JSON object")
    errors = payload.get("errors")
    if errors:
        first = errors[0].get("message") if isinstance(errors, list) and isinstance(errors[0], dict) else errors
        raise SubgraphFetchError(name, url, f"it answered a GraphQL error: {first}")
    if status != 200:
        raise SubgraphFetchError(name, url, f"HTTP {status}")
    data = payload.get("data")
    service = data.get("_service") if isinstance(data, dict) else None
    sdl = service.get("sdl") if isinstance(service, dict) else None
    if not isinstance(sdl, str) or not sdl.strip():
        raise SubgraphFetchError(name, url, "the answer has no _service.sdl (is it a federation subgraph?)")
    return sdl
