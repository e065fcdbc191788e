"""The tiers two gateway replicas share through one real Redis: query plans, automatic persisted queries (Apollo's
protocol) and trusted documents. Each replica is its own app on its own loop and Redis client; what one did is
proved on the other by counting (plans built, shared-tier hits), never by timing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
import pytest
from redis.asyncio import Redis

from gateway.document_stores import RedisTrustedDocuments
from gateway.manifest import TrustedDocument, document_hash
from gateway.plan_store import RedisPlanStore, planner_fingerprint
from gateway.settings import GatewayOptions
from tests.conftest import REDIS_URL
from tests.gateway.fakes import Gateway, serve_gateway

QUERY = "query Hello { hello }"
HASH = document_hash(QUERY)


@pytest.fixture
def replicas(redis: Redis) -> Iterator[tuple[Gateway, Gateway]]:
    first = serve_gateway(GatewayOptions(), redis_url=REDIS_URL)
    second = serve_gateway(GatewayOptions(), redis_url=REDIS_URL)
    yield first, second
    first.server.stop()
    second.server.stop()


async def post(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=io.BytesIO(orjson.dumps(body)), headers={"content-type": "application/json"}) as resp,
    ):
        return resp.status, orjson.loads(await resp.read())


async def get(url: str, params: dict[str, str]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}?{urlencode(params)}", headers={"x-minyi-csrf": "1"}) as resp,
    ):
        return resp.status, orjson.loads(await resp.read())


def persisted(digest: str = HASH, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def code_of(body: Any) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def test_a_plan_cached_by_one_replica_is_used_by_the_other(replicas: tuple[Gateway, Gateway]) -> None:
    first, second = replicas
    assert await post(first.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
    assert len(first.planner.calls) == 1

    assert await post(second.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
    assert second.planner.calls == []  # the second replica planned nothing: the plan came from Redis
    store = second.app.state.plan_store
    assert isinstance(store, RedisPlanStore)
    assert (store.reads, store.hits) == (1, 1)

    assert await post(second.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
    assert store.reads == 1  # the in-process tier answers first from now on


async def test_plans_are_shared_only_between_gateways_that_plan_alike(
    replicas: tuple[Gateway, Gateway], redis: Redis
) -> None:
    first, second = replicas
    assert await post(first.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
    (key,) = await redis.keys("minyi:plan:*")
    assert key.decode().endswith(":" + planner_fingerprint())
    # the same plan filed by a gateway whose planner differs is not this planner's: the second replica plans
    await redis.rename(key, key.decode().rsplit(":", 1)[0] + ":0123456789abcdef")
    assert await post(second.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
    assert len(second.planner.calls) == 1


async def test_a_persisted_query_registered_on_one_replica_is_found_on_the_other(
    replicas: tuple[Gateway, Gateway],
) -> None:
    first, second = replicas
    status, body = await post(second.url, {"extensions": persisted()})
    assert status == 200  # what Apollo's client link expects before it sends the text
    assert body["errors"][0]["message"] == "PersistedQueryNotFound"
    assert code_of(body) == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in body

    assert await post(first.url, {"query": QUERY, "extensions": persisted()}) == (200, {"data": {"hello": "world"}})

    assert await post(second.url, {"extensions": persisted()}) == (200, {"data": {"hello": "world"}})
    assert await get(second.url, {"extensions": orjson.dumps(persisted()).decode()}) == (
        200,
        {"data": {"hello": "world"}},
    )


async def test_a_hash_that_is_not_the_texts_is_refused_and_registers_nothing(
    replicas: tuple[Gateway, Gateway], redis: Redis
) -> None:
    first, _ = replicas
    wrong = document_hash("{ me { id } }")
    status, body = await post(first.url, {"query": QUERY, "extensions": persisted(wrong)})
    assert (status, code_of(body)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    assert await redis.keys("minyi:apq:*") == []
    status, body = await post(first.url, {"query": QUERY, "extensions": persisted(version=2)})
    assert (status, code_of(body)) == (400, "BAD_REQUEST")
    status, body = await post(first.url, {"extensions": persisted("not-a-hash")})
    assert (status, code_of(body)) == (400, "BAD_REQUEST")


async def test_with_apq_off_a_persisted_query_is_not_supported(redis: Redis) -> None:
    gateway = serve_gateway(GatewayOptions(apq=False), redis_url=REDIS_URL)
    try:
        status, body = await post(gateway.url, {"query": QUERY, "extensions": persisted()})
        assert status == 200
        assert body["errors"][0]["message"] == "PersistedQueryNotSupported"
        assert code_of(body) == "PERSISTED_QUERY_NOT_SUPPORTED"
        assert await post(gateway.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
    finally:
        gateway.server.stop()


MANIFEST = (
    TrustedDocument("hello-v1", QUERY, "Hello"),
    TrustedDocument("users-v1", "query Users($n: Int!) { users(first: $n) { name } }", "Users"),
)


async def test_in_trusted_mode_only_registered_operations_run_on_every_replica(redis: Redis) -> None:
    await RedisTrustedDocuments(redis).push(MANIFEST)
    first = serve_gateway(GatewayOptions(trusted_documents=True), redis_url=REDIS_URL)
    second = serve_gateway(GatewayOptions(trusted_documents=True), redis_url=REDIS_URL)
    try:
        for replica in (first, second):
            assert await post(replica.url, {"extensions": persisted("hello-v1")}) == (200, {"data": {"hello": "world"}})
            status, body = await post(
                replica.url, {"extensions": persisted("users-v1"), "variables": {"n": 1}, "operationName": "Users"}
            )
            assert (status, body) == (200, {"data": {"users": [{"name": "Ada"}]}})
            # the registered text itself runs, alone or with its hash
            assert await post(replica.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
            assert await post(replica.url, {"query": QUERY, "extensions": persisted()}) == (
                200,
                {"data": {"hello": "world"}},
            )
            status, body = await post(replica.url, {"query": "{ hello }"})
            assert (status, code_of(body)) == (403, "PERSISTED_QUERY_NOT_IN_LIST")
            status, body = await post(replica.url, {"extensions": persisted("nobody-registered-this")})
            assert (status, code_of(body)) == (404, "PERSISTED_QUERY_NOT_FOUND")
            # a client cannot register its own operation
            other = "{ me { name } }"
            status, body = await post(replica.url, {"query": other, "extensions": persisted(document_hash(other))})
            assert (status, code_of(body)) == (403, "PERSISTED_QUERY_NOT_IN_LIST")
        assert first.planner.calls != [] and len(first.planner.calls) + len(second.planner.calls) == 2
    finally:
        first.server.stop()
        second.server.stop()


def test_trusted_mode_needs_redis() -> None:
    with pytest.raises(ValueError, match="trusted documents need Redis"):
        serve_gateway(GatewayOptions(trusted_documents=True))


async def test_a_redis_that_does_not_answer_costs_a_plan_not_a_request() -> None:
    gateway = serve_gateway(GatewayOptions(), redis_url="redis://127.0.0.1:9/0")  # nothing listens on port 9
    try:
        assert await post(gateway.url, {"query": QUERY}) == (200, {"data": {"hello": "world"}})
        assert len(gateway.planner.calls) == 1
        # an APQ registration still answers, and the query runs from this replica's own tier
        assert await post(gateway.url, {"query": QUERY, "extensions": persisted()}) == (
            200,
            {"data": {"hello": "world"}},
        )
        assert await post(gateway.url, {"extensions": persisted()}) == (200, {"data": {"hello": "world"}})
    finally:
        gateway.server.stop()


async def test_trusted_mode_fails_closed_when_its_store_does_not_answer() -> None:
    gateway = serve_gateway(GatewayOptions(trusted_documents=True), redis_url="redis://127.0.0.1:9/0")
    try:
        status, body = await post(gateway.url, {"query": QUERY})
        assert (status, code_of(body)) == (503, "DOCUMENTS_UNAVAILABLE")
        assert body["errors"][0]["extensions"]["retryable"] is True
    finally:
        gateway.server.stop()


def test_document_hash_is_the_lowercase_hex_sha256_of_the_text() -> None:
    # the FIPS 180-2 test vector for "abc"
    assert document_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
