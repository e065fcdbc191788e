"""The appeals subgraph's schema, assembled in one place: the root types and the appeal types of the systems it
serves (an appeal type appears only when its system does, so that it composes with the system subgraphs in use),
the write mutations with ``dispatch(id:)`` (:mod:`.dispatch_mutation`), and ``revealAppealContact``
(:mod:`.contact_mutation`)."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from strawberry.tools import merge_types

from resolvers.domain import SourceSystem
from subgraphs.appeals.citizen import Citizen, CitizenQuery
from subgraphs.appeals.contact_mutation import ContactMutation
from subgraphs.appeals.dispatch_mutation import DispatchMutation, DispatchQuery
from subgraphs.appeals.query import Query
from subgraphs.appeals.types import APPEAL_TYPES
from subgraphs.common.roots import MUTATION_DESCRIPTION
from subgraphs.common.schema import SubgraphSchema

__all__ = ["DEFAULT_SYSTEMS", "build_schema", "schema"]

DEFAULT_SYSTEMS = (
    SourceSystem.HOTLINE,
    SourceSystem.PETITION,
    SourceSystem.MSGBOARD,
    SourceSystem.GRID,
    SourceSystem.SUGGESTION,
)


@strawberry.type(name="Mutation", description=MUTATION_DESCRIPTION)
class Mutation(DispatchMutation, ContactMutation):
    pass


def build_schema(systems: Iterable[SourceSystem] = DEFAULT_SYSTEMS) -> SubgraphSchema:
    wanted = set(systems)
    types = [cls for system, cls in APPEAL_TYPES.items() if system in wanted]
    query = merge_types("Query", (Query, CitizenQuery, DispatchQuery))
    return SubgraphSchema(query=query, mutation=Mutation, types=[*types, Citizen])


schema = build_schema()
