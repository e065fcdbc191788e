"""``duplicates``, ``overlaps`` and ``cluster`` on every appeal, and ``Citizen.repeatProfile`` (一人多投).

An appeal's candidates are the person's appeals in every system and the appeals the index says share its place and
category or a text bucket within the window; they are read from their systems, scored, and kept only when the
caller may see them — an accused unit never meets an accusation, not even as someone's duplicate — so clusters and
counts are made of what the caller may see.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from auth.errors import Forbidden
from auth.principal import Role
from resolvers.access import decide
from resolvers.appeals.reads import UnknownSystem, split_id
from resolvers.appeals.record import AppealRecord
from resolvers.dedupe import clusters as dedupe
from resolvers.dedupe import score as scoring
from resolvers.dedupe.index import IndexUnavailable, entry_of
from resolvers.dedupe.item import item_of
from resolvers.domain import SourceSystem
from resolvers.persons import Identifiers
from subgraphs.appeals.loaders import person_reads, records_of
from subgraphs.appeals.tracking import record_of
from subgraphs.common.types import describe_values

if TYPE_CHECKING:
    from subgraphs.appeals.types import Appeal

__all__ = [
    "AppealCluster",
    "AppealMatch",
    "RepeatProfile",
    "cluster_field",
    "duplicates_field",
    "flags_of",
    "overlaps_field",
]

log = logging.getLogger("minyi.subgraph")

LazyAppeal = Annotated["Appeal", strawberry.lazy("subgraphs.appeals.types")]

DedupeDecision = strawberry.enum(scoring.Decision, description="智能判重: what duplicate detection decided for a pair.")
describe_values(
    scoring.Decision,
    {
        "DUPLICATE": "The same matter: merged into one cluster automatically (each keeps its own record).",
        "SUGGEST": "Possibly the same matter: a dispatcher confirms.",
        "DISTINCT": "Not the same matter.",
    },
)
DedupeReason = strawberry.enum(scoring.Reason, description="Why two appeals were compared as one matter, or not.")
describe_values(
    scoring.Reason,
    {
        "SAME_PERSON": "Filed by the same person.",
        "SAME_GRID": "At the same grid cell (单元网格).",
        "SAME_ADDRESS": "At the same address.",
        "SIMILAR_TEXT": "Their texts say nearly the same.",
        "SAME_CATEGORY": "In the same category.",
        "CLOSE_IN_TIME": "Received within the comparison window (30 days).",
        "CONFIDENTIALITY_BOUNDARY": "Never merged: their confidentiality differs, or they accuse different parties.",
        "ACCUSATION_NOT_MERGED": "检举控告 items are never merged automatically: suggested only.",
    },
)
ClusterRole = strawberry.enum(dedupe.ClusterRole, description="An appeal's place in its cluster.")
describe_values(
    dedupe.ClusterRole,
    {
        "PRIMARY": "The earliest appeal of the matter: the others are merged into it.",
        "DUPLICATE": "Merged into the primary (it keeps its own record, deadline and reply duty).",
        "RELATED": "Possibly the same matter as the primary: suggested, not merged.",
    },
)

WINDOW = timedelta(days=scoring.DEFAULT_THRESHOLDS.window_days)


@strawberry.type(description="Another appeal that may be the same matter, with the decision and its reasons.")
class AppealMatch:
    appeal: LazyAppeal = strawberry.field(description="The other appeal.")
    decision: scoring.Decision = strawberry.field(description="DUPLICATE or SUGGEST.")
    score: float = strawberry.field(description="The similarity score, 0 to 1.")
    reasons: list[scoring.Reason] = strawberry.field(description="Why.")


@strawberry.type(description="The cluster of one matter an appeal belongs to (归并).")
class AppealCluster:
    id: strawberry.ID = strawberry.field(description='"cluster:<primary appeal id>".')
    role: dedupe.ClusterRole = strawberry.field(description="This appeal's role in it.")
    primary: LazyAppeal = strawberry.field(description="The primary appeal.")
    score: float = strawberry.field(description="This appeal's score against the primary (1 for the primary).")
    reasons: list[scoring.Reason] = strawberry.field(description="Why it belongs to the primary.")
    members: list[LazyAppeal] = strawberry.field(description="The merged appeals (you may see), earliest first.")
    people_count: int = strawberry.field(
        description="How many people filed this matter at this place (多人一诉 from two)."
    )
    is_group: bool = strawberry.field(description="多人一诉 of five or more people (GROUP).")


async def _candidates(info: Info, record: AppealRecord) -> list[AppealRecord]:
    """The person's appeals and the index's candidates, read from their systems (the appeal itself left out)."""
    found: dict[str, AppealRecord] = {}
    if record.phone or record.id_number:
        read = await person_reads(info).load(Identifiers(record.phone, record.id_number))
        found.update((r.id, r) for r in read.records)
    index = info.context.index
    if index is not None:
        try:
            ids = await index.candidates(entry_of(item_of(record)), WINDOW)
        except IndexUnavailable as exc:
            log.warning("duplicate candidates from the person only: %s", exc)
            ids = set()
        loads = []
        for appeal_id in sorted(ids - found.keys()):
            try:
                system, local = split_id(appeal_id)
            except UnknownSystem:
                continue
            loader = records_of(info, system)
            if loader is not None:
                loads.append(loader.load(local))
        for other in [r for r in [await x for x in loads] if r is not None]:
            found[other.id] = other
    found.pop(record.id, None)
    info.context.seen_appeals.update(found)
    return list(found.values())


async def matches_for(info: Info, root: Any) -> tuple[AppealRecord, list[dedupe.Match], dict[str, AppealRecord]] | None:
    record = await record_of(root, info)
    if record is None:
        return None
    cache: dict[str, Any] = info.context.loader("appeals.matches", dict)
    if record.id not in cache:
        principal = info.context.principal
        others = {r.id: r for r in await _candidates(info, record) if decide(principal, r.facts).visible}
        cache[record.id] = (record, dedupe.matches_of(item_of(record), [item_of(r) for r in others.values()]), others)
    found: tuple[AppealRecord, list[dedupe.Match], dict[str, AppealRecord]] = cache[record.id]
    return found


async def flags_of(info: Info, root: Any) -> tuple[AppealRecord, bool, bool, int] | None:
    """The appeal with what its warning needs from duplicate detection: is it a 重合件, and is its petitioner on the
    一人多投 file (a matter filed five or more times, among the appeals the caller may see), and how many people
    filed it at its place (多人一诉)."""
    found = await matches_for(info, root)
    if found is None:
        return None
    record, matches, records = found
    target = item_of(record)
    overlap = bool(dedupe.overlaps_of(target, matches))
    own = [target, *(item_of(r) for r in records.values() if record.person_key and r.person_key == record.person_key)]
    repeat_filer = any(len(g) >= dedupe.REPEAT_FILINGS for g in dedupe.repeat_groups(own))
    cluster = dedupe.cluster_of(target, matches)
    return record, overlap, repeat_filer, cluster.people if cluster is not None else 1


def _appeal(record: AppealRecord) -> Any:
    from subgraphs.appeals.types import appeal_of

    return appeal_of(record)


async def duplicates_field(root: Any, info: Info) -> list[AppealMatch] | None:
    found = await matches_for(info, root)
    if found is None:
        return None
    _, matches, records = found
    return [
        AppealMatch(
            appeal=_appeal(records[m.item.id]),
            decision=m.score.decision,
            score=m.score.score,
            reasons=list(m.score.reasons),
        )
        for m in matches
    ]


async def overlaps_field(root: Any, info: Info) -> list[LazyAppeal] | None:
    found = await matches_for(info, root)
    if found is None:
        return None
    record, matches, records = found
    return [_appeal(records[m.item.id]) for m in dedupe.overlaps_of(item_of(record), matches)]


async def cluster_field(root: Any, info: Info) -> AppealCluster | None:
    found = await matches_for(info, root)
    if found is None:
        return None
    record, matches, records = found
    cluster = dedupe.cluster_of(item_of(record), matches)
    if cluster is None:
        return None
    everything = {**records, record.id: record}
    return AppealCluster(
        id=strawberry.ID(cluster.id),
        role=cluster.role,
        primary=_appeal(everything[cluster.primary]),
        score=cluster.score,
        reasons=list(cluster.reasons),
        members=[_appeal(everything[i]) for i in cluster.members],
        people_count=cluster.people,
        is_group=cluster.is_group,
    )


@strawberry.type(description="One matter a person filed more than once, over every system.")
class RepeatMatter:
    count: int = strawberry.field(description="How many times it was filed.")
    systems: list[SourceSystem] = strawberry.field(description="The systems it was filed in.")
    appeals: list[LazyAppeal] = strawberry.field(description="The filings, earliest first.")


@strawberry.type(
    description="一人多投专档 (repeat-filer file): a person's matters filed more than once; on the file at five "
    "filings of one matter."
)
class RepeatProfile:
    is_repeat_filer: bool = strawberry.field(description="Whether one matter was filed five or more times.")
    most_filings: int = strawberry.field(description="The most filings of one matter.")
    matters: list[RepeatMatter] = strawberry.field(description="The matters filed more than once, most filed first.")


_FILE_ROLES = (Role.SUPERVISOR, Role.PETITION_OFFICER)


def repeat_profile_of(info: Info, records: list[AppealRecord]) -> RepeatProfile:
    """The person's file from the appeals the caller may see; the file belongs to supervisors and the petition desk
    (DOMAIN.md §8)."""
    if not info.context.principal.has_role(*_FILE_ROLES):
        raise Forbidden("the repeat-filer file (一人多投专档) is for supervisors and the petition desk")
    by_id = {r.id: r for r in records}
    groups = [g for g in dedupe.repeat_groups([item_of(r) for r in records]) if len(g) >= 2]
    matters = [
        RepeatMatter(
            count=len(g),
            systems=sorted({i.system for i in g}, key=lambda s: s.value),
            appeals=[_appeal(by_id[i.id]) for i in g],
        )
        for g in groups
    ]
    most = max((m.count for m in matters), default=1 if records else 0)
    return RepeatProfile(is_repeat_filer=most >= dedupe.REPEAT_FILINGS, most_filings=most, matters=matters)
