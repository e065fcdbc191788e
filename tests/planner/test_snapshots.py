"""The snapshot helper itself: a missing snapshot fails instead of being written, unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.planner.snapshots import assert_plan_matches

REPO = Path(__file__).resolve().parents[2]
QUERY = "{ products { id name price } }"


def test_a_missing_snapshot_fails_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINYI_UPDATE_GOLDEN", raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"no plan snapshot .*MINYI_UPDATE_GOLDEN=1"):
        assert_plan_matches("never_written", "shop", QUERY, folder=tmp_path)
    assert not (tmp_path / "never_written.txt").exists()


def test_a_snapshot_is_written_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINYI_UPDATE_GOLDEN", "1")
    text = assert_plan_matches("asked_for", "shop", QUERY, folder=tmp_path)
    assert (tmp_path / "asked_for.txt").read_text() == text + "\n"
    monkeypatch.delenv("MINYI_UPDATE_GOLDEN")
    assert assert_plan_matches("asked_for", "shop", QUERY, folder=tmp_path) == text


def test_a_stale_snapshot_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINYI_UPDATE_GOLDEN", raising=False)
    (tmp_path / "stale.txt").write_text("QueryPlan {}\n")
    with pytest.raises(AssertionError, match="plan for stale differs"):
        assert_plan_matches("stale", "shop", QUERY, folder=tmp_path)


def test_ci_never_asks_for_snapshots_to_be_written() -> None:
    for script in (REPO / ".ci" / "run", REPO / "scripts" / "test.sh", REPO / "scripts" / "setup.sh"):
        assert "MINYI_UPDATE_GOLDEN" not in script.read_text(encoding="utf-8"), script
