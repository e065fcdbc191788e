"""``minyi subgraph board``: the board subgraph as a Starlette app, with one board client per process."""

from __future__ import annotations

from starlette.applications import Starlette

from resolvers.adapters.board import BoardClient
from subgraphs.board.schema import schema
from subgraphs.common.app import build_subgraph_app
from subgraphs.settings import SubgraphSettings

__all__ = ["create_app"]


def create_app(settings: SubgraphSettings) -> Starlette:
    """The board's appCode and secret are the service username and password of the settings."""
    options = settings.adapter_options("board")
    return build_subgraph_app("board", schema, BoardClient(options), settings)
