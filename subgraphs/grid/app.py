"""``create_app(settings)``: the grid subgraph as a Starlette app (``minyi subgraph grid``, port 4004).

The service account maps onto the grid system's OAuth2 client: ``legacy_username`` is the ``client_id`` and
``legacy_password`` the ``client_secret``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from resolvers.adapters.grid import GridClient
from subgraphs.common.app import build_subgraph_app
from subgraphs.grid.schema import schema
from subgraphs.settings import SubgraphSettings

__all__ = ["create_app"]


def create_app(settings: SubgraphSettings) -> Starlette:
    client = GridClient(settings.adapter_options("grid"))
    return build_subgraph_app("grid", schema, client, settings)
