"""Token verification: the good token, every attack refused with nothing leaked, the JWKS refresh discipline."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from joserfc import jwk, jwt

from auth.discovery import DiscoveredJwks, external_verifier
from auth.errors import Unauthenticated
from auth.jwks import LocalJwks, RemoteJwks
from auth.jwks_store import RedisJwksCache, jwks_key
from auth.principal import Role
from auth.verify import TokenVerifier
from tests.auth.issuer import AUDIENCE, TinyIssuer, serve_issuer
from tests.support.servers import BackgroundServer


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def remote() -> Iterator[tuple[TinyIssuer, BackgroundServer]]:
    issuer, server = serve_issuer()
    try:
        yield issuer, server
    finally:
        server.stop()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _local(issuer: TinyIssuer, **options: object) -> TokenVerifier:
    return TokenVerifier(LocalJwks(issuer.jwks), issuer=issuer.issuer, audience=AUDIENCE, **options)  # type: ignore[arg-type]


def _assert_refused_quietly(error: Unauthenticated, token: str, *secrets: str) -> None:
    message = str(error)
    assert error.code == "UNAUTHENTICATED"
    assert message.startswith("The access token")
    for part in (token, *token.split("."), *secrets):
        if len(part) >= 6:
            assert part not in message


async def test_a_good_token_gives_its_principal() -> None:
    issuer = TinyIssuer("https://login.example")
    principal = await _local(issuer).verify(issuer.token())
    assert principal.subject == "u-1001"
    assert principal.roles == frozenset({Role.SUPERVISOR})
    assert principal.scopes == frozenset({"openid", "appeals:read"})
    assert principal.unit == "U-430102"
    assert principal.admin_codes == ("430102",)


@pytest.mark.parametrize("alg", ["ES256", "Ed25519"])
async def test_ec_and_edwards_keys_verify(alg: str) -> None:
    issuer = TinyIssuer("https://login.example", alg=alg)
    assert (await _local(issuer).verify(issuer.token())).subject == "u-1001"


def _attacks(issuer: TinyIssuer) -> dict[str, str]:
    good = issuer.token()
    header, payload, signature = good.split(".")
    claims = issuer.claims()
    public_pem = issuer.current.as_pem(private=False)
    hs_header = _b64(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    hs_payload = _b64(json.dumps(claims).encode())
    hs_signature = _b64(hmac.new(public_pem, f"{hs_header}.{hs_payload}".encode(), hashlib.sha256).digest())
    none_header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    tampered = dict(claims, roles=["admin"], sub="someone-else")
    stranger = jwk.RSAKey.generate_key(2048, parameters={"kid": "stranger"})
    impostor = jwk.RSAKey.generate_key(2048, parameters={"kid": "k1"})
    return {
        "alg none": f"{none_header}.{hs_payload}.",
        "alg none with a signature": f"{none_header}.{hs_payload}.{signature}",
        "unknown key": jwt.encode({"alg": "RS256", "kid": "stranger", "typ": "at+jwt"}, claims, stranger),
        "known kid, other key": jwt.encode({"alg": "RS256", "kid": "k1", "typ": "at+jwt"}, claims, impostor),
        "an ID token with the gateway's audience": issuer.token(header={"typ": "JWT"}),
        "no typ": issuer.token(header={"typ": None}),
        "HS256 with the public key as secret": f"{hs_header}.{hs_payload}.{hs_signature}",
        "expired": issuer.token(exp=int(time.time()) - 120, iat=int(time.time()) - 600),
        "not yet valid": issuer.token(nbf=int(time.time()) + 600),
        "issued in the future": issuer.token(iat=int(time.time()) + 600),
        "wrong audience": issuer.token(aud="another-api"),
        "an internal token for a subgraph": issuer.token(aud="hotline", act={"sub": "minyi-gateway"}),
        "wrong issuer": issuer.token(iss="https://evil.example"),
        "no exp": issuer.token(exp=None),
        "no sub": issuer.token(sub=None),
        "tampered payload": f"{header}.{_b64(json.dumps(tampered).encode())}.{signature}",
        "tampered signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "garbage": "not a token at all",
        "two segments": f"{header}.{payload}",
        "header not json": f"{_b64(b'{oops')}.{payload}.{signature}",
        "header not an object": f"{_b64(b'[1]')}.{payload}.{signature}",
        "payload not json": f"{header}.{_b64(b'nope')}.{signature}",
        "huge": "a" * 10_000,
        "empty": "",
    }


@pytest.mark.parametrize("attack", list(_attacks(TinyIssuer("https://login.example"))))
async def test_attacks_are_refused_and_nothing_leaks(attack: str) -> None:
    issuer = TinyIssuer("https://login.example")
    token = _attacks(issuer)[attack]
    verifier = _local(issuer)
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(token)
    _assert_refused_quietly(refused.value, token, "u-1001", "someone-else", "evil.example", "another-api")


async def test_the_leeway_forgives_small_clock_skew() -> None:
    issuer = TinyIssuer("https://login.example")
    now = int(time.time())
    verifier = _local(issuer)
    assert (await verifier.verify(issuer.token(exp=now - 10))).subject == "u-1001"
    assert (await verifier.verify(issuer.token(nbf=now + 10))).subject == "u-1001"


async def test_an_unknown_key_refreshes_the_jwks_once_then_is_refused(
    remote: tuple[TinyIssuer, BackgroundServer],
) -> None:
    issuer, server = remote
    clock = FakeMonotonic()
    verifier = TokenVerifier(RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE, monotonic=clock)
    try:
        assert (await verifier.verify(issuer.token())).subject == "u-1001"
        assert issuer.jwks_requests == 1
        clock.now += 3600
        stranger = jwk.RSAKey.generate_key(2048, parameters={"kid": "stranger"})
        token = jwt.encode({"alg": "RS256", "kid": "stranger", "typ": "at+jwt"}, issuer.claims(), stranger)
        for _ in range(3):
            with pytest.raises(Unauthenticated) as refused:
                await verifier.verify(token)
            _assert_refused_quietly(refused.value, token)
        assert issuer.jwks_requests == 2  # one refresh, then the rate limit holds
        clock.now += 3600
        with pytest.raises(Unauthenticated):
            await verifier.verify(token)
        assert issuer.jwks_requests == 3  # the interval has passed: one more look
    finally:
        await verifier.close()


async def test_a_rotated_key_is_picked_up_by_the_refresh(remote: tuple[TinyIssuer, BackgroundServer]) -> None:
    issuer, server = remote
    clock = FakeMonotonic()
    verifier = TokenVerifier(RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE, monotonic=clock)
    try:
        old = issuer.token()
        await verifier.verify(old)
        issuer.rotate("k2")
        clock.now += 60
        assert (await verifier.verify(issuer.token())).subject == "u-1001"
        assert (await verifier.verify(old)).subject == "u-1001"  # the retired key is still published
        assert issuer.jwks_requests == 2
    finally:
        await verifier.close()


async def test_concurrent_unknown_kids_share_one_jwks_fetch(remote: tuple[TinyIssuer, BackgroundServer]) -> None:
    issuer, server = remote
    # no rate limit at all: only single-flight can make ten concurrent refreshes one fetch
    verifier = TokenVerifier(
        RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE, min_refresh_interval_s=0
    )
    try:
        assert await verifier.warm()
        assert issuer.jwks_requests == 1
        stranger = jwk.RSAKey.generate_key(2048)
        tokens = [
            jwt.encode({"alg": "RS256", "kid": f"unknown-{i}", "typ": "at+jwt"}, issuer.claims(), stranger)
            for i in range(10)
        ]
        outcomes = await asyncio.gather(*(verifier.verify(t) for t in tokens), return_exceptions=True)
        assert all(isinstance(o, Unauthenticated) for o in outcomes)
        assert issuer.jwks_requests == 2
        with pytest.raises(Unauthenticated):
            await verifier.verify(tokens[0])
        assert issuer.jwks_requests == 3  # sequential refreshes are not merged (the interval is 0 here)
    finally:
        await verifier.close()


async def test_a_flood_of_unknown_kids_is_rate_limited(remote: tuple[TinyIssuer, BackgroundServer]) -> None:
    issuer, server = remote
    clock = FakeMonotonic()
    verifier = TokenVerifier(
        RemoteJwks(f"{server.url}/jwks"),
        issuer=issuer.issuer,
        audience=AUDIENCE,
        min_refresh_interval_s=30,
        monotonic=clock,
    )
    try:
        await verifier.warm()
        clock.now += 31
        stranger = jwk.RSAKey.generate_key(2048)
        for i in range(20):
            with pytest.raises(Unauthenticated):
                await verifier.verify(
                    jwt.encode({"alg": "RS256", "kid": f"x{i}", "typ": "at+jwt"}, issuer.claims(), stranger)
                )
            clock.now += 1  # 20 s of flood: still within one interval
        assert issuer.jwks_requests == 2
    finally:
        await verifier.close()


async def test_an_unreachable_jwks_refuses_tokens_and_keeps_serving_known_keys(
    remote: tuple[TinyIssuer, BackgroundServer],
) -> None:
    issuer, server = remote
    verifier = TokenVerifier(
        RemoteJwks(f"{server.url}/jwks"), issuer=issuer.issuer, audience=AUDIENCE, min_refresh_interval_s=0
    )
    try:
        await verifier.warm()
        server.stop()
        assert (await verifier.verify(issuer.token())).subject == "u-1001"
        issuer.rotate("k2")
        with pytest.raises(Unauthenticated) as refused:
            await verifier.verify(issuer.token())
        assert "unknown key" in str(refused.value)
    finally:
        await verifier.close()


async def test_an_external_issuer_is_trusted_through_discovery(remote: tuple[TinyIssuer, BackgroundServer]) -> None:
    issuer, _server = remote
    verifier = external_verifier(issuer.issuer, AUDIENCE)
    try:
        principal = await verifier.verify(issuer.token())
        assert principal.subject == "u-1001"
        assert issuer.discovery_requests == 1
        assert issuer.jwks_requests == 1
        source = verifier.source
        assert isinstance(source, DiscoveredJwks) and source.metadata is not None
        assert source.metadata.jwks_uri == f"{issuer.issuer}/jwks"
        other = TinyIssuer(issuer.issuer)  # same URL, other keys: its tokens do not verify
        with pytest.raises(Unauthenticated):
            await verifier.verify(other.token(header={"kid": "k1"}))
    finally:
        await verifier.close()


async def test_discovery_naming_another_issuer_is_refused(remote: tuple[TinyIssuer, BackgroundServer]) -> None:
    issuer, server = remote
    verifier = external_verifier(server.url.replace("127.0.0.1", "localhost"), AUDIENCE)
    try:
        with pytest.raises(Unauthenticated):
            await verifier.verify(issuer.token())
        assert issuer.jwks_requests == 0
    finally:
        await verifier.close()


async def test_fetched_jwks_is_shared_through_redis(redis: object, remote: tuple[TinyIssuer, BackgroundServer]) -> None:
    from redis.asyncio import Redis

    assert isinstance(redis, Redis)
    issuer, server = remote
    url = f"{server.url}/jwks"
    first = TokenVerifier(RemoteJwks(url, cache=RedisJwksCache(redis)), issuer=issuer.issuer, audience=AUDIENCE)
    second = TokenVerifier(RemoteJwks(url, cache=RedisJwksCache(redis)), issuer=issuer.issuer, audience=AUDIENCE)
    try:
        await first.verify(issuer.token())
        assert await redis.exists(jwks_key(url))
        assert jwks_key(url).startswith("minyi:jwks:")
        await second.verify(issuer.token())
        assert issuer.jwks_requests == 1  # the second replica read the first one's fetch
    finally:
        await first.close()
        await second.close()


def test_hmac_algorithms_cannot_be_allowed() -> None:
    issuer = TinyIssuer("https://login.example")
    with pytest.raises(ValueError):
        TokenVerifier(LocalJwks(issuer.jwks), issuer=issuer.issuer, audience=AUDIENCE, algorithms=["HS256"])
    with pytest.raises(ValueError):
        TokenVerifier(LocalJwks(issuer.jwks), issuer=issuer.issuer, audience=AUDIENCE, algorithms=["none"])


async def test_symmetric_keys_in_a_jwks_are_ignored() -> None:
    issuer = TinyIssuer("https://login.example")
    secret = jwk.OctKey.generate_key(256, parameters={"kid": "shared"})
    jwks = {"keys": [*issuer.jwks()["keys"], secret.as_dict(private=True)]}
    verifier = TokenVerifier(LocalJwks(jwks), issuer=issuer.issuer, audience=AUDIENCE)
    forged = jwt.encode({"alg": "HS256", "kid": "shared"}, issuer.claims(), secret)
    with pytest.raises(Unauthenticated):
        await verifier.verify(forged)
    assert (await verifier.verify(issuer.token())).subject == "u-1001"


async def test_a_verified_token_is_remembered_until_it_expires() -> None:
    now = [1_000_000.0]
    key = jwk.RSAKey.generate_key(2048, parameters={"kid": "k1"})
    verifier = TokenVerifier(
        LocalJwks({"keys": [key.as_dict(private=False)]}),
        issuer="https://issuer.test",
        audience="minyi",
        clock=lambda: now[0],
    )
    claims = {"iss": "https://issuer.test", "aud": "minyi", "sub": "u1", "exp": int(now[0]) + 60, "iat": int(now[0])}
    token = jwt.encode({"alg": "RS256", "kid": "k1", "typ": "at+jwt"}, claims, key)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # served from the cache, not verified again
    now[0] += 120  # past exp and the leeway
    with pytest.raises(Unauthenticated):
        await verifier.verify(token)
