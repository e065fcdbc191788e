"""``minyi documents push FILE`` registers a manifest's operations in Redis for every gateway replica."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
from redis.asyncio import Redis

from gateway.document_stores import TRUSTED_KEY
from gateway.manifest import document_hash
from tests.conftest import REDIS_URL

CLI = (sys.executable, "-m", "minyi.cli")
HELLO = "query Hello { hello }"


def push(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "documents", "push", *args], capture_output=True, text=True, timeout=60, check=False)


async def test_push_registers_an_apollo_manifest_by_id_and_by_text(tmp_path: Path, redis: Redis) -> None:
    manifest = tmp_path / "persisted-query-manifest.json"
    manifest.write_bytes(
        orjson.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "hello-v1", "name": "Hello", "type": "query", "body": HELLO}],
            }
        )
    )
    done = push(str(manifest), "--redis-url", REDIS_URL)
    assert done.returncode == 0, done.stderr
    assert "1 operation(s) registered" in done.stdout and "(1 new)" in done.stdout
    assert await redis.hget(TRUSTED_KEY, "hello-v1") == HELLO.encode()
    assert await redis.hget(TRUSTED_KEY, document_hash(HELLO)) == HELLO.encode()
    again = push(str(manifest), "--redis-url", REDIS_URL)
    assert "(0 new)" in again.stdout


def test_push_refuses_a_manifest_with_a_document_that_does_not_parse(tmp_path: Path) -> None:
    manifest = tmp_path / "ids.json"
    manifest.write_bytes(orjson.dumps({"ok": HELLO, "broken": "query { hello"}))
    done = push(str(manifest), "--redis-url", REDIS_URL)
    assert done.returncode == 1
    assert "'broken'" in done.stderr and "not valid GraphQL" in done.stderr


def test_push_without_redis_says_where_to_set_it(tmp_path: Path) -> None:
    manifest = tmp_path / "ids.json"
    manifest.write_bytes(orjson.dumps({"ok": HELLO}))
    env_free = subprocess.run(
        [*CLI, "documents", "push", str(manifest)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert env_free.returncode == 1
    assert "MINYI_GATEWAY_REDIS_URL" in env_free.stderr
