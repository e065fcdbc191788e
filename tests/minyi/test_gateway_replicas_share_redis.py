"""Two ``minyi gateway`` processes on one Redis, as replicas run: a plan built by one is used by the other, a
persisted query registered on one runs on the other, and one rate limit counts the requests of both."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis

from gateway.manifest import document_hash
from schema.compose import SubgraphSource, compose
from tests.conftest import REDIS_URL
from tests.support.servers import free_port

CLI = (sys.executable, "-m", "minyi.cli")
LIMIT = 20


def _start(supergraph: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "gateway", "--supergraph", str(supergraph), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return proc, f"http://127.0.0.1:{port}"
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(proc.stderr.read() if proc.stderr else "the gateway did not start")


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    composed = compose([SubgraphSource("appeals", "http://127.0.0.1:9/graphql", "type Query { hello: String }")])
    assert composed.supergraph_sdl is not None
    supergraph = tmp_path_factory.mktemp("replicas") / "supergraph.graphql"
    supergraph.write_text(composed.supergraph_sdl, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINYI_GATEWAY_", "MINYI_REDIS", "MINYI_AUTH"))}
    env |= {"MINYI_GATEWAY_REDIS_URL": REDIS_URL, "MINYI_GATEWAY_RATE_LIMIT_IP": f"{LIMIT}/1h"}
    with SyncRedis.from_url(REDIS_URL) as client:
        client.flushdb()
    started = [_start(supergraph, env), _start(supergraph, env)]
    try:
        yield started[0][1], started[1][1]
    finally:
        for proc, _ in started:
            proc.terminate()
            proc.wait(15)
            if proc.stderr is not None:
                proc.stderr.close()


async def post(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/graphql", data=io.BytesIO(orjson.dumps(body)), headers={"content-type": "application/json"}
        ) as resp,
    ):
        return resp.status, orjson.loads(await resp.read())


async def metric(url: str, name: str) -> float:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/metrics") as resp:
        for line in (await resp.text()).splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise AssertionError(f"{name} is not served")


async def test_replicas_share_plans_persisted_queries_and_one_rate_limit(replicas: tuple[str, str]) -> None:
    first, second = replicas
    redis = Redis.from_url(REDIS_URL)
    try:
        sent = 0
        # a persisted query registered on the first replica runs on the second
        text = "query Greeting { __typename }"
        registered = {
            "query": text,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(text)}},
        }
        assert await post(first, registered) == (200, {"data": {"__typename": "Query"}})
        hash_only = {"extensions": registered["extensions"]}
        assert await post(second, hash_only) == (200, {"data": {"__typename": "Query"}})
        sent += 2

        # a plan built by the first replica (the subgraph is down: the answer is partial, the plan stands)
        status, body = await post(first, {"query": "{ hello }"})
        assert status == 200 and body["data"] == {"hello": None}
        assert len(await redis.keys("minyi:plan:*")) == 1
        status, body = await post(second, {"query": "{ hello }"})
        assert status == 200 and body["data"] == {"hello": None}
        sent += 2
        assert await metric(first, "minyi_gateway_plan_duration_seconds_count") == 1
        assert await metric(second, "minyi_gateway_plan_duration_seconds_count") == 0  # planned by nobody here

        # one bucket for this address, whichever replica answers
        statuses: list[int] = []
        while sent + len(statuses) < LIMIT + 2:
            status, _ = await post((first, second)[len(statuses) % 2], {"query": "{ __typename }"})
            statuses.append(status)
        assert statuses.count(200) == LIMIT - sent
        assert statuses[LIMIT - sent :] == [429, 429]
    finally:
        await redis.aclose()
