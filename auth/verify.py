"""Verifying a Bearer access token (a signed JWT, RFC 7519 / RFC 9068) against the issuer's JWKS.

:class:`TokenVerifier` answers the :class:`~auth.principal.Principal` a token stands for, or raises
:class:`~auth.errors.Unauthenticated` with a message that says what kind of check failed and nothing else (never
the token, a claim value or a key). What it checks, in order (RFC 8725 "JWT Best Current Practices"):

1. shape: three base64url segments, at most ``max_token_length`` characters; a JSON object header; with
   ``require_access_token_type`` (the default) a ``typ`` of ``at+jwt`` (RFC 9068 §4; ``application/at+jwt`` too),
   so that an ID token whose audience happens to be the gateway's is not taken for an access token;
2. ``alg`` in the allow-list — asymmetric signatures only (RS*/PS*/ES*/Ed25519). ``none`` and every HS* are refused
   before any key is looked at, so a token "signed" with the RSA public key as an HMAC secret (the HS/RS confusion
   attack) never reaches a verifier;
3. the key: by ``kid`` (a token without one is accepted only when exactly one usable key fits its ``alg``); the key's
   type and curve must fit ``alg`` (and its own ``alg``, when the JWKS names one). Symmetric (``oct``) and
   encryption (``use: enc``) keys in a JWKS are ignored;
4. the signature (joserfc);
5. the claims (joserfc ``JWTClaimsRegistry``): ``iss`` equal to the issuer, ``aud`` naming one of the audiences,
   ``exp`` required and ``nbf``/``iat`` honoured, each with ``leeway_s`` of clock skew; ``sub`` required.

The key set is read again on a schedule, so that a key the issuer withdraws (rotated out, or compromised) stops
being trusted: the next verification after the key set's age passes re-reads it first. The age is the
``Cache-Control: max-age`` of the last JWKS answer (a source's ``max_age_s``) kept within ``key_max_age_bounds``
(1 minute to 1 hour by default), or ``default_key_max_age_s`` (5 minutes) when the answer gave none. A re-read that
fails keeps the old keys (the issuer being briefly down must not log everyone out) and is tried again after
``min_refresh_interval_s``.

Unknown ``kid``: the key set is fetched again — once for any number of concurrent requests (single-flight: they
share one fetch task) and at most once per ``min_refresh_interval_s`` (a flood of tokens with made-up ``kid``\\ s
costs the issuer one request per interval) — then the lookup is retried, and a kid still unknown is refused.

The hot path of a known key is synchronous apart from the ``async def`` itself: no await, no lock.
"""

from __future__ import annotations

import asyncio
import binascii
import logging
import time
from base64 import urlsafe_b64decode
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final

import orjson
from joserfc import jwk, jws
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwt import JWTClaimsRegistry
from redis.exceptions import RedisError

from auth.errors import Unauthenticated
from auth.jwks import JwksProvider, JwksSource, LocalJwks
from auth.principal import Principal
from auth.sessions import SessionCheck

__all__ = [
    "ACCESS_TOKEN_TYPES",
    "ALLOWED_ALGORITHMS",
    "DEFAULT_KEY_MAX_AGE_BOUNDS",
    "DEFAULT_KEY_MAX_AGE_S",
    "DEFAULT_LEEWAY_S",
    "DEFAULT_MIN_REFRESH_INTERVAL_S",
    "SessionBoundVerifier",
    "TokenVerifier",
    "embedded_verifier",
]

log = logging.getLogger("minyi.auth.verify")

DEFAULT_LEEWAY_S: Final = 30
DEFAULT_MIN_REFRESH_INTERVAL_S: Final = 30.0
DEFAULT_KEY_MAX_AGE_S: Final = 300.0
DEFAULT_KEY_MAX_AGE_BOUNDS: Final = (60.0, 3600.0)
ACCESS_TOKEN_TYPES: Final = frozenset({"at+jwt", "application/at+jwt"})
MAX_TOKEN_LENGTH: Final = 8192

# alg → (kty, curve or None): the key an algorithm may be verified with.
_KEY_FOR_ALG: Final[Mapping[str, tuple[str, str | None]]] = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "Ed25519": ("OKP", "Ed25519"),  # RFC 9864's fully specified name; the polymorphic "EdDSA" is deprecated by it
}
ALLOWED_ALGORITHMS: Final = frozenset(_KEY_FOR_ALG)

_INVALID = "The access token is invalid."


def _refuse(reason: str = _INVALID) -> Unauthenticated:
    return Unauthenticated(reason)


def _b64json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    return orjson.loads(urlsafe_b64decode(padded))


def _usable_keys(document: Mapping[str, Any]) -> tuple[dict[str, jwk.Key], tuple[jwk.Key, ...]]:
    """Signature keys of a JWKS document: by ``kid``, and those without one. Anything unusable is skipped."""
    by_kid: dict[str, jwk.Key] = {}
    unnamed: list[jwk.Key] = []
    entries = document.get("keys")
    if not isinstance(entries, list):
        return by_kid, ()
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue  # never an "oct" key: a shared secret has no place in a JWKS we verify with
        if entry.get("use") not in (None, "sig"):
            continue
        public = {k: v for k, v in entry.items() if k not in ("d", "p", "q", "dp", "dq", "qi", "oth")}
        try:
            key = jwk.import_key(public)
        except (JoseError, ValueError, TypeError):
            log.warning("skipped a JWKS key that does not import (kid %r)", entry.get("kid"))
            continue
        kid = entry.get("kid")
        if isinstance(kid, str) and kid:
            by_kid[kid] = key
        else:
            unnamed.append(key)
    return by_kid, tuple(unnamed)


def _fits(key: jwk.Key, alg: str) -> bool:
    kty, curve = _KEY_FOR_ALG[alg]
    if key.key_type != kty:
        return False
    if curve is not None and getattr(key, "curve_name", None) != curve:
        return False
    own = key.alg
    return own is None or own == alg


_VERIFIED_CACHE_SIZE = 10_000


class TokenVerifier:
    """Verifies access tokens of one issuer. ``source`` gives its JWKS; ``audience`` is the value (or values, any
    of which) ``aud`` must name. ``require_access_token_type`` refuses tokens without ``typ: at+jwt`` (turn it off
    only for an issuer that does not send it). ``clock`` (wall time, for claims) and ``monotonic`` (for the refresh
    interval and the key set's age) are seams for tests."""

    def __init__(
        self,
        source: JwksSource,
        *,
        issuer: str,
        audience: str | Collection[str],
        algorithms: Collection[str] = ALLOWED_ALGORITHMS,
        leeway_s: int = DEFAULT_LEEWAY_S,
        min_refresh_interval_s: float = DEFAULT_MIN_REFRESH_INTERVAL_S,
        max_token_length: int = MAX_TOKEN_LENGTH,
        require_access_token_type: bool = True,
        default_key_max_age_s: float = DEFAULT_KEY_MAX_AGE_S,
        key_max_age_bounds: tuple[float, float] = DEFAULT_KEY_MAX_AGE_BOUNDS,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        unsupported = set(algorithms) - ALLOWED_ALGORITHMS
        if unsupported:
            raise ValueError(f"not an allowed token algorithm: {', '.join(sorted(unsupported))}")
        audiences = [audience] if isinstance(audience, str) else list(audience)
        if not issuer or not audiences:
            raise ValueError("a token verifier needs an issuer and at least one audience")
        low, high = key_max_age_bounds
        if not 0 < low <= high:
            raise ValueError("key_max_age_bounds must be (low, high) with 0 < low <= high")
        self.require_access_token_type = require_access_token_type
        self.default_key_max_age_s = default_key_max_age_s
        self.key_max_age_bounds = (float(low), float(high))
        self._keys_expire_at: float | None = None  # monotonic time after which the key set is read again
        self.source = source
        self.issuer = issuer
        self.audiences = tuple(audiences)
        self.algorithms = frozenset(algorithms)
        self.min_refresh_interval_s = min_refresh_interval_s
        self.max_token_length = max_token_length
        self._monotonic = monotonic
        self._clock = clock
        self._leeway_s = leeway_s
        # Tokens already verified, until they expire: a client sends the same token for minutes, and checking its
        # signature again each time is most of the cost. Emptied whenever the key set is reloaded, so a key that
        # leaves the JWKS stops being trusted for cached tokens too.
        self._verified_cache: dict[str, tuple[Principal, float, float]] = {}
        self._claims = self._registry(issuer)
        self._jws = jws.JWSRegistry(algorithms=sorted(self.algorithms), strict_check_header=False)
        self._by_kid: dict[str, jwk.Key] = {}
        self._unnamed: tuple[jwk.Key, ...] = ()
        self._loaded = False
        self._last_fetch: float | None = None
        self._inflight: asyncio.Task[bool] | None = None
        self.fetches = 0  # JWKS loads started (for /metrics and tests)

    def _registry(self, issuer: str) -> JWTClaimsRegistry:
        return JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=self._leeway_s,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "values": list(self.audiences)},
            exp={"essential": True},
            sub={"essential": True},
        )

    def use_issuer(self, issuer: str) -> None:
        """Check ``iss`` against ``issuer`` from now on (the issuer as its discovery document spells it)."""
        if issuer != self.issuer:
            self.issuer = issuer
            self._claims = self._registry(issuer)
            self._verified_cache.clear()

    # -- verification -----------------------------------------------------------------------------------------------

    async def verify(self, token: str) -> Principal:
        """The principal ``token`` stands for, or :class:`Unauthenticated`."""
        if self._keys_expire_at is not None and self._monotonic() >= self._keys_expire_at:
            await self.refresh()  # the key set is past its age: read it again before trusting it
        cached = self._verified_cache.get(token)
        if cached is not None:
            principal, not_before, expires = cached
            now = self._clock()
            if not_before - self._leeway_s <= now <= expires + self._leeway_s:
                return principal
            del self._verified_cache[token]
        principal = await self._verify_uncached(token)
        if len(self._verified_cache) >= _VERIFIED_CACHE_SIZE:
            self._verified_cache.clear()
        exp_claim = principal.claims.get("exp")
        if isinstance(exp_claim, int | float):
            nbf_claim = principal.claims.get("nbf")
            start = float(nbf_claim) if isinstance(nbf_claim, int | float) else float("-inf")
            self._verified_cache[token] = (principal, start, float(exp_claim))
        return principal

    async def _verify_uncached(self, token: str) -> Principal:
        header = self._header(token)
        alg = header["alg"]
        kid = header.get("kid")
        if self.require_access_token_type:
            typ = header.get("typ")
            if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
                raise _refuse(
                    "The access token's type is not at+jwt: an ID token or another JWT is not an access token."
                )
        key = self._key(kid, alg)
        if key is None:
            await self.refresh()
            key = self._key(kid, alg)
            if key is None:
                raise _refuse("The access token is signed with an unknown key.")
        return self._verified(token, key, alg)

    def _header(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or not token or len(token) > self.max_token_length:
            raise _refuse("The access token is malformed.")
        segments = token.split(".")
        if len(segments) != 3:
            raise _refuse("The access token is malformed.")
        try:
            header = _b64json(segments[0])
        except (ValueError, binascii.Error):
            raise _refuse("The access token is malformed.") from None
        if not isinstance(header, dict):
            raise _refuse("The access token is malformed.")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise _refuse("The access token's signing algorithm is not accepted.")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _refuse("The access token is malformed.")
        return header

    def _key(self, kid: str | None, alg: str) -> jwk.Key | None:
        if kid is not None:
            key = self._by_kid.get(kid)
            if key is not None and not _fits(key, alg):
                raise _refuse("The access token's signing algorithm does not fit its key.")
            return key
        fitting = [k for k in (*self._unnamed, *self._by_kid.values()) if _fits(k, alg)]
        if len(fitting) == 1:
            return fitting[0]
        if self._loaded and fitting:
            raise _refuse("The access token names no key (kid).")
        return None

    def _verified(self, token: str, key: jwk.Key, alg: str) -> Principal:
        try:
            signed = jws.deserialize_compact(token, key, algorithms=(alg,), registry=self._jws)
        except JoseError:
            raise _refuse("The access token's signature does not verify.") from None
        except (ValueError, TypeError):  # malformed segments that joserfc did not wrap
            raise _refuse("The access token is malformed.") from None
        try:
            claims = orjson.loads(signed.payload or b"")
        except orjson.JSONDecodeError:
            raise _refuse("The access token is malformed.") from None
        if not isinstance(claims, dict):
            raise _refuse("The access token is malformed.")
        try:
            self._claims.validate(claims)
        except JoseError as error:
            raise _refuse(_claim_message(error)) from None
        try:
            return Principal.from_claims(claims)
        except (TypeError, ValueError, AttributeError):
            raise _refuse("The access token's claims are malformed.") from None

    # -- the key set ------------------------------------------------------------------------------------------------

    async def warm(self) -> bool:
        """Load the key set now (at start-up), if not loaded yet. False when it could not be read."""
        if self._loaded:
            return True
        return await self.refresh()

    async def refresh(self) -> bool:
        """Fetch the key set again, unless a fetch is running (then wait for it) or one started less than
        ``min_refresh_interval_s`` ago (then do nothing). True when keys were loaded by this or the shared fetch."""
        running = self._inflight
        if running is not None:
            return await asyncio.shield(running)
        now = self._monotonic()
        if self._last_fetch is not None and now - self._last_fetch < self.min_refresh_interval_s:
            return False
        self._last_fetch = now
        task = asyncio.ensure_future(self._load())
        self._inflight = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._inflight = None
            else:  # we were cancelled; the fetch goes on for the others and clears itself
                task.add_done_callback(lambda _: setattr(self, "_inflight", None))

    async def _load(self) -> bool:
        self.fetches += 1
        try:
            document = await self.source.fetch(fresh=self._loaded)
        except Exception as error:  # any source failure: log it (it names no token) and keep the old keys
            log.warning("could not load the JWKS of %s: %s", self.issuer, error)
            return False
        by_kid, unnamed = _usable_keys(document)
        if not by_kid and not unnamed:
            log.warning("the JWKS of %s has no usable signature key", self.issuer)
            return False
        if set(by_kid) != set(self._by_kid) or unnamed != self._unnamed:
            self._verified_cache.clear()
        self._by_kid, self._unnamed = by_kid, unnamed
        self._loaded = True
        self._keys_expire_at = self._monotonic() + self.key_max_age_s()
        return True

    def key_max_age_s(self) -> float:
        """How long the key set just read is trusted before it is read again (see the module docstring)."""
        said = getattr(self.source, "max_age_s", None)
        low, high = self.key_max_age_bounds
        age = self.default_key_max_age_s if not isinstance(said, int | float) else float(said)
        return min(max(age, low), high)

    async def close(self) -> None:
        task = self._inflight
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self.source.close()


def _claim_message(error: JoseError) -> str:
    claim = getattr(error, "claim", None)
    if isinstance(error, ExpiredTokenError):
        return "The access token has expired."
    if claim == "nbf":
        return "The access token is not valid yet."
    if claim == "iat":
        return "The access token was issued in the future."
    if claim == "iss":
        return "The access token was issued by an issuer this gateway does not trust."
    if claim == "aud":
        return "The access token is not meant for this gateway."
    return "The access token lacks a required claim or has an invalid one."


def embedded_verifier(keys: JwksProvider, *, issuer: str, audience: str | Collection[str]) -> TokenVerifier:
    """The gateway's verifier for the embedded provider: its key set read in process (e.g. a callable answering
    ``KeyRing.public_jwks()``), re-read on an unknown ``kid`` at most once a second — rotation is seen at once."""
    return TokenVerifier(LocalJwks(keys), issuer=issuer, audience=audience, min_refresh_interval_s=1.0)


class SessionBoundVerifier:
    """The embedded provider's verifier: a :class:`TokenVerifier`, then — for a token with ``sid`` — the check that
    its login session was not logged out (:class:`~auth.sessions.SessionCheck`, cached in process). A token without
    ``sid`` (client credentials, ``minyi token``) lives until it expires. Redis failing during the check refuses
    the token (fail closed)."""

    def __init__(self, tokens: TokenVerifier, sessions: SessionCheck) -> None:
        self.tokens = tokens
        self.sessions = sessions

    async def verify(self, token: str) -> Principal:
        principal = await self.tokens.verify(token)
        sid = principal.claims.get("sid")
        if sid is None:
            return principal
        try:
            alive = isinstance(sid, str) and await self.sessions.alive(sid)
        except RedisError:
            log.warning("the login session of a token could not be checked (the session store is unavailable)")
            raise _refuse("The access token's login session could not be checked.") from None
        if not alive:
            raise _refuse("The access token's login session has ended.")
        return principal

    async def warm(self) -> bool:
        return await self.tokens.warm()

    async def close(self) -> None:
        await self.tokens.close()
