"""``minyi index rebuild`` as a user runs it: a real process reading the stand-ins into a real Redis, and
``minyi legacy --pairs`` writing the labelled pair set."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from legacy.hotline.app import create_app as create_hotline
from legacy.petition.app import create_app as create_petition
from legacy.standin import StandinOptions
from tests.conftest import REDIS_URL
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

CLI = (sys.executable, "-m", "minyi.cli")


async def _minyi(args: list[str]) -> subprocess.CompletedProcess[str]:
    process = await asyncio.create_subprocess_exec(
        *CLI, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return subprocess.CompletedProcess(args, process.returncode or 0, out.decode(), err.decode())


@pytest.fixture(scope="module")
def standins() -> Iterator[dict[str, BackgroundServer]]:
    servers = {
        "hotline": serve_aiohttp(lambda: create_hotline(StandinOptions())),
        "petition": serve_aiohttp(lambda: create_petition(StandinOptions())),
    }
    yield servers
    for server in servers.values():
        server.stop()


async def test_rebuild_indexes_every_appeal_of_the_systems_named(
    redis: Redis, standins: dict[str, BackgroundServer]
) -> None:
    args = ["index", "rebuild", "--redis-url", REDIS_URL, "--systems", "hotline petition"]
    for name, server in standins.items():
        args += ["--legacy-url", f"{name}={server.url}"]
    done = await _minyi(args)
    assert done.returncode == 0, done.stderr
    indexed = int(done.stdout.split("indexed ")[1].split()[0])
    items = [k async for k in redis.scan_iter(match="minyi:dedupe:item:*")]
    assert indexed == len(items) > 100
    assert {k.decode().split(":")[3] for k in items} == {"hotline", "petition"}


async def test_rebuild_names_a_system_that_does_not_answer(redis: Redis) -> None:
    args = ["index", "rebuild", "--redis-url", REDIS_URL, "--systems", "grid"]
    args += ["--legacy-url", f"grid=http://127.0.0.1:{free_port()}"]
    done = await _minyi(args)
    assert done.returncode == 1 and "grid: not indexed (LEGACY_UNAVAILABLE)" in done.stderr


def test_the_seeder_writes_the_labelled_pairs(tmp_path: Path) -> None:
    target = tmp_path / "pairs.jsonl"
    args = ["legacy", "hotline", "--port", str(free_port()), "--pairs", str(target)]
    with subprocess.Popen(
        [*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:  # the stand-in would serve on: stopped once it has said the pairs are written
        assert process.stdout is not None
        line = process.stdout.readline()
        process.terminate()
    assert "labelled pairs written" in line
    rows = [json.loads(row) for row in target.read_text(encoding="utf-8").splitlines()]
    assert {"repeat", "same_person", "same_place", "template", "random"} <= {r["kind"] for r in rows}
    assert any(r["duplicate"] for r in rows) and any(not r["duplicate"] for r in rows)
