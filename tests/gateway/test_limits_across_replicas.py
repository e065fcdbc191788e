"""Limits that hold across replicas: a rate limit counted by two gateway apps on one Redis, and demand control
refusing before planning with the computed cost."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import orjson
import pytest
from redis.asyncio import Redis

from gateway.rate_limits import RateLimit
from gateway.settings import GatewayOptions, GatewaySettings
from tests.conftest import REDIS_URL
from tests.gateway.fakes import serve_gateway


async def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url,
            data=io.BytesIO(orjson.dumps(body)),
            headers={"content-type": "application/json", **(headers or {})},
        ) as resp,
    ):
        return resp.status, resp.headers, orjson.loads(await resp.read())


async def test_a_rate_limit_is_counted_across_two_replicas(redis: Redis) -> None:
    options = GatewayOptions(rate_limit_ip=RateLimit(5, 3600.0))
    first = serve_gateway(options, redis_url=REDIS_URL)
    second = serve_gateway(options, redis_url=REDIS_URL)
    try:
        answers = [await post(replica.url, {"query": "{ hello }"}) for replica in (first, second, first, second, first)]
        assert [status for status, _, _ in answers] == [200] * 5
        for replica in (second, first):
            status, headers, body = await post(replica.url, {"query": "{ hello }"})
            assert status == 429
            assert 1 <= int(headers["Retry-After"]) <= 720  # a token every 720 s
            error = body["errors"][0]
            assert error["extensions"]["code"] == "RATE_LIMITED"
            assert error["extensions"]["retryable"] is True
            assert error["extensions"]["limit"] == "ip"
            assert error["extensions"]["retryAfter"] == int(headers["Retry-After"])
        assert len(first.executor.calls) + len(second.executor.calls) == 5  # the refused ones never ran
        async with aiohttp.ClientSession() as session, session.get(f"{first.server.url}/metrics") as resp:
            assert 'minyi_gateway_rate_limited_total{limit="ip"} 1.0' in await resp.text()
    finally:
        first.server.stop()
        second.server.stop()


async def test_users_and_clients_have_buckets_of_their_own(redis: Redis) -> None:
    options = GatewayOptions(rate_limit_client=RateLimit(2, 3600.0))
    gateway = serve_gateway(options, redis_url=REDIS_URL)
    try:
        portal = {"apollographql-client-name": "portal"}
        assert [(await post(gateway.url, {"query": "{ hello }"}, portal))[0] for _ in range(3)] == [200, 200, 429]
        # another client (and a request naming none) is not held back by the portal's bucket
        assert (await post(gateway.url, {"query": "{ hello }"}, {"apollographql-client-name": "app"}))[0] == 200
        assert (await post(gateway.url, {"query": "{ hello }"}))[0] == 200
    finally:
        gateway.server.stop()


def test_rate_settings_are_parsed_and_bad_ones_refused() -> None:
    options = GatewaySettings(rate_limit_user="600/60s", rate_limit_ip="100/1m").options()  # type: ignore[call-arg]
    assert options.rate_limit_user == RateLimit(600, 60.0) and options.rate_limit_ip == RateLimit(100, 60.0)
    assert options.rate_limit_client is None
    with pytest.raises(ValueError, match="N/<window>"):
        GatewaySettings(rate_limit_user="lots").options()  # type: ignore[call-arg]


async def test_an_operation_over_the_cost_limit_is_refused_before_planning_with_its_cost() -> None:
    gateway = serve_gateway(GatewayOptions(max_cost=50))
    try:
        # users: a list of the default size 10, each with friends (10) → 10 × (1 + 10 × 1) = 110
        status, _, body = await post(gateway.url, {"query": "{ users(first: 2) { name friends { name } } }"})
        assert status == 200  # a request error under application/json
        error = body["errors"][0]
        assert error["extensions"] == {"code": "COST_LIMIT", "retryable": False, "cost": 110, "maxCost": 50}
        assert "110" in error["message"] and "data" not in body
        assert gateway.planner.calls == []  # refused before planning
        status, _, body = await post(gateway.url, {"query": "{ users(first: 2) { name } me { name } }"})
        assert (status, body) == (200, {"data": {"users": [{"name": "Ada"}] * 2, "me": {"name": "Ada"}}})
        async with aiohttp.ClientSession() as session, session.get(f"{gateway.server.url}/metrics") as resp:
            assert "minyi_gateway_operation_cost_count 2.0" in await resp.text()
    finally:
        gateway.server.stop()
