"""The provider's signing keys: the current key signs, retired keys stay published until their tokens expire.

A key set is a tuple of :class:`SigningKey` (private JWKs, RS256 or ES256, made with joserfc). Rotation
(:func:`rotate_keys`) retires the current key and records ``publish_until`` = retirement + the longest lifetime of
anything it signed (+ leeway): until then the key stays in the JWKS so tokens it signed still verify; after that it
is dropped. Gateway replicas share the set through Redis area ``minyi:jwks`` (:mod:`auth.jwks_store`); every replica
re-reads it at most every ``refresh_s`` seconds, so a rotation on one replica reaches the others.

Who rotates: ``minyi keys rotate`` (an operator, on the key set in Redis), or the schedule — with
``rotate_every_s`` set (``MINYI_AUTH_KEY_ROTATION_DAYS``), the replica that re-reads a key set whose current key is
that old rotates it, holding ``minyi:jwks:rotating`` for a minute so that only one replica does.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from auth.jwks_store import KEYSET_KEY, ROTATION_LOCK_KEY, read_keyset, write_keyset
from auth.store import KeyValue

__all__ = ["KEYSET_KEY", "KeyRing", "KeyStore", "KeyStoreJwks", "SigningKey", "generate_signing_key", "rotate_keys"]

ROTATION_LEEWAY_S = 60
ALGORITHMS = ("RS256", "ES256")


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    alg: str
    private_jwk: Mapping[str, Any]
    created_at: int
    retired_at: int | None = None
    publish_until: int | None = None  # retired keys only: dropped from the JWKS after this instant

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "alg": self.alg,
            "jwk": dict(self.private_jwk),
            "created_at": self.created_at,
            "retired_at": self.retired_at,
            "publish_until": self.publish_until,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SigningKey:
        return cls(
            kid=str(data["kid"]),
            alg=str(data["alg"]),
            private_jwk=dict(data["jwk"]),
            created_at=int(data["created_at"]),
            retired_at=None if data.get("retired_at") is None else int(data["retired_at"]),
            publish_until=None if data.get("publish_until") is None else int(data["publish_until"]),
        )


def generate_signing_key(alg: str = "RS256", now: int | None = None) -> SigningKey:
    """A fresh private key for ``alg`` (RS256: RSA 2048; ES256: P-256) with a random ``kid``."""
    if alg not in ALGORITHMS:
        raise ValueError(f"unsupported signing algorithm {alg!r}; choose one of {ALGORITHMS}")
    created = int(time.time()) if now is None else now
    kid = f"{created:x}-{secrets.token_hex(4)}"
    params: Any = {"kid": kid, "alg": alg, "use": "sig"}
    key: RSAKey | ECKey = (
        RSAKey.generate_key(2048, parameters=params, private=True)
        if alg == "RS256"
        else ECKey.generate_key("P-256", parameters=params, private=True)
    )
    return SigningKey(kid=kid, alg=alg, private_jwk=key.as_dict(private=True), created_at=created)


def rotate_keys(keys: Sequence[SigningKey], new: SigningKey, now: int, max_token_ttl_s: int) -> tuple[SigningKey, ...]:
    """Retire every active key (published ``max_token_ttl_s`` + leeway longer), add ``new`` as the current key and
    drop retired keys whose tokens have all expired."""
    until = now + max_token_ttl_s + ROTATION_LEEWAY_S
    kept = [
        replace(k, retired_at=now, publish_until=until) if k.retired_at is None else k
        for k in keys
        if k.publish_until is None or k.publish_until > now
    ]
    return (*kept, new)


class KeyRing:
    """An immutable view of a key set with its joserfc key objects built once (signing and JWKS are hot paths)."""

    def __init__(self, keys: Sequence[SigningKey]) -> None:
        active = [k for k in keys if k.retired_at is None]
        if not active:
            raise ValueError("a key ring needs a current (unretired) key")
        self.keys = tuple(keys)
        self.current = active[-1]
        self._imported = {k.kid: _import(k) for k in keys}

    def sign(self, claims: Mapping[str, Any], typ: str = "JWT") -> str:
        key = self.current
        header = {"alg": key.alg, "kid": key.kid, "typ": typ}
        return jwt.encode(header, dict(claims), self._imported[key.kid], algorithms=[key.alg])

    def published(self, now: int | None = None) -> tuple[SigningKey, ...]:
        at = int(time.time()) if now is None else now
        return tuple(k for k in self.keys if k.publish_until is None or k.publish_until > at)

    def public_jwks(self, now: int | None = None) -> dict[str, Any]:
        """The JWKS document: public parts only (``kid``, ``alg``, ``use`` set), current key first."""
        keys = sorted(self.published(now), key=lambda k: k.retired_at is not None)
        return {"keys": [self._imported[k.kid].as_dict(private=False) for k in keys]}

    def public_key_set(self, now: int | None = None) -> KeySet:
        return KeySet.import_key_set(self.public_jwks(now))  # type: ignore[arg-type]


def _import(key: SigningKey) -> RSAKey | ECKey:
    params = {"kid": key.kid, "alg": key.alg, "use": "sig"}
    if key.alg == "RS256":
        return RSAKey.import_key(dict(key.private_jwk), parameters=params)  # type: ignore[arg-type]
    return ECKey.import_key(dict(key.private_jwk), parameters=params)  # type: ignore[arg-type]


class KeyStore:
    """The key set shared through Redis ``minyi:jwks:keyset`` (or an in-process :class:`~auth.store.MemoryStore`).

    The stored value holds private keys: the Redis of a deployment is as sensitive as the keys themselves.
    """

    def __init__(
        self,
        kv: KeyValue,
        *,
        alg: str = "RS256",
        max_token_ttl_s: int = 900,
        refresh_s: float = 10.0,
        rotate_every_s: int | None = None,
        clock: Callable[[], float] = time.time,
    ):
        if rotate_every_s is not None and rotate_every_s <= max_token_ttl_s:
            raise ValueError("keys must live longer than the tokens they sign: rotate_every_s > max_token_ttl_s")
        self._kv = kv
        self._alg = alg
        self._ttl = max_token_ttl_s
        self._refresh_s = refresh_s
        self._rotate_every_s = rotate_every_s
        self._clock = clock
        self._ring: KeyRing | None = None
        self._loaded_at = 0.0
        self.rotations = 0  # rotations made by this store (scheduled or asked for)

    async def ring(self) -> KeyRing:
        """The current key ring; re-read from the store at most every ``refresh_s`` seconds; created when absent."""
        if self._ring is None or time.monotonic() - self._loaded_at >= self._refresh_s:
            await self.reload()
        assert self._ring is not None
        return self._ring

    async def reload(self) -> KeyRing:
        raw = await read_keyset(self._kv)
        if raw is None:
            first = json.dumps([generate_signing_key(self._alg, int(self._clock())).to_json()])
            await write_keyset(self._kv, first, only_if_absent=True)  # another replica may have won: read it
            raw = await read_keyset(self._kv)
        keys = [SigningKey.from_json(k) for k in json.loads(raw)]
        if self._ring is None or tuple(keys) != self._ring.keys:
            self._ring = KeyRing(keys)
        self._loaded_at = time.monotonic()
        if self._due(self._ring) and await self._kv.set(ROTATION_LOCK_KEY, "1", ex=60, nx=True):
            return await self.rotate()
        return self._ring

    def _due(self, ring: KeyRing) -> bool:
        every = self._rotate_every_s
        return every is not None and self._clock() - ring.current.created_at >= every

    async def rotate(self, now: int | None = None) -> KeyRing:
        """Make a new current key; the old one stays published until every token it signed has expired."""
        at = int(self._clock()) if now is None else now
        raw = await read_keyset(self._kv)
        current = [SigningKey.from_json(k) for k in json.loads(raw)] if raw is not None else []
        keys = rotate_keys(current, generate_signing_key(self._alg, at), at, self._ttl)
        await write_keyset(self._kv, json.dumps([k.to_json() for k in keys]))
        self.rotations += 1
        return await self.reload()


class KeyStoreJwks:
    """The key store's public JWKS as a verifier's source (:class:`auth.jwks.JwksSource`): the current ring, and
    on ``fresh`` (an unknown ``kid``) a re-read of the store, so a rotation by another replica is seen at once."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    async def fetch(self, *, fresh: bool) -> dict[str, Any]:
        ring = await (self._keys.reload() if fresh else self._keys.ring())
        return ring.public_jwks()

    async def close(self) -> None:
        return None
