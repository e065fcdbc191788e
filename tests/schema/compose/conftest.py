from __future__ import annotations

from collections.abc import Callable

import pytest

from schema.compose import CompositionResult, SubgraphSource, compose

_IMPORTS = (
    '"@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", '
    '"@interfaceObject", "@tag", "@composeDirective", "@authenticated", "@requiresScopes", "@policy"'
)


def fed2(body: str, version: str = "2.3") -> str:
    """A Federation 2 subgraph SDL importing every directive these tests use."""
    return f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: [{_IMPORTS}])\n{body}'


Composer = Callable[..., CompositionResult]


@pytest.fixture
def compose_sdl() -> Composer:
    """``compose_sdl(a=sdl, b=sdl)``: subgraphs by name, each at its own URL."""

    def run(**sdls: str) -> CompositionResult:
        return compose([SubgraphSource(name, f"http://{name}.test/graphql", sdl) for name, sdl in sdls.items()])

    return run
