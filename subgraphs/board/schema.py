"""The board subgraph's schema (Federation 2.6 via :class:`~subgraphs.common.schema.SubgraphSchema`)."""

from __future__ import annotations

from resolvers.domain import SourceSystem
from subgraphs.board.query import NODES, Query
from subgraphs.board.reveal import Mutation
from subgraphs.board.types import BoardMessage, Citizen
from subgraphs.common.schema import SubgraphSchema

__all__ = ["schema"]

schema = SubgraphSchema(
    query=Query, mutation=Mutation, types=[BoardMessage, Citizen, *NODES.types], system=SourceSystem.MSGBOARD
)
