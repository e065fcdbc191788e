"""The checked-in supergraph is what composing the checked-in subgraph SDLs of subgraphs.toml gives (no drift)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from schema.compose import SubgraphSource, compose
from schema.supergraph import load_supergraph
from subgraphs.settings import DEFAULT_SUBGRAPH_PORTS
from tests.schema.compose.semantic import canonical_definitions

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "schema"
SUBGRAPHS = tomllib.loads((ROOT / "subgraphs.toml").read_text())["subgraphs"]


def _compose_project() -> str:
    sources = [
        SubgraphSource(name, entry["url"], (ROOT / entry["sdl"]).read_text()) for name, entry in SUBGRAPHS.items()
    ]
    result = compose(sources)
    assert result.errors == ()
    assert result.supergraph_sdl is not None
    return result.supergraph_sdl


def test_checked_in_supergraph_is_the_composition_of_the_checked_in_subgraphs() -> None:
    composed = canonical_definitions(_compose_project())
    checked_in = canonical_definitions((SCHEMA / "supergraph.graphql").read_text())
    assert sorted(composed) == sorted(checked_in)
    drifted = [name for name in composed if composed[name] != checked_in[name]]
    assert drifted == []


def test_project_supergraph_loads_with_its_subgraph_urls() -> None:
    supergraph = load_supergraph(_compose_project())
    assert dict(supergraph.subgraph_urls) == {
        name: f"http://127.0.0.1:{port}/graphql"
        for name, port in sorted(DEFAULT_SUBGRAPH_PORTS.items())
        if name in SUBGRAPHS
    }
    assert supergraph.type("Citizen").keys_in("hotline")[0].fields == "personKey"
