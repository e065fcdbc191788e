"""``create_app(settings)``: the hotline subgraph (``minyi subgraph hotline``, port 4001).

The service account (``legacy_username``/``legacy_password``) maps onto the hotline login's ``yhm``/``mm``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from resolvers.adapters.hotline import HotlineClient
from subgraphs.common.app import build_subgraph_app
from subgraphs.hotline.schema import schema
from subgraphs.settings import SubgraphSettings

__all__ = ["create_app"]


def create_app(settings: SubgraphSettings) -> Starlette:
    client = HotlineClient(settings.adapter_options("hotline"))
    return build_subgraph_app("hotline", schema, client, settings)
