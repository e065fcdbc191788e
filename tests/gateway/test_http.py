"""GraphQL over HTTP at the gateway, over real loopback HTTP: media types, status codes, CSRF prevention, body limits."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import aiohttp
import orjson
import pytest

from gateway.executor.native import native_status
from gateway.settings import GatewayOptions
from tests.gateway.fakes import Gateway, serve_gateway

JSON = {"content-type": "application/json"}
MODERN = "application/graphql-response+json"


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    served = serve_gateway(GatewayOptions(dev=True))
    yield served
    served.server.stop()


async def post(
    gateway: Gateway, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> tuple[int, str, Any]:
    data = io.BytesIO(raw if raw is not None else orjson.dumps(body))
    async with (
        aiohttp.ClientSession() as session,
        session.post(gateway.url, data=data, headers={**JSON, **(headers or {})}) as resp,
    ):
        return resp.status, resp.headers["content-type"], orjson.loads(await resp.read())


async def get(gateway: Gateway, params: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(gateway.url, params=params, headers=headers) as resp:
        return resp.status, orjson.loads(await resp.read())


def codes(body: Any) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_a_query_is_answered_as_application_json_by_default(gateway: Gateway) -> None:
    status, content_type, body = await post(gateway, {"query": "{ hello }"})
    assert status == 200
    assert content_type.startswith("application/json")
    assert body == {"data": {"hello": "world"}}


async def test_graphql_response_json_is_answered_when_the_client_accepts_it(gateway: Gateway) -> None:
    status, content_type, body = await post(gateway, {"query": "{ hello }"}, {"accept": f"{MODERN}, application/json"})
    assert status == 200
    assert content_type.startswith(MODERN)
    assert body == {"data": {"hello": "world"}}


async def test_a_client_preferring_application_json_gets_it(gateway: Gateway) -> None:
    _, content_type, _ = await post(gateway, {"query": "{ hello }"}, {"accept": f"application/json, {MODERN};q=0.5"})
    assert content_type.startswith("application/json")


async def test_request_errors_are_400_under_graphql_response_json_and_200_under_application_json(
    gateway: Gateway,
) -> None:
    modern = await post(gateway, {"query": "{ nope }"}, {"accept": MODERN})
    legacy = await post(gateway, {"query": "{ nope }"}, {"accept": "application/json"})
    assert modern[0] == 400 and legacy[0] == 200
    assert modern[2] == legacy[2]
    assert "data" not in modern[2]
    assert codes(modern[2]) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_malformed_requests_are_400_with_a_clear_error_whatever_the_media_type(gateway: Gateway) -> None:
    cases: list[tuple[bytes, str]] = [
        (b"{not json", "not valid JSON"),
        (orjson.dumps({"variables": {}}), "has no `query`"),
        (orjson.dumps({"query": 3}), "has no `query`"),
        (orjson.dumps({"query": "{ hello }", "variables": [1]}), "`variables` must be a JSON object"),
        (orjson.dumps({"query": "{ hello }", "variables": "x"}), "`variables` must be a JSON object"),
        (orjson.dumps({"query": "{ hello }", "operationName": 7}), "`operationName` must be a string"),
        (orjson.dumps([{"query": "{ hello }"}]), "Batched requests"),
        (b"", "not valid JSON"),
    ]
    for raw, message in cases:
        for accept in ("application/json", MODERN):
            status, _, body = await post(gateway, None, {"accept": accept}, raw=raw)
            assert status == 400, (raw, accept)
            assert message in body["errors"][0]["message"]
            assert codes(body) == ["BAD_REQUEST"]


async def test_post_needs_application_json(gateway: Gateway) -> None:
    status, _, body = await post(gateway, {"query": "{ hello }"}, {"content-type": "application/xml"})
    assert status == 415
    assert "application/json" in body["errors"][0]["message"]


async def test_a_simple_get_is_refused_as_possible_csrf(gateway: Gateway) -> None:
    status, body = await get(gateway, {"query": "{ hello }"})
    assert status == 400
    assert codes(body) == ["CSRF_PREVENTED"]


@pytest.mark.parametrize("header", ["X-Minyi-Csrf", "Apollo-Require-Preflight", "GraphQL-Require-Preflight"])
async def test_a_get_with_a_preflight_header_is_answered(gateway: Gateway, header: str) -> None:
    status, body = await get(gateway, {"query": "{ hello }"}, {header: "1"})
    assert status == 200
    assert body == {"data": {"hello": "world"}}


async def test_a_get_with_a_non_simple_content_type_is_answered(gateway: Gateway) -> None:
    status, body = await get(gateway, {"query": "{ hello }"}, {"content-type": "application/json"})
    assert status == 200
    assert body == {"data": {"hello": "world"}}


async def test_get_carries_variables_and_operation_name_in_the_query_string(gateway: Gateway) -> None:
    params = {
        "query": "query A { hello } query B($id: ID!) { user(id: $id) { id } }",
        "operationName": "B",
        "variables": '{"id": "7"}',
    }
    status, body = await get(gateway, params, {"x-minyi-csrf": "1"})
    assert status == 200
    assert body == {"data": {"user": {"id": "7"}}}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
async def test_a_simple_post_is_refused_as_possible_csrf(gateway: Gateway, content_type: str) -> None:
    status, _, body = await post(gateway, {"query": "{ hello }"}, {"content-type": content_type})
    assert status == 400
    assert codes(body) == ["CSRF_PREVENTED"]


async def test_a_mutation_over_get_is_refused_with_405(gateway: Gateway) -> None:
    status, body = await get(gateway, {"query": 'mutation { rename(name: "Bo") { name } }'}, {"x-minyi-csrf": "1"})
    assert status == 405
    assert codes(body) == ["METHOD_NOT_ALLOWED"]
    assert "POST" in body["errors"][0]["message"]
    assert gateway.executor.calls == [] or all("name" not in c for c in gateway.executor.calls)


async def test_a_mutation_over_post_runs(gateway: Gateway) -> None:
    status, _, body = await post(
        gateway, {"query": "mutation($n: String!) { rename(name: $n) { name } }", "variables": {"n": "Bo"}}
    )
    assert status == 200
    assert body == {"data": {"rename": {"name": "Bo"}}}


async def test_other_methods_are_refused_with_405(gateway: Gateway) -> None:
    async with aiohttp.ClientSession() as session, session.put(gateway.url, data=b"{}", headers=JSON) as resp:
        assert resp.status == 405
        assert resp.headers["allow"] == "GET, POST"


async def test_a_10_mb_body_is_refused_with_413_without_being_read(gateway: Gateway) -> None:
    raw = b'{"query": "' + b" " * (10 * 1024 * 1024) + b'{ hello }"}'
    status, _, body = await post(gateway, None, raw=raw)
    assert status == 413
    assert codes(body) == ["PAYLOAD_TOO_LARGE"]


async def test_a_chunked_body_over_the_limit_is_refused_with_413(gateway: Gateway) -> None:
    chunk = b" " * (64 * 1024)

    async def stream() -> Any:
        yield b'{"query": "'
        for _ in range(40):  # 2.5 MiB, no Content-Length
            yield chunk
        yield b'{ hello }"}'

    async with aiohttp.ClientSession() as session, session.post(gateway.url, data=stream(), headers=JSON) as resp:
        assert resp.status == 413
        assert codes(orjson.loads(await resp.read())) == ["PAYLOAD_TOO_LARGE"]


async def test_health_names_the_schema(gateway: Gateway) -> None:
    async with aiohttp.ClientSession() as session, session.get(gateway.server.url + "/health") as resp:
        assert resp.status == 200
        health = orjson.loads(await resp.read())
    last_reload = health.pop("last_reload")
    assert isinstance(health.pop("warnings"), list)  # tests/gateway/test_health_warnings.py
    assert health.pop("process") == os.getpid()  # the worker process that answered
    assert health.pop("circuits") == {}  # no subgraph called yet (tests/executor/test_subgraph_circuits.py)
    assert health.pop("executor") == native_status().mode  # "pure Python" unless built (scripts/native.sh)
    assert health == {
        "status": "ok",
        "schema": "fake-schema-hash",
        "subgraphs": [{"name": "users", "url": "http://127.0.0.1:9/graphql"}],
        "composition_errors": [],
    }
    assert datetime.fromisoformat(last_reload).tzinfo is not None


def test_fresh_request_ids_are_32_hex_digits_never_repeated_and_a_forked_worker_draws_its_own() -> None:
    from gateway.http import request_id_of

    ids = [request_id_of([]) for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert request_id_of([(b"x-request-id", b"lb-7")]) == "lb-7"  # a sane one from the client is kept
    assert len(request_id_of([(b"x-request-id", b"no spaces please")])) == 32

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # a worker forked from a parent that had already made ids
        os.write(write, request_id_of([]).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    forked = os.read(read, 64).decode()
    os.close(read)
    assert len(forked) == 32 and forked[:16] != ids[0][:16]
