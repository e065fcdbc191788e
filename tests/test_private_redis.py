"""The README's test command on a machine without a running Redis: the test run starts its own redis-server on a
free port (never 6379), and says how to install the binary when it is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.redis_server import RedisServerMissing, start_private_redis

REPO = Path(__file__).resolve().parents[1]


def test_a_private_redis_answers_on_a_free_port_and_stops() -> None:
    server = start_private_redis()
    try:
        assert server.port != 6379 and server.url == f"redis://127.0.0.1:{server.port}/15"
        done = subprocess.run(
            ["redis-cli", "-p", str(server.port), "ping"], capture_output=True, text=True, timeout=30, check=False
        )
        assert done.stdout.strip() == "PONG"
    finally:
        server.stop()
    assert server.process.poll() is not None


def test_a_missing_binary_says_how_to_install_it() -> None:
    with pytest.raises(RedisServerMissing, match="apt-get install redis-server"):
        start_private_redis("redis-server-that-is-not-installed")


def _without_test_redis(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MINYI_TEST_REDIS_URL"}
    return {**env, **extra}


def test_without_a_configured_redis_the_run_starts_its_own() -> None:
    probe = (
        "import redis, tests.conftest as c; "
        "print(c.REDIS_URL, redis.Redis.from_url(c.REDIS_URL).ping(), c.REDIS_MISSING)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
        env=_without_test_redis(),
    )
    assert done.returncode == 0, done.stderr
    url, answered, missing = done.stdout.split()
    assert url.startswith("redis://127.0.0.1:") and ":6379/" not in url
    assert answered == "True" and missing == "None"


def test_without_the_binary_a_redis_test_fails_with_the_install_hint(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/auth/test_login_limiter.py",
            "-k",
            "redis",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
        env=_without_test_redis(PATH=str(tmp_path)),  # no redis-server on this PATH
    )
    assert done.returncode == 1
    assert "the tests need redis-server and it is not installed" in done.stdout
    assert "apt-get install redis-server" in done.stdout
