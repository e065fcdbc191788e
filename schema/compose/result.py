"""The inputs and the output of composition."""

from __future__ import annotations

from dataclasses import dataclass

from schema.compose.errors import CompositionError

__all__ = ["CompositionResult", "SubgraphSource"]


@dataclass(frozen=True, slots=True)
class SubgraphSource:
    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class CompositionResult:
    supergraph_sdl: str | None
    errors: tuple[CompositionError, ...] = ()
    hints: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None and not self.errors
