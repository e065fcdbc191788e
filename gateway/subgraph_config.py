"""``subgraphs.toml``: which subgraphs make up the graph, and where each one's SDL comes from.

::

    poll_interval_s = 10                      # optional: how often the gateway re-reads and recomposes (default 10)

    [subgraphs.hotline]
    url = "http://127.0.0.1:4001/graphql"     # where the gateway sends the subgraph's requests
    sdl = "schema/subgraphs/hotline.graphql"  # optional: read the SDL from this file (relative to the config
                                              # file's folder) instead of asking the URL for `_service { sdl }`

Errors::

    SubgraphConfigError         the file is missing, not TOML, or does not describe subgraphs as above
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_POLL_INTERVAL_S",
    "SubgraphConfigError",
    "SubgraphEntry",
    "SubgraphsConfig",
    "load_subgraph_config",
    "parse_subgraph_config",
]

DEFAULT_POLL_INTERVAL_S = 10.0
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TOP_LEVEL = frozenset({"subgraphs", "poll_interval_s"})
_ENTRY_KEYS = frozenset({"url", "sdl"})


class SubgraphConfigError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SubgraphEntry:
    """One subgraph. ``sdl_path`` set: the SDL is read from that file; else it is fetched from ``url``."""

    name: str
    url: str
    sdl_path: Path | None = None


@dataclass(frozen=True, slots=True)
class SubgraphsConfig:
    subgraphs: tuple[SubgraphEntry, ...]
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
    source: str = "subgraphs.toml"

    def entry(self, name: str) -> SubgraphEntry | None:
        return next((e for e in self.subgraphs if e.name == name), None)


def load_subgraph_config(path: Path) -> SubgraphsConfig:
    """Read and check ``path``; relative ``sdl`` paths are taken from the file's folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SubgraphConfigError(f"subgraph config {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SubgraphConfigError(f"cannot read subgraph config {path}: {error}") from None
    return parse_subgraph_config(text, base=path.parent, source=str(path))


def parse_subgraph_config(text: str, *, base: Path, source: str = "subgraphs.toml") -> SubgraphsConfig:
    """The config in ``text`` (TOML); raises :class:`SubgraphConfigError` naming the file and the key at fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SubgraphConfigError(f"{source} is not valid TOML: {error}") from None
    unknown = sorted(set(raw) - _TOP_LEVEL)
    if unknown:
        raise SubgraphConfigError(
            f"{source}: unknown top-level key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
            " (expected [subgraphs.NAME] tables and poll_interval_s)"
        )
    interval = raw.get("poll_interval_s", DEFAULT_POLL_INTERVAL_S)
    if isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0:
        raise SubgraphConfigError(f"{source}: poll_interval_s must be a positive number of seconds, not {interval!r}")
    tables = raw.get("subgraphs")
    if not isinstance(tables, dict) or not tables:
        raise SubgraphConfigError(f'{source} names no subgraphs: add [subgraphs.NAME] tables with url = "…"')
    entries = tuple(_entry(name, value, base, source) for name, value in tables.items())
    return SubgraphsConfig(subgraphs=entries, poll_interval_s=float(interval), source=source)


def _entry(name: str, value: Any, base: Path, source: str) -> SubgraphEntry:
    where = f"{source}: [subgraphs.{name}]"
    if not _NAME.match(name):
        raise SubgraphConfigError(f"{where}: a subgraph name is letters, digits, '_' and '-', starting with a letter")
    if not isinstance(value, dict):
        raise SubgraphConfigError(f'{where} must be a table with url = "…"')
    unknown = sorted(set(value) - _ENTRY_KEYS)
    if unknown:
        raise SubgraphConfigError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    url = value.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise SubgraphConfigError(f"{where}: url must be an http(s) URL, not {url!r}")
    sdl = value.get("sdl")
    if sdl is None:
        return SubgraphEntry(name, url)
    if not isinstance(sdl, str) or not sdl:
        raise SubgraphConfigError(f"{where}: sdl must be a file path, not {sdl!r}")
    return SubgraphEntry(name, url, base / sdl)
