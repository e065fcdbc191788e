"""Where the supergraph SDL comes from: a file path or an http(s) URL, read once at start-up.

Errors::

    SupergraphSourceError       the SDL could not be read (missing file, unreachable URL, HTTP error, not UTF-8)
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

__all__ = ["SupergraphSourceError", "read_supergraph_source"]


class SupergraphSourceError(Exception):
    pass


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_supergraph_source(source: str, *, timeout_s: float = 10.0) -> str:
    """The SDL text at ``source`` (a path, or a URL fetched with one GET). Call it before the server's loop runs."""
    if _is_url(source):
        return asyncio.run(_fetch(source, timeout_s))
    try:
        return Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SupergraphSourceError(f"supergraph file {source} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SupergraphSourceError(f"cannot read supergraph file {source}: {error}") from None


async def _fetch(source: str, timeout_s: float) -> str:
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(source) as response:
            if response.status != 200:
                raise SupergraphSourceError(f"{source} answered HTTP {response.status}, not a supergraph")
            raw = await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        detail = str(error) or type(error).__name__
        raise SupergraphSourceError(f"cannot fetch the supergraph from {source}: {detail}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SupergraphSourceError(f"{source} did not answer UTF-8 text") from None
