"""The request pipeline behind /graphql, over real loopback HTTP: error codes, limits, introspection, the plan in
dev mode, and what the caches save (counted on the injected planner and executor)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import aiohttp
import orjson
import pytest

from gateway.settings import GatewayOptions
from tests.gateway.fakes import Gateway, serve_gateway

MODERN = "application/graphql-response+json"


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    served = serve_gateway(GatewayOptions(dev=True))
    yield served
    served.server.stop()


async def post(gateway: Gateway, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            gateway.url,
            data=io.BytesIO(orjson.dumps(body)),
            headers={"content-type": "application/json", "accept": MODERN, **(headers or {})},
        ) as resp,
    ):
        return resp.status, orjson.loads(await resp.read())


def codes(body: Any) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_an_unparsable_query_is_graphql_parse_failed(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": "{ hello "})
    assert status == 400
    assert codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 9}]


async def test_an_unknown_field_is_graphql_validation_failed(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": "{ me { id shoeSize } }"})
    assert status == 400
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "shoeSize" in body["errors"][0]["message"]


async def test_wrong_variable_types_are_bad_user_input(gateway: Gateway) -> None:
    query = "query($n: Int!) { users(first: $n) { id } }"
    for variables in ({"n": "three"}, {}, {"n": None}):
        status, body = await post(gateway, {"query": query, "variables": variables})
        assert status == 400, variables
        assert codes(body) == ["BAD_USER_INPUT"], variables
        assert "$n" in body["errors"][0]["message"]


async def test_variables_are_coerced_before_execution(gateway: Gateway) -> None:
    status, body = await post(
        gateway,
        {
            "query": "query($n: Int! = 1, $id: ID!) { users(first: $n) { id } user(id: $id) { id } }",
            "variables": {"id": 5},
        },
    )
    assert status == 200
    assert body == {"data": {"users": [{"id": "1"}], "user": {"id": "5"}}}
    assert gateway.executor.calls[-1] == {"n": 1, "id": "5"}


async def test_an_unknown_operation_name_is_operation_resolution_failure(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": "query A { hello }", "operationName": "B"})
    assert status == 400
    assert codes(body) == ["OPERATION_RESOLUTION_FAILURE"]
    assert "'B'" in body["errors"][0]["message"]


async def test_several_operations_without_a_name_is_operation_resolution_failure(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": "query A { hello } query B { me { id } }"})
    assert status == 400
    assert codes(body) == ["OPERATION_RESOLUTION_FAILURE"]
    status, body = await post(gateway, {"query": "query A { hello } query B { me { id } }", "operationName": "B"})
    assert (status, body) == (200, {"data": {"me": {"id": "1"}}})


async def test_ten_thousand_aliases_are_refused_without_planning(gateway: Gateway) -> None:
    planned = len(gateway.planner.calls)
    # 30,000 tokens: the parser gives up at the token limit, before the alias count
    query = "{ " + " ".join(f"a{i}: hello" for i in range(10_000)) + " }"
    status, body = await post(gateway, {"query": query})
    assert status == 400
    assert codes(body) == ["MAX_TOKENS_EXCEEDED"]
    # within the token limit, the alias limit refuses it
    query = "{ " + " ".join(f"a{i}: hello" for i in range(1_000)) + " }"
    status, body = await post(gateway, {"query": query})
    assert status == 400
    assert codes(body) == ["MAX_ALIASES_EXCEEDED"]
    assert len(gateway.planner.calls) == planned


async def test_aliases_hidden_in_multiplying_fragments_are_refused(gateway: Gateway) -> None:
    # each fragment spreads the next twice: 2^12 copies of 2 aliases, written in a few hundred bytes
    fragments = [f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }}" for i in range(12)]
    fragments.append("fragment F12 on User { a: id b: id }")
    status, body = await post(gateway, {"query": "{ me { ...F0 } } " + " ".join(fragments)})
    assert status == 400
    assert codes(body) == ["MAX_ALIASES_EXCEEDED"]


async def test_deep_nesting_is_refused_without_planning(gateway: Gateway) -> None:
    planned = len(gateway.planner.calls)
    for levels in (40, 3000):
        query = "{ me " + "{ friends " * levels + "{ id }" + " }" * levels + " }"
        status, body = await post(gateway, {"query": query})
        assert status == 400, levels
        assert codes(body) == ["MAX_DEPTH_EXCEEDED"], levels
    assert len(gateway.planner.calls) == planned


async def test_a_document_over_the_token_limit_is_refused_while_parsing(gateway: Gateway) -> None:
    query = "{ " + "hello " * 25_000 + "}"
    status, body = await post(gateway, {"query": query})
    assert status == 400
    assert codes(body) == ["MAX_TOKENS_EXCEEDED"]


async def test_too_many_root_fields_are_refused(gateway: Gateway) -> None:
    query = "{ " + " ".join(f"u{i}: user(id: {i}) {{ id }}" for i in range(51)) + " }"
    status, body = await post(gateway, {"query": query})
    assert status == 400
    assert codes(body) == ["MAX_ROOT_FIELDS_EXCEEDED"]


async def test_introspection_is_answered_by_the_gateway(gateway: Gateway) -> None:
    planned, executed = len(gateway.planner.calls), len(gateway.executor.calls)
    status, body = await post(
        gateway, {"query": '{ __schema { queryType { name } } __type(name: "User") { fields { name } } }'}
    )
    assert status == 200
    assert body["data"]["__schema"] == {"queryType": {"name": "Query"}}
    assert [f["name"] for f in body["data"]["__type"]["fields"]] == ["id", "name", "friends"]
    status, body = await post(gateway, {"query": "mutation { __typename }"})
    assert body == {"data": {"__typename": "Mutation"}}
    assert (len(gateway.planner.calls), len(gateway.executor.calls)) == (planned, executed)


async def test_introspection_beside_other_fields_is_merged_in_the_order_asked(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": "{ hello t: __typename me { name } __schema { queryType { name } } }"})
    assert status == 200
    assert list(body["data"]) == ["hello", "t", "me", "__schema"]
    assert body["data"] == {
        "hello": "world",
        "t": "Query",
        "me": {"name": "Ada"},
        "__schema": {"queryType": {"name": "Query"}},
    }
    assert "__schema" not in gateway.planner.calls[-1][0]


async def test_dev_mode_returns_the_plan_on_request(gateway: Gateway) -> None:
    status, body = await post(gateway, {"query": "{ hello }"}, {"x-minyi-plan": "1"})
    assert status == 200
    assert body["data"] == {"hello": "world"}
    assert body["extensions"]["queryPlan"] == 'QueryPlan { Fetch(service: "users") }'
    _, body = await post(gateway, {"query": "{ hello }"})
    assert "extensions" not in body


async def test_without_dev_mode_the_plan_header_is_ignored() -> None:
    served = serve_gateway(GatewayOptions(dev=False))
    try:
        _, body = await post(served, {"query": "{ hello }"}, {"x-minyi-plan": "1"})
        assert body == {"data": {"hello": "world"}}
    finally:
        served.server.stop()


async def test_a_repeated_request_is_neither_parsed_nor_planned_again(gateway: Gateway) -> None:
    query = "query Repeated { me { id name } }"
    planned = len(gateway.planner.calls)
    for _ in range(3):
        assert await post(gateway, {"query": query}) == (200, {"data": {"me": {"id": "1", "name": "Ada"}}})
    assert len(gateway.planner.calls) == planned + 1
    pipeline = gateway.pipeline()
    prepared = pipeline.documents.get(query)
    assert prepared is not None and not prepared.errors
    # the same document written differently is parsed again but shares the plan (normalized key)
    assert await post(gateway, {"query": "query   Repeated {\n  me {\n    id\n    name\n  }\n}"}) == (
        200,
        {"data": {"me": {"id": "1", "name": "Ada"}}},
    )
    assert len(gateway.planner.calls) == planned + 1


async def test_a_refused_document_is_refused_from_the_cache(gateway: Gateway) -> None:
    query = "{ me { id shoeSize } }"
    first = await post(gateway, {"query": query})
    pipeline = gateway.pipeline()
    cached = pipeline.documents.get(query)
    assert cached is not None and cached.errors
    assert await post(gateway, {"query": query}) == first


async def test_the_gateway_stays_up_after_abuse(gateway: Gateway) -> None:
    """Runs last in this module: every refusal above left the service answering."""
    assert await post(gateway, {"query": "{ hello }"}) == (200, {"data": {"hello": "world"}})
    async with aiohttp.ClientSession() as session, session.get(gateway.server.url + "/health") as resp:
        assert resp.status == 200
