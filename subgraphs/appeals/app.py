"""``create_app(settings)``: the appeals subgraph (``minyi subgraph appeals``, port 4005), with one adapter client
per legacy system it reads (``settings.appeals_systems``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette

from resolvers.adapters.board import BoardClient
from resolvers.adapters.grid import GridClient
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.petition import PetitionClient
from resolvers.adapters.suggestion import SuggestionClient
from resolvers.appeals.board_source import BoardSource
from resolvers.appeals.grid_source import GridSource
from resolvers.appeals.hotline_source import HotlineSource
from resolvers.appeals.petition_source import PetitionSource
from resolvers.appeals.sources import AppealSource
from resolvers.appeals.suggestion_source import SuggestionSource
from resolvers.appeals.warning import limits_from
from resolvers.domain import SourceSystem
from subgraphs.appeals.dispatch_wiring import dispatch_service
from subgraphs.appeals.schema import build_schema
from subgraphs.common.app import build_subgraph_app
from subgraphs.settings import SubgraphSettings

__all__ = ["SYSTEM_NAMES", "create_app", "sources_for", "systems_of"]

SYSTEM_NAMES = {
    "hotline": SourceSystem.HOTLINE,
    "petition": SourceSystem.PETITION,
    "board": SourceSystem.MSGBOARD,
    "grid": SourceSystem.GRID,
    "suggestion": SourceSystem.SUGGESTION,
}


def systems_of(settings: SubgraphSettings) -> list[str]:
    names = settings.appeals_systems.split()
    unknown = [n for n in names if n not in SYSTEM_NAMES]
    if unknown:
        raise ValueError(f"unknown systems {unknown}: choose from {', '.join(SYSTEM_NAMES)}")
    return list(dict.fromkeys(names))


def _source(name: str, settings: SubgraphSettings) -> AppealSource:
    options = settings.adapter_options(name)
    secret = settings.person_key_secret.encode()
    if name == "hotline":
        return HotlineSource(HotlineClient(options), secret)
    if name == "petition":
        return PetitionSource(PetitionClient(options), secret)
    if name == "board":
        return BoardSource(BoardClient(options), secret)
    if name == "grid":
        return GridSource(GridClient(options), secret)
    return SuggestionSource(SuggestionClient(options), secret)


def sources_for(settings: SubgraphSettings) -> dict[SourceSystem, AppealSource]:
    """One source per system the settings name, each with its own adapter client."""
    return {SYSTEM_NAMES[name]: _source(name, settings) for name in systems_of(settings)}


def create_app(settings: SubgraphSettings, *, clock: Callable[[], datetime] | None = None) -> Starlette:
    """``clock`` (naive Beijing time; the real one by default) is what the warnings count from."""
    sources = sources_for(settings)
    schema = build_schema(sources)
    return build_subgraph_app(
        "appeals",
        schema,
        sources,
        settings,
        dispatch=dispatch_service(settings),
        clock=clock,
        warning_limits=limits_from(settings.warning_limits),
        dedupe_index=True,
    )
