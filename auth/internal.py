"""Internal tokens: what the gateway sends each subgraph instead of the user's own token (DESIGN.md "Auth").

For every subgraph call the gateway mints a short-lived JWT (ES256, at most 60 s) signed with *its own* key —
not the OIDC provider's — with these claims (names as in :mod:`auth.principal`)::

    iss  = the gateway's internal issuer ("minyi-gateway")     aud = the subgraph's name (join__graph name)
    act  = {"sub": "minyi-gateway"}  (RFC 8693 §4.1 actor)      sub = the user's (or service client's) subject
    iat, nbf, exp (≤ 60 s later), jti                           roles, scope, unit, jurisdiction, name, client_id

:class:`InternalTokenMinter` (gateway side) keeps one token per (principal, subgraph) for half its life, so a busy
gateway signs about once per user and subgraph every 30 s. Its public key is published at the gateway's
``/internal/jwks``; the private key lives in the ``minyi:jwks`` area (:mod:`auth.jwks_store`) so that replicas share
it.

:class:`InternalTokenVerifier` (subgraph side) accepts a token only if the signature verifies with a key of the
gateway's JWKS (fetched from ``jwks_url`` — again on an unknown ``kid``, at most once per ``refresh_interval_s``
and one fetch at a time — or given as a key set), the algorithm is ES256, and ``iss``, ``aud`` (== its own name),
``act`` and ``exp``/``nbf`` (with a small leeway) are right. A user's provider token fails (other key, other
issuer, no ``act``), as does a token minted for another subgraph. Every refusal is
:class:`~auth.errors.Unauthenticated` with a message that never contains the token; joserfc's errors stop here.
Verified tokens are remembered until they expire, so the warm path is a dict lookup and a clock read.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from auth.errors import Unauthenticated
from auth.jwks_store import load_or_create_key
from auth.principal import Principal
from auth.store import KeyValue

__all__ = [
    "ALGORITHM",
    "DEFAULT_ISSUER",
    "MAX_TTL_S",
    "InternalTokenMinter",
    "InternalTokenVerifier",
    "fetch_jwks",
]

DEFAULT_ISSUER = "minyi-gateway"
ALGORITHM = "ES256"
MAX_TTL_S = 60
_CACHE_LIMIT = 10_000

JwksFetch = Callable[[], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class _Minted:
    token: str
    reuse_until: float


class InternalTokenMinter:
    """Mints internal tokens with one EC P-256 key. ``clock`` returns seconds since the epoch (tests' seam)."""

    def __init__(
        self,
        key: ECKey,
        *,
        issuer: str = DEFAULT_ISSUER,
        ttl_s: int = MAX_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 1 <= ttl_s <= MAX_TTL_S:
            raise ValueError(f"internal tokens live 1 to {MAX_TTL_S} s")
        if not key.kid:
            key.ensure_kid()
        self.key = key
        self.issuer = issuer
        self.ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[tuple[Principal, str], _Minted] = {}
        self._jwks = KeySet([ECKey.import_key(key.as_dict(private=False))]).as_dict()

    @classmethod
    def generate(cls, **options: Any) -> InternalTokenMinter:
        """A minter with a fresh key of its own (one process: the demo, tests)."""
        return cls(ECKey.generate_key("P-256", auto_kid=True), **options)

    @classmethod
    async def from_store(cls, store: KeyValue, **options: Any) -> InternalTokenMinter:
        """A minter with the key every replica shares through ``store`` (Redis ``minyi:jwks:internal``, or an
        in-process :class:`~auth.store.MemoryStore`); the first replica creates it."""

        def make() -> str:
            return orjson.dumps(ECKey.generate_key("P-256", auto_kid=True).as_dict(private=True)).decode()

        raw = await load_or_create_key(store, make)
        return cls(ECKey.import_key(orjson.loads(raw)), **options)

    def jwks(self) -> dict[str, Any]:
        """The public key set to publish at ``/internal/jwks``."""
        return dict(self._jwks)

    def token_for(self, principal: Principal, audience: str) -> str:
        """An internal token about ``principal`` for the subgraph ``audience``, reused for half its life."""
        now = self._clock()
        cache_key = (principal, audience)
        minted = self._cache.get(cache_key)
        if minted is not None and minted.reuse_until > now:
            return minted.token
        token = self._mint(principal, audience, int(now))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = _Minted(token, now + self.ttl_s / 2)
        return token

    def headers_for(self, subgraph: str, principal: Principal) -> dict[str, str]:
        """The headers of a request to ``subgraph`` made for ``principal``."""
        return {"Authorization": "Bearer " + self.token_for(principal, subgraph)}

    def _mint(self, principal: Principal, audience: str, now: int) -> str:
        claims: dict[str, Any] = {
            **principal.to_claims(),
            "iss": self.issuer,
            "aud": audience,
            "act": {"sub": self.issuer},
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_s,
            "jti": secrets.token_urlsafe(12),
        }
        if principal.subject:
            claims["sub"] = principal.subject
        header = {"alg": ALGORITHM, "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key, algorithms=[ALGORITHM])


async def fetch_jwks(url: str, timeout_s: float = 5.0) -> Mapping[str, Any]:
    """GET a JWKS document; any failure is :class:`Unauthenticated` (the caller cannot verify without it)."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session,
            session.get(url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status != 200:
                raise Unauthenticated(f"the gateway's key set answered HTTP {response.status}")
            body = orjson.loads(await response.read())
    except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError) as exc:
        raise Unauthenticated(f"the gateway's key set cannot be read ({type(exc).__name__})") from None
    if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
        raise Unauthenticated("the gateway's key set is not a JWKS document")
    return body


def _header(token: str) -> dict[str, Any]:
    first, dot, _ = token.partition(".")
    if not dot:
        raise Unauthenticated("the internal token is not a JWT")
    try:
        header = orjson.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    except (binascii.Error, ValueError):
        raise Unauthenticated("the internal token is not a JWT") from None
    if not isinstance(header, dict):
        raise Unauthenticated("the internal token is not a JWT")
    return header


class InternalTokenVerifier:
    """Verifies the internal tokens a subgraph named ``audience`` receives.

    Keys come from ``keys`` (a JWKS document) or from ``jwks_url`` (``fetch`` overrides how it is read);
    ``leeway_s`` is the clock skew allowed on ``exp``/``nbf``.
    """

    def __init__(
        self,
        audience: str,
        *,
        issuer: str = DEFAULT_ISSUER,
        keys: Mapping[str, Any] | None = None,
        jwks_url: str | None = None,
        fetch: JwksFetch | None = None,
        leeway_s: int = 5,
        refresh_interval_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if keys is None and jwks_url is None and fetch is None:
            raise ValueError("an internal token verifier needs keys or a JWKS URL")
        self.audience = audience
        self.issuer = issuer
        self.leeway_s = leeway_s
        self._fetch: JwksFetch | None = fetch
        if self._fetch is None and jwks_url is not None:
            url = jwks_url
            self._fetch = lambda: fetch_jwks(url)
        self._keys: KeySet | None = _key_set(keys) if keys is not None else None
        self._kids: frozenset[str] = _kids(self._keys)
        self._refresh_interval_s = refresh_interval_s
        self._last_refresh = -float("inf")
        self._refreshing: asyncio.Task[None] | None = None
        self._clock = clock
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        """The principal the token stands for, or :class:`Unauthenticated`."""
        now = self._clock()
        seen = self._verified.get(token)
        if seen is not None:
            if seen[1] + self.leeway_s > now:
                return seen[0]
            del self._verified[token]
            raise Unauthenticated("the internal token has expired")
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated("the internal token is not signed with an accepted algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the internal token names no key")
        if kid not in self._kids:
            await self._refresh()
            if kid not in self._kids:
                raise Unauthenticated("the internal token is signed by an unknown key")
        assert self._keys is not None
        principal, expires = self._check(token, now)
        if len(self._verified) >= _CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _check(self, token: str, now: float) -> tuple[Principal, float]:
        assert self._keys is not None
        registry = jwt.JWTClaimsRegistry(
            now=int(now),
            leeway=self.leeway_s,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )
        try:
            decoded = jwt.decode(token, self._keys, algorithms=[ALGORITHM])
            registry.validate(decoded.claims)
        except JoseError as exc:
            raise Unauthenticated(f"the internal token is not valid ({exc.error})") from None
        except (ValueError, TypeError, KeyError):
            raise Unauthenticated("the internal token is not valid") from None
        claims = decoded.claims
        actor = claims.get("act")
        if not isinstance(actor, dict) or actor.get("sub") != self.issuer:
            raise Unauthenticated("the token was not issued by the gateway for a subgraph call")
        expires = claims["exp"]
        if not isinstance(expires, int | float) or expires > now + MAX_TTL_S + self.leeway_s:
            raise Unauthenticated("the internal token lives longer than internal tokens may")
        return Principal.from_claims(claims), float(expires)

    async def _refresh(self) -> None:
        """Read the key set again: one fetch at a time, at most once per ``refresh_interval_s``."""
        if self._fetch is None:
            return
        running = self._refreshing
        if running is None or running.done():
            interval = self._refresh_interval_s if self._keys is not None else min(1.0, self._refresh_interval_s)
            if self._clock() - self._last_refresh < interval:
                return
            self._last_refresh = self._clock()
            running = self._refreshing = asyncio.ensure_future(self._load())
            # every waiter may have been cancelled: the failure is still consumed, not reported as lost
            running.add_done_callback(lambda task: None if task.cancelled() else task.exception())
        await asyncio.shield(running)

    async def _load(self) -> None:
        assert self._fetch is not None
        keys = _key_set(await self._fetch())
        self._keys, self._kids = keys, _kids(keys)


def _key_set(document: Mapping[str, Any]) -> KeySet:
    try:
        return KeySet.import_key_set(dict(document))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise Unauthenticated("the gateway's key set cannot be read") from None


def _kids(keys: KeySet | None) -> frozenset[str]:
    if keys is None:
        return frozenset()
    return frozenset(k.kid for k in keys.keys if k.kid)
