"""GraphQL types of the appeals subgraph.

The cross-system fields (``timeline``, ``warning``, ``duplicates``, ``overlaps``, ``cluster``) are declared on the ``Appeal`` entity interface itself: this
subgraph owns the interface with every implementation, so each system's type gets them here while the system
subgraphs stay unaware of them (the effect ``@interfaceObject`` gives a subgraph that does not own the interface).

``Appeal`` is an entity interface here (``@key(fields: "id")``) and each system's appeal type appears with its key
only: this subgraph answers which type an id is and adds the cross-system fields to every one of them; every
other field comes from the system's own subgraph. The system subgraphs need not know about it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

import subgraphs.common.types  # noqa: F401  (gives SourceSystem and UnifiedStatus their shared descriptions)
from resolvers.appeals.record import AppealRecord
from resolvers.domain import SourceSystem, UnifiedStatus
from subgraphs.appeals.dedupe_fields import AppealCluster, AppealMatch, cluster_field, duplicates_field, overlaps_field
from subgraphs.appeals.links import AppealLink, links_of
from subgraphs.appeals.tracking import (
    AppealWarning,
    TrackingNode,
    received_at_of,
    status_of,
    system_of,
    timeline_of,
    warning_of,
)
from subgraphs.common.connection import PageInfo
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.filter import AppealFilter
from subgraphs.common.types import RECEIVED_AT_DESCRIPTION, STATUS_DESCRIPTION, SYSTEM_DESCRIPTION

__all__ = [
    "APPEAL_TYPES",
    "Appeal",
    "AppealConnection",
    "AppealEdge",
    "AppealFilter",
    "BoardMessage",
    "GridEvent",
    "HotlineTicket",
    "PageInfo",
    "Petition",
    "Suggestion",
    "appeal_of",
]


@strawberry.federation.interface(
    keys=["id"], description='An appeal (诉求) in any channel system; ids are "<system>:<local id>".'
)
class Appeal:
    id: strawberry.ID = strawberry.field(description='"<system>:<local id>", e.g. "hotline:20260101000123".')
    record: strawberry.Private[AppealRecord | None] = None
    system: SourceSystem = strawberry.federation.field(
        resolver=system_of, shareable=True, description=SYSTEM_DESCRIPTION
    )
    received_at: datetime = strawberry.federation.field(
        resolver=received_at_of, shareable=True, description=RECEIVED_AT_DESCRIPTION
    )
    status: UnifiedStatus = strawberry.federation.field(
        resolver=status_of, shareable=True, description=STATUS_DESCRIPTION
    )
    timeline: list[TrackingNode] | None = strawberry.field(
        resolver=timeline_of,
        description="The 10 tracking nodes (快递式查询), built from the system's own history. A citizen sees the "
        "nodes, times and the lead unit, without internal notes. Null when you may not see the appeal.",
    )
    links: list[AppealLink] | None = strawberry.field(
        resolver=links_of,
        description="The appeals of other systems this one is linked to (关联记录: 网格直办, 重合件, 重复件), as "
        "people recorded them. Null when you may not see the appeal.",
    )
    warning: AppealWarning | None = strawberry.field(
        resolver=warning_of,
        description="三色预警 (three-colour warning) now, with its reasons, counted on the working-day calendar. "
        "For staff only: null for citizens, and when you may not see the appeal.",
    )
    duplicates: list[AppealMatch] | None = strawberry.field(
        resolver=duplicates_field,
        description="智能判重: other appeals (you may see) that are the same matter (DUPLICATE) or may be (SUGGEST), "
        "best first, with their scores and reasons. Compared: the same person's appeals in every system, and "
        "appeals at the same place and category or with near-identical text received within 30 days.",
    )
    overlaps: list[Appeal] | None = strawberry.field(
        resolver=overlaps_field,
        description="重合件: the same matter open at once in the 12345 hotline and as a 信访件 (petition); a hotline "
        "role sees of a petition only that it exists, its status and its unit.",
    )
    cluster: AppealCluster | None = strawberry.field(
        resolver=cluster_field,
        description="The cluster of this matter (归并): its primary appeal, this appeal's role, the merged appeals "
        "and how many people filed it at this place (多人一诉); null when nothing else is the same matter.",
    )


def _reference(cls: type[Any], representation: dict[str, Any]) -> Any:
    appeal_id = representation.get("id")
    if not isinstance(appeal_id, str):
        raise SubgraphInputError(f"a {cls.__name__} representation needs its id")
    return cls(id=strawberry.ID(appeal_id))


@strawberry.federation.type(keys=["id"], description="A 12345 hotline work order (工单).")
class HotlineTicket(Appeal):
    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> HotlineTicket:
        return _reference(cls, representation)  # type: ignore[no-any-return]


@strawberry.federation.type(keys=["id"], description="信访件 (petition).")
class Petition(Appeal):
    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Petition:
        return _reference(cls, representation)  # type: ignore[no-any-return]


@strawberry.federation.type(keys=["id"], description="A thread (帖子) on a leader's message board (领导留言板).")
class BoardMessage(Appeal):
    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> BoardMessage:
        return _reference(cls, representation)  # type: ignore[no-any-return]


@strawberry.federation.type(keys=["id"], description="网格事件 (grid event).")
class GridEvent(Appeal):
    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> GridEvent:
        return _reference(cls, representation)  # type: ignore[no-any-return]


@strawberry.federation.type(keys=["id"], description="人民建议 (a citizen's suggestion).")
class Suggestion(Appeal):
    @classmethod
    def resolve_reference(cls, info: Info, **representation: Any) -> Suggestion:
        return _reference(cls, representation)  # type: ignore[no-any-return]


APPEAL_TYPES: dict[SourceSystem, type[Appeal]] = {
    SourceSystem.HOTLINE: HotlineTicket,
    SourceSystem.PETITION: Petition,
    SourceSystem.MSGBOARD: BoardMessage,
    SourceSystem.GRID: GridEvent,
    SourceSystem.SUGGESTION: Suggestion,
}


def appeal_of(record: AppealRecord) -> Appeal:
    """The record as its system's GraphQL type (the caller has checked that it may be seen)."""
    return APPEAL_TYPES[record.system](id=strawberry.ID(record.id), record=record)


@strawberry.type(description="One appeal in a merged list, with the cursor that continues after it.")
class AppealEdge:
    cursor: str = strawberry.field(description="Opaque and stable: pass it as `after` to continue after this item.")
    node: Appeal = strawberry.field(description="The appeal.")


@strawberry.type(
    description="A page of appeals from every system, newest first. When a system could not be read the page holds "
    "the others' appeals, `unavailableSystems` names the missing ones and an error with `extensions.code` "
    "LEGACY_UNAVAILABLE (or another legacy code) accompanies it, whose `extensions.service` and `extensions.system` "
    "name the missing system."
)
class AppealConnection:
    edges: list[AppealEdge] = strawberry.field(description="The appeals of this page with their cursors.")
    page_info: PageInfo = strawberry.field(description="Whether more follow and where to continue.")
    unavailable_systems: list[SourceSystem] = strawberry.field(
        description="Systems that did not answer for this page: their appeals are missing from it."
    )

    nodes: list[Appeal] = strawberry.field(description="The appeals of this page, without cursors.")
    total_count: int | None = strawberry.field(
        description="How many appeals match in all: null, because counting would read every system to the end."
    )
