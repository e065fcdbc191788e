"""Composition: subgraph SDLs → a Federation supergraph SDL, in pure Python (issue 4).

from schema.compose import compose, SubgraphSource
result = compose([SubgraphSource("hotline", "http://127.0.0.1:4001/graphql", sdl), ...])
result.supergraph_sdl  # or None, with result.errors (code, message, subgraph, type_name, field_name)
"""

from schema.compose.compose import compose
from schema.compose.errors import CompositionError
from schema.compose.result import CompositionResult, SubgraphSource

__all__ = ["CompositionError", "CompositionResult", "SubgraphSource", "compose"]
