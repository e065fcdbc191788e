"""``links`` on every appeal: the records of other systems its own system keeps linked to it (关联记录).

Links are what people recorded — a hotline order routed to the grid (网格直办), a 重合件 or 重复件 linked by a
dispatcher or a petition officer — not what the duplicate detection suggests. Each link names the other appeal as
an ``Appeal``: the gateway fetches its fields from the subgraph that owns it, under that subgraph's own access rules,
so a role sees of a linked petition only what it may see of any petition.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.adapters.links import RecordLink
from resolvers.appeals.record import system_prefix
from resolvers.domain import SourceSystem
from subgraphs.appeals.tracking import record_of

if TYPE_CHECKING:
    from subgraphs.appeals.types import Appeal

__all__ = ["AppealLink", "AppealLinkKind", "links_of"]

_LINKABLE = (
    SourceSystem.HOTLINE,
    SourceSystem.PETITION,
    SourceSystem.MSGBOARD,
    SourceSystem.GRID,
    SourceSystem.SUGGESTION,
)
_SYSTEMS = {system_prefix(s): s for s in _LINKABLE}


@strawberry.enum(description="Why two appeals are linked (关联类型).")
class AppealLinkKind(Enum):
    GRID_DIRECT = strawberry.enum_value(
        "GRID_DIRECT", description="网格直办: a hotline order handed to the grid, and the grid event it became."
    )
    OVERLAP = strawberry.enum_value(
        "OVERLAP", description="重合件: the same matter open in the hotline and the petition system at once."
    )
    DUPLICATE = strawberry.enum_value("DUPLICATE", description="重复件: the same matter filed twice.")
    RELATED = strawberry.enum_value("RELATED", description="Another link; `kindText` says which.")


_KINDS = {"网格直办": AppealLinkKind.GRID_DIRECT, "重合件": AppealLinkKind.OVERLAP, "重复件": AppealLinkKind.DUPLICATE}


@strawberry.type(description="A link from this appeal to an appeal in another system (关联记录).")
class AppealLink:
    kind: AppealLinkKind = strawberry.field(description="Why they are linked.")
    kind_text: str = strawberry.field(description="The link as the system of record words it (网格直办, 重合件 …).")
    linked_at: datetime | None = strawberry.field(description="When the link was made, where the system records it.")
    appeal: Annotated[Appeal, strawberry.lazy("subgraphs.appeals.types")] | None = strawberry.field(
        description="The linked appeal. Its fields come from the system that owns it, as your role may see them; "
        "null when you may not see it at all."
    )


def _linked(link: RecordLink) -> tuple[str, AppealLink] | None:
    system = _SYSTEMS.get(link.system)
    if system is None or not link.number:
        return None
    from subgraphs.appeals.types import APPEAL_TYPES

    appeal_id = f"{link.system}:{link.number}"
    appeal = APPEAL_TYPES[system](id=strawberry.ID(appeal_id))
    kind = _KINDS.get(link.kind, AppealLinkKind.RELATED)
    return appeal_id, AppealLink(kind=kind, kind_text=link.kind, linked_at=link.at, appeal=appeal)


async def links_of(root: Any, info: Info) -> list[AppealLink] | None:
    record = await record_of(root, info)
    if record is None:
        return None
    seen: set[str] = set()
    found: list[AppealLink] = []
    for link in record.links:
        linked = _linked(link)
        if linked is not None and linked[0] not in seen:
            seen.add(linked[0])
            found.append(linked[1])
    return found
