"""Discovery and JWKS contents, client credentials, key rotation keeping the retired key published."""

from __future__ import annotations

import base64
import time

import aiohttp
from joserfc import jwt
from joserfc.jwk import KeySet
from redis.asyncio import Redis

from auth.keys import KeyStore
from auth.principal import Principal, Role
from auth.provider import Provider
from tests.auth.conftest import SERVICE_SECRET
from tests.support.servers import BackgroundServer

Served = tuple[BackgroundServer, Provider]


async def test_discovery_document_points_at_the_endpoints(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    async with browser.get(f"{base}/.well-known/openid-configuration") as response:
        doc = await response.json()
    assert doc["issuer"] == base
    assert doc["jwks_uri"] == f"{base}/oauth/jwks" and doc["token_endpoint"] == f"{base}/oauth/token"
    assert doc["authorization_endpoint"] == f"{base}/oauth/authorize"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    async with browser.get(doc["jwks_uri"]) as response:
        jwks = await response.json()
    (key,) = jwks["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "public parts only"


async def test_client_credentials_for_the_service_client(served: Served, browser: aiohttp.ClientSession) -> None:
    base = served[0].url
    data = {"grant_type": "client_credentials", "scope": "appeals:read"}
    auth = _basic("minyi-service", SERVICE_SECRET)
    async with browser.post(f"{base}/oauth/token", data=data, headers=auth) as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        body = await response.json()
    assert "refresh_token" not in body and "id_token" not in body
    async with browser.get(f"{base}/oauth/jwks") as response:
        keys = KeySet.import_key_set(await response.json())
    principal = Principal.from_claims(jwt.decode(body["access_token"], keys, algorithms=["RS256"]).claims)
    assert principal.subject == "minyi-service" and principal.roles == {Role.SERVICE}
    assert principal.scopes == {"appeals:read"}
    bad = _basic("minyi-service", "wrong")
    async with browser.post(f"{base}/oauth/token", data=data, headers=bad) as response:
        assert response.status == 401 and (await response.json())["error"] == "invalid_client"
    # The public portal client may not use client credentials.
    async with browser.post(f"{base}/oauth/token", data={**data, "client_id": "minyi-portal"}) as response:
        assert response.status == 400 and (await response.json())["error"] == "unauthorized_client"


async def test_rotation_keeps_the_retired_key_published_until_its_tokens_expire(redis: Redis) -> None:
    store = KeyStore(redis, max_token_ttl_s=600, refresh_s=0)
    old = await store.ring()
    token = await _mint(old)
    now = int(time.time())
    ring = await store.rotate(now)
    assert ring.current.kid != old.current.kid
    published = {k["kid"] for k in ring.public_jwks(now)["keys"]}
    assert published == {old.current.kid, ring.current.kid}
    assert ring.public_jwks(now)["keys"][0]["kid"] == ring.current.kid, "the current key comes first"
    jwt.decode(token, ring.public_key_set(now), algorithms=["RS256"])  # the old token still verifies
    later = now + 600 + 61
    assert {k["kid"] for k in ring.public_jwks(later)["keys"]} == {ring.current.kid}
    # A second replica reading the same Redis sees the same keys; the next rotation drops the expired one.
    other = KeyStore(redis, max_token_ttl_s=600, refresh_s=0)
    assert (await other.ring()).current.kid == ring.current.kid
    again = await other.rotate(later)
    assert old.current.kid not in {k.kid for k in again.keys}


def _basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


async def _mint(ring: object) -> str:
    from auth.provider import mint_access_token

    principal = Principal("handler", frozenset({Role.UNIT_HANDLER}), unit="43010503")
    return mint_access_token(ring, principal, issuer="http://x", audience="minyi", lifetime_s=600)  # type: ignore[arg-type]
