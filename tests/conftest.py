"""Fixtures shared by every test: a real Redis, and one seeded synthetic city.

The Redis is ``MINYI_TEST_REDIS_URL`` when set (its database is emptied); otherwise a private redis-server is
started on a free port for the run and stopped at its end (:mod:`tests.support.redis_server`), so the tests need no
Redis running beforehand. Without the binary, the tests that use Redis fail saying how to install it.

Tests run the subgraphs in dev mode (``MINYI_DEV=1``, inherited by the processes they start): the person keys
they compare are made with the public development secret. ``tests/subgraphs/test_person_key_secret.py`` removes it to check
that a subgraph outside dev mode refuses to start without a secret of its own.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from redis.asyncio import Redis

from legacy.world import World, build_world
from tests.support.redis_server import INSTALL_HINT, RedisServerMissing, start_private_redis

os.environ.setdefault("MINYI_DEV", "1")


def _test_redis_url() -> tuple[str, str | None]:
    """The configured ``MINYI_TEST_REDIS_URL``, else a private redis-server started for this run (its URL is then
    exported, so the processes the tests start use it too); the second value says why there is none."""
    configured = os.environ.get("MINYI_TEST_REDIS_URL")
    if configured:
        return configured, None
    try:
        server = start_private_redis()
    except (RedisServerMissing, RuntimeError) as error:
        return "redis://127.0.0.1:1/15", str(error)
    atexit.register(server.stop)
    os.environ["MINYI_TEST_REDIS_URL"] = server.url
    return server.url, None


REDIS_URL, REDIS_MISSING = _test_redis_url()
NOW = datetime(2026, 11, 20, 10, 0)


@pytest.fixture(scope="session")
def world() -> World:
    """The city the stand-ins are seeded with in tests (seed 1, 400 people)."""
    return build_world(1, now=NOW)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """A real redis-server (database 15 by default), emptied before and after the test."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        pytest.fail(REDIS_MISSING or f"these tests need the redis-server at {REDIS_URL} ({exc!r}): {INSTALL_HINT}")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()
