"""``create_app(settings)``: the suggestion subgraph as a Starlette app (``minyi subgraph suggestion``, port 4006).

The service account maps onto the suggestion system's API key: ``legacy_username`` is the ``X-App-Id`` and
``legacy_password`` the ``X-Api-Key``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from resolvers.adapters.suggestion import SuggestionClient
from subgraphs.common.app import build_subgraph_app
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.schema import schema

__all__ = ["create_app"]


def create_app(settings: SubgraphSettings) -> Starlette:
    client = SuggestionClient(settings.adapter_options("suggestion"))
    return build_subgraph_app("suggestion", schema, client, settings)
