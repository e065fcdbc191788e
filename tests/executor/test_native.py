"""The executor compiled with mypyc (``bash scripts/native.sh``) behaves as the pure Python one.

The executor and differential tests run again, in a process of their own, against a copy of ``gateway/`` whose hot
modules are compiled by ``scripts/native_build.py``; that process checks that the compiled modules are the ones it
imported. This run itself stays pure Python unless the checkout was built on purpose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.executor.native import COMPILED_MODULES, native_status

ROOT = Path(__file__).resolve().parents[2]
EXPECT_COMPILED = "MINYI_TEST_EXPECT_COMPILED"  # set for the process that runs the tests against the compiled copy


def test_the_executor_runs_compiled_only_when_built() -> None:
    status = native_status()
    if os.environ.get(EXPECT_COMPILED):
        assert status.mode == "compiled (mypyc)" and not status.stale
        for name in COMPILED_MODULES:
            assert str(sys.modules[f"gateway.executor.{name}"].__file__).endswith(".so")
    elif not (ROOT / "gateway" / "executor" / "native.json").exists():  # no `bash scripts/native.sh` here
        assert status.mode == "pure Python" and status.compiled == ()


@pytest.mark.slow
def test_the_executor_and_differential_tests_pass_compiled(tmp_path: Path) -> None:
    if os.environ.get(EXPECT_COMPILED):
        pytest.skip("already the compiled run")
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        pytest.skip("no C compiler (Debian: apt-get install gcc python3-dev)")
    ignored = shutil.ignore_patterns("__pycache__", "*.so", "native.json", "screenshots")
    shutil.copytree(ROOT / "gateway", tmp_path / "gateway", ignore=ignored)
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=ignored)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    build = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "native_build.py"), "build", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert {path.name.split(".")[0] for path in (tmp_path / "gateway" / "executor").glob("*.so")} >= set(
        COMPILED_MODULES
    )
    # run from the copy: pytest puts its root first on sys.path, so `gateway` is the compiled copy there (the
    # differential tests of the generator's mix alone run no gateway)
    tests = ["tests/executor", "tests/differential", "-k", "not operations_mix"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=tmp_path,
        env={**os.environ, EXPECT_COMPILED: "1"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " skipped" in run.stdout  # the compile test itself skips there
