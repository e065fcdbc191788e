"""The petition subgraph process: the schema served over HTTP with one XfService client (``minyi subgraph petition``).

The service account maps onto WS-Security: ``legacy_username``/``legacy_password`` become the UsernameToken's
Username and (digested) Password.
"""

from __future__ import annotations

from starlette.applications import Starlette

from resolvers.adapters.petition import PetitionClient
from subgraphs.common.app import build_subgraph_app
from subgraphs.petition.schema import schema
from subgraphs.petition.types import SYSTEM
from subgraphs.settings import SubgraphSettings

__all__ = ["create_app"]


def create_app(settings: SubgraphSettings) -> Starlette:
    options = settings.adapter_options(SYSTEM)
    return build_subgraph_app(SYSTEM, schema, PetitionClient(options), settings)
