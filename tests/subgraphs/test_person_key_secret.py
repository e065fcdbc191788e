"""The person-key secret: outside dev mode a subgraph refuses to start without one of its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from subgraphs.settings import DEV_PERSON_KEY_SECRET, SubgraphSettings


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINYI_DEV", raising=False)
    monkeypatch.delenv("MINYI_PERSON_KEY_SECRET", raising=False)


@pytest.mark.usefixtures("production")
def test_outside_dev_mode_the_secret_must_be_set() -> None:
    with pytest.raises(ValidationError, match="MINYI_PERSON_KEY_SECRET is not set"):
        SubgraphSettings()


@pytest.mark.usefixtures("production")
def test_outside_dev_mode_the_public_development_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="the public development secret"):
        SubgraphSettings(person_key_secret=DEV_PERSON_KEY_SECRET)


@pytest.mark.usefixtures("production")
def test_a_secret_of_ones_own_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINYI_PERSON_KEY_SECRET", "a-secret-of-our-own")
    assert SubgraphSettings().person_key_secret == "a-secret-of-our-own"


@pytest.mark.usefixtures("production")
def test_dev_mode_uses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINYI_DEV", "1")
    assert SubgraphSettings().person_key_secret == DEV_PERSON_KEY_SECRET


def test_the_subgraph_command_refuses_to_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MINYI_DEV", "MINYI_PERSON_KEY_SECRET")}
    done = subprocess.run(
        [sys.executable, "-m", "minyi.cli", "subgraph", "hotline", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 2
    assert "MINYI_PERSON_KEY_SECRET is not set" in done.stderr and "Traceback" not in done.stderr
