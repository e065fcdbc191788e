"""Fixtures shared by every test: a real Redis, and one seeded synthetic city.

Tests run the subgraphs in dev mode (``MINYI_DEV=1``, inherited by the processes they start): the person keys
they compare are made with the public development secret. ``tests/subgraphs/test_settings.py`` removes it to check
that a subgraph outside dev mode refuses to start without a secret of its own.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from redis.asyncio import Redis

from legacy.world import World, build_world

os.environ.setdefault("MINYI_DEV", "1")
REDIS_URL = os.environ.get("MINYI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
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
        pytest.fail(f"these tests need a redis-server at {REDIS_URL} ({exc!r}); .ci/run starts one")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()
