"""``AppealFilter``: the one filter input of every appeal list, declared identically in every subgraph.

Composition keeps only the input fields every subgraph declares, so the type lives here once, for the system lists
and the merged list across systems alike. A list applies every field given (AND); a field a system list cannot
apply is refused with ``BAD_USER_INPUT`` naming it, never ignored. Legacy strings are accepted only in
``sourceStatus``, which says so.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers import domain
from resolvers.appeals import warning as warnings
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.types import UnifiedStatus as _registered  # noqa: F401 (the enum's GraphQL definition)
from subgraphs.common.types import WarningColour as _colours  # noqa: F401 (the enum's GraphQL definition)

__all__ = ["FILTER_DESCRIPTION", "AppealFilter", "refuse_unsupported", "wanted_statuses"]

FILTER_DESCRIPTION = "Only the appeals matching every field given."


@strawberry.input(
    description="Which appeals a list holds; every field given narrows it (AND), an empty filter keeps all."
)
class AppealFilter:
    text: str | None = strawberry.field(default=None, description="Words that must all occur in title or content.")
    systems: list[domain.SourceSystem] | None = strawberry.field(
        default=None, description="Only appeals of these systems."
    )
    statuses: list[domain.UnifiedStatus] | None = strawberry.field(
        default=None, description="Only appeals in one of these unified statuses."
    )
    source_status: str | None = strawberry.field(
        default=None,
        description="Only appeals in this status as the system of record names it (the raw `sourceStatus`, e.g. "
        "待受理, 处置中); for the list of one system.",
    )
    unit_code: str | None = strawberry.field(
        default=None, description="Only appeals this unit leads (主办) or co-handles (会办)."
    )
    admin_code: str | None = strawberry.field(
        default=None, description="Only appeals located in this 行政区划 (administrative division) code or below it."
    )
    grid_code: str | None = strawberry.field(
        default=None, description="Only appeals located in this 网格 (grid) code or below it."
    )
    received_from: datetime | None = strawberry.field(
        default=None, description="Only appeals received at or after this time."
    )
    received_before: datetime | None = strawberry.field(
        default=None, description="Only appeals received before this time."
    )
    warning_colours: list[warnings.WarningColour] | None = strawberry.field(
        default=None,
        description="Only appeals whose three-colour warning (三色预警) is one of these now; for staff, on the merged "
        "list `appeals`.",
    )
    phone: str | None = strawberry.field(
        default=None,
        description="Only the appeals of the person with this phone number. Personal data: send it with POST, "
        "never in a URL.",
    )
    id_number: str | None = strawberry.field(
        default=None,
        description="Only the appeals of the person with this ID number (身份证号). Personal data: send it with "
        "POST, never in a URL.",
    )


_ACROSS = ("unit_code", "admin_code", "received_from", "received_before", "warning_colours")


def refuse_unsupported(system: str, given: AppealFilter | None, *names: str) -> None:
    """``BAD_USER_INPUT`` when ``given`` sets a field that the list of ``system`` cannot apply: those of ``names``,
    and the ones only the merged list across systems applies (unit, admin code, time range)."""
    if given is None:
        return
    for name in (*_ACROSS, *names):
        if getattr(given, name) is not None:
            field = "".join(w if i == 0 else w.capitalize() for i, w in enumerate(name.split("_")))
            raise SubgraphInputError(
                f"the {system} list cannot filter on {field}; the merged list `appeals` can"
                if name in _ACROSS
                else f"the {system} system cannot filter on {field}"
            )


def wanted_statuses(given: AppealFilter | None, system: domain.SourceSystem) -> frozenset[domain.UnifiedStatus] | None:
    """The unified statuses asked for (``None``: any); an empty set when the filter excludes ``system``."""
    if given is None:
        return None
    if given.systems is not None and system not in given.systems:
        return frozenset()
    return None if given.statuses is None else frozenset(given.statuses)
