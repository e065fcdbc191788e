"""The recomposition tests' composers: a real composer that is broken fails those tests, it never skips them."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pytest

import gateway.composition
from gateway.composition import SubgraphSdl
from tests.gateway import recompose


def test_the_real_composer_composes_alpha_with_beta() -> None:
    compose = recompose.composer("real")
    outcome = compose([SubgraphSdl("alpha", "http://a", recompose.sdl("alpha"))])
    assert outcome.supergraph_sdl is not None


def test_a_composer_that_does_not_import_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "schema.compose", None)  # the import machinery's "cannot import"
    with pytest.raises(ImportError):
        recompose.composer("real")


def test_a_composer_that_does_not_compose_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> gateway.composition.ComposeFunction:
        def run(_subgraphs: Sequence[SubgraphSdl]) -> recompose.FakeResult:
            return recompose.FakeResult(None, (recompose.FakeError("BROKEN", "the composer lost its way"),))

        return run

    monkeypatch.setattr(recompose, "default_compose", broken)
    with pytest.raises(recompose.ComposerBroken, match="the composer lost its way"):
        recompose.composer("real")
