"""Composing the subgraphs a ``subgraphs.toml`` names: read every SDL (file or ``_service { sdl }``), then compose.

The composer is ``schema.compose.compose`` (pure, never raises on bad input), imported when first used; every
function here takes the compose function as an argument so tests can inject a fake at that seam. Its contract::

    compose(subgraphs: Sequence[SubgraphSource]) -> CompositionResult
    CompositionResult(supergraph_sdl: str | None, errors: tuple[CompositionError, ...], hints: tuple[str, ...])
    CompositionError(code, message, subgraph, type_name, field_name)

Nothing here raises for a subgraph that cannot be read or a composition that fails: :class:`Composed` carries the
failures, so the CLI can print them all and the running gateway can report them and keep its last good schema.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import aiohttp

from gateway.introspect import SubgraphFetchError, fetch_subgraph_sdl
from gateway.subgraph_config import SubgraphEntry, SubgraphsConfig

__all__ = [
    "ComposeFunction",
    "Composed",
    "CompositionProblem",
    "SdlFetcher",
    "SubgraphFailure",
    "SubgraphSdl",
    "compose_subgraphs",
    "default_compose",
    "format_problems",
    "read_subgraph_sdls",
]


@dataclass(frozen=True, slots=True)
class SubgraphSdl:
    """One subgraph's SDL as read (the fields of ``schema.compose.SubgraphSource``)."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class SubgraphFailure:
    """A subgraph whose SDL could not be read; ``reason`` is the whole sentence."""

    name: str
    url: str
    reason: str


class CompositionProblem(Protocol):
    """What the composer reports per error (``schema.compose.CompositionError``)."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def subgraph(self) -> str | None: ...
    @property
    def type_name(self) -> str | None: ...
    @property
    def field_name(self) -> str | None: ...


class CompositionOutcome(Protocol):
    """``schema.compose.CompositionResult``."""

    @property
    def supergraph_sdl(self) -> str | None: ...
    @property
    def errors(self) -> Sequence[CompositionProblem]: ...
    @property
    def hints(self) -> Sequence[str]: ...


ComposeFunction = Callable[[Sequence[SubgraphSdl]], CompositionOutcome]
SdlFetcher = Callable[[str, str, float, aiohttp.ClientSession], Awaitable[str]]


def default_compose() -> ComposeFunction:
    """The real composer (``schema.compose``), imported now; raises ``ImportError`` while it does not exist."""
    from schema.compose import SubgraphSource, compose

    def run(subgraphs: Sequence[SubgraphSdl]) -> CompositionOutcome:
        result: CompositionOutcome = compose([SubgraphSource(s.name, s.url, s.sdl) for s in subgraphs])
        return result

    return run


@dataclass(frozen=True, slots=True)
class _EmptyOutcome:
    supergraph_sdl: str | None = None
    errors: tuple[CompositionProblem, ...] = ()
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Composed:
    """The SDLs read, the subgraphs that could not be read, and — when all were read — the composer's result."""

    sdls: tuple[SubgraphSdl, ...]
    failures: tuple[SubgraphFailure, ...] = ()
    outcome: CompositionOutcome = field(default_factory=_EmptyOutcome)

    @property
    def supergraph_sdl(self) -> str | None:
        return None if self.failures or self.outcome.errors else self.outcome.supergraph_sdl

    @property
    def ok(self) -> bool:
        return self.supergraph_sdl is not None


async def _fetch(name: str, url: str, timeout_s: float, session: aiohttp.ClientSession) -> str:
    return await fetch_subgraph_sdl(name, url, timeout_s=timeout_s, session=session)


async def _read_one(
    entry: SubgraphEntry, timeout_s: float, session: aiohttp.ClientSession, fetch: SdlFetcher
) -> SubgraphSdl | SubgraphFailure:
    if entry.sdl_path is not None:
        return _read_file(entry, entry.sdl_path)
    try:
        return SubgraphSdl(entry.name, entry.url, await fetch(entry.name, entry.url, timeout_s, session))
    except SubgraphFetchError as error:
        return SubgraphFailure(entry.name, entry.url, str(error))


def _read_file(entry: SubgraphEntry, path: Path) -> SubgraphSdl | SubgraphFailure:
    try:
        return SubgraphSdl(entry.name, entry.url, path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SubgraphFailure(
            entry.name, entry.url, f"the SDL file of subgraph {entry.name!r}, {path}, does not exist"
        )
    except (OSError, UnicodeDecodeError) as error:
        return SubgraphFailure(entry.name, entry.url, f"cannot read the SDL file of subgraph {entry.name!r}: {error}")


async def read_subgraph_sdls(
    config: SubgraphsConfig, *, timeout_s: float = 10.0, fetch: SdlFetcher = _fetch
) -> tuple[tuple[SubgraphSdl, ...], tuple[SubgraphFailure, ...]]:
    """Every configured subgraph's SDL, fetched concurrently; the ones that failed, separately (config order)."""
    async with aiohttp.ClientSession() as session:
        read = await asyncio.gather(*(_read_one(e, timeout_s, session, fetch) for e in config.subgraphs))
    sdls = tuple(r for r in read if isinstance(r, SubgraphSdl))
    failures = tuple(r for r in read if isinstance(r, SubgraphFailure))
    return sdls, failures


async def compose_subgraphs(
    config: SubgraphsConfig,
    compose: ComposeFunction,
    *,
    timeout_s: float = 10.0,
    fetch: SdlFetcher = _fetch,
) -> Composed:
    """Read every SDL, then compose them (in a worker thread: composing is CPU work and the loop may be serving).
    Nothing is composed when a subgraph could not be read: a supergraph without it would drop its fields."""
    sdls, failures = await read_subgraph_sdls(config, timeout_s=timeout_s, fetch=fetch)
    if failures:
        return Composed(sdls, failures)
    return Composed(sdls, (), await asyncio.to_thread(compose, sdls))


def format_problems(composed: Composed) -> str:
    """All failures and composition errors, grouped by subgraph, then type, then field, one line each."""
    lines: list[str] = []
    for failure in composed.failures:
        lines.append(f"subgraph {failure.name}: {failure.reason}")
    errors = composed.outcome.errors
    if errors:
        lines.append(f"composition failed with {len(errors)} error{'s' if len(errors) != 1 else ''}:")
    groups: dict[str, list[CompositionProblem]] = {}
    for error in errors:
        groups.setdefault(error.subgraph or "", []).append(error)
    for subgraph in sorted(groups, key=lambda name: (name == "", name)):
        lines.append(f"  subgraph {subgraph}:" if subgraph else "  across subgraphs:")
        ordered = sorted(groups[subgraph], key=lambda e: (e.type_name or "", e.field_name or "", e.code))
        for error in ordered:
            where = error.type_name or ""
            if error.field_name:
                where = f"{where}.{error.field_name}" if where else error.field_name
            location = f"{where}: " if where else ""
            lines.append(f"    {location}[{error.code}] {error.message}")
    return "\n".join(lines)
