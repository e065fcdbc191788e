"""The browser tests' world: the real processes ``minyi demo`` starts (the legacy stand-ins, the subgraphs, the
gateway with its login, the outbox worker that applies writes), once for the whole run, and a fresh headless
Chromium for each test.

The demo runs on its own ports (``MINYI_TEST_PORT_OFFSET`` + 50, beside the demo test's) with 30-second access
tokens, so that the workbench's silent refresh happens within a test, and on the tests' Redis (database 14 of
``MINYI_TEST_REDIS_URL``'s server, emptied first). Chromium, chromedriver and the CJK fonts are Debian's packages
(``.ci/run`` installs them).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis import Redis

from tests.browser.workbench import CHROMEDRIVER, CHROMIUM, SCREENSHOTS, Page, start_chromium
from tests.conftest import REDIS_URL

OFFSET = int(os.environ.get("MINYI_TEST_PORT_OFFSET", "700")) + 50
GATEWAY_PORT = 4000 + OFFSET
ACCESS_TTL_S = 30


@dataclass(frozen=True, slots=True)
class Demo:
    base: str  # the gateway's base URL
    pid: int  # the ``minyi demo`` process

    def process(self, word: str) -> int:
        """The pid of the demo's child process whose command line has ``word`` (``worker``: the outbox worker)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        for child in children:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if word.encode() in argv:
                return int(child)
        raise AssertionError(f"the demo runs no {word} process")


def _demo_redis_url() -> str:
    where = urlsplit(REDIS_URL)
    url = f"redis://{where.hostname}:{where.port or 6379}/14"
    client = Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A running ``minyi demo``."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"the browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} missing); "
            "`bash .ci/run` installs them with fonts-noto-cjk"
        )
    data = tmp_path_factory.mktemp("demo")
    log = (data / "demo.log").open("w")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "minyi.cli", "demo", "--data-dir", str(data), "--port-offset", str(OFFSET)),
            *("--redis-url", _demo_redis_url()),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MINYI_AUTH_ACCESS_TTL_S": str(ACCESS_TTL_S)},
    )
    try:
        deadline = time.monotonic() + 300  # the demo itself gives its processes 150 s; a busy machine is slow
        while "person directory" not in (data / "demo.log").read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"minyi demo did not start:\n{(data / 'demo.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield Demo(f"http://127.0.0.1:{GATEWAY_PORT}", proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def demo(demo_run: Demo) -> str:
    """The base URL of the gateway of a running ``minyi demo``."""
    return demo_run.base


@pytest.fixture
def open_browser(demo: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Start a fresh Chromium (empty profile) on the demo; its screenshots go to screenshots/<test>/."""
    shots = SCREENSHOTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    drivers = []

    def start() -> Page:
        driver = start_chromium()
        drivers.append(driver)
        return Page(driver, demo, shots / str(len(drivers)) if len(drivers) > 1 else shots)

    yield start
    for driver in drivers:
        driver.quit()


@pytest.fixture
def page(open_browser: Callable[[], Page]) -> Page:
    return open_browser()
