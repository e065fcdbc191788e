"""Where a verifier gets the issuer's public keys (a JWKS, RFC 7517 §5): in memory or over HTTP.

- :class:`LocalJwks`: the embedded provider's key set, read in process (a callable answering the current JWKS, so
  rotation is seen at the next refresh), or a fixed JWKS / ``joserfc.jwk.KeySet`` (tests).
- :class:`RemoteJwks`: a ``jwks_uri`` fetched with aiohttp, through an optional :class:`~auth.jwks_store.JwksCache`
  (``minyi:jwks`` in Redis) so that replicas share a fetch. ``fetch(fresh=True)`` — a refresh for an unknown
  ``kid`` — always asks the origin and stores what it got. It remembers the ``max-age`` of the last answer's
  ``Cache-Control`` (``max_age_s``; 0 for ``no-cache``/``no-store``, ``None`` when the answer said nothing), which
  the verifier uses, within bounds, to schedule the next read of the key set.

Both answer the JWKS *document* (``{"keys": [...]}``); turning it into keys, and deciding which are usable, is the
verifier's job. Errors: :class:`JwksUnavailable` (the message names the URL, never a token).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import aiohttp
import orjson
from joserfc import jwk

from auth.errors import AuthError
from auth.jwks_store import JwksCache

__all__ = ["JwksSource", "JwksUnavailable", "LocalJwks", "RemoteJwks", "cache_max_age", "fetch_json"]

MAX_JWKS_BYTES = 256 * 1024


class JwksUnavailable(AuthError):
    """The issuer's keys (or its discovery document) could not be read. Not shown to clients."""


class JwksSource(Protocol):
    async def fetch(self, *, fresh: bool) -> dict[str, Any]: ...

    async def close(self) -> None: ...


JwksProvider = Callable[[], Mapping[str, Any] | jwk.KeySet] | Mapping[str, Any] | jwk.KeySet


class LocalJwks:
    """An in-memory key set: a JWKS mapping, a ``jwk.KeySet`` (public parts are used), or a callable answering
    either — the embedded provider's current keys."""

    def __init__(self, keys: JwksProvider) -> None:
        self._keys = keys

    async def fetch(self, *, fresh: bool) -> dict[str, Any]:
        keys = self._keys() if callable(self._keys) else self._keys
        if isinstance(keys, jwk.KeySet):
            return dict(keys.as_dict(private=False))
        return dict(keys)

    async def close(self) -> None:
        return None


def cache_max_age(cache_control: str | None) -> float | None:
    """The freshness lifetime a ``Cache-Control`` header gives (RFC 9111 §5.2.2): ``max-age`` in seconds, 0 for
    ``no-cache`` or ``no-store``, ``None`` when it says neither (or is malformed)."""
    if not cache_control:
        return None
    for directive in cache_control.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-cache", "no-store"):
            return 0.0
        if name == "max-age":
            try:
                return float(max(0, int(value.strip().strip('"'))))
            except ValueError:
                return None
    return None


async def fetch_json(session: aiohttp.ClientSession, url: str, what: str) -> dict[str, Any]:
    """GET ``url`` and answer its JSON object; any failure is :class:`JwksUnavailable` naming ``what`` and ``url``."""
    value, _ = await fetch_json_and_max_age(session, url, what)
    return value


async def fetch_json_and_max_age(
    session: aiohttp.ClientSession, url: str, what: str
) -> tuple[dict[str, Any], float | None]:
    """:func:`fetch_json`, and the answer's ``Cache-Control`` max-age (:func:`cache_max_age`)."""
    try:
        async with session.get(url, allow_redirects=False) as response:
            if response.status != 200:
                raise JwksUnavailable(f"{what} at {url} answered HTTP {response.status}")
            max_age = cache_max_age(response.headers.get("Cache-Control"))
            body = await response.content.read(MAX_JWKS_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise JwksUnavailable(f"{what} at {url} could not be fetched ({type(error).__name__})") from None
    if len(body) > MAX_JWKS_BYTES:
        raise JwksUnavailable(f"{what} at {url} is larger than {MAX_JWKS_BYTES} bytes")
    try:
        value = orjson.loads(body)
    except ValueError:
        raise JwksUnavailable(f"{what} at {url} is not JSON") from None
    if not isinstance(value, dict):
        raise JwksUnavailable(f"{what} at {url} is not a JSON object")
    return value, max_age


class RemoteJwks:
    """A ``jwks_uri`` over HTTP. The aiohttp session is made on first use (it needs the running loop)."""

    def __init__(self, url: str, *, cache: JwksCache | None = None, timeout_s: float = 5.0) -> None:
        self.url = url
        self.cache = cache
        self.timeout_s = timeout_s
        self.max_age_s: float | None = None  # of the last answer from the origin (see the module docstring)
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        return self._session

    async def fetch(self, *, fresh: bool) -> dict[str, Any]:
        if not fresh and self.cache is not None:
            cached = await self.cache.get(self.url)
            if cached is not None:
                return cached
        jwks, self.max_age_s = await fetch_json_and_max_age(self.session(), self.url, "the JWKS")
        if self.cache is not None:
            await self.cache.put(self.url, jwks)
        return jwks

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
