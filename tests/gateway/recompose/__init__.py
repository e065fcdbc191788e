"""Three tiny subgraphs for the recomposition tests, and a fake composer that knows their compositions.

``alpha`` owns ``Query.items`` and ``Item.name``, ``beta`` adds ``Item.price``, ``gamma`` adds ``Item.stock`` and
``Query.warehouse``. ``beta_broken.graphql`` also defines ``Item.name`` without ``@shareable``: it does not compose
(``INVALID_FIELD_SHARING`` on ``Item.name``).

:func:`fake_compose` stands in for ``schema.compose.compose`` at the gateway's seam: it answers the supergraphs
composed at development time (``supergraph_*.graphql``, from the standard composer) with the given URLs, and the
``INVALID_FIELD_SHARING`` error for the broken ``beta``. :func:`composers` yields it, and the real composer too once
``schema.compose`` exists, so the same tests run against both.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.composition import ComposeFunction, SubgraphSdl, default_compose
from tests.support.federation import Subgraph

HERE = Path(__file__).parent
_JOIN_GRAPH = re.compile(r'@join__graph\(name: "(?P<name>[^"]+)", url: "[^"]*"\)')


def sdl(name: str) -> str:
    return (HERE / f"{name}.graphql").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class FakeError:
    code: str
    message: str
    subgraph: str | None = None
    type_name: str | None = None
    field_name: str | None = None


@dataclass(frozen=True, slots=True)
class FakeResult:
    supergraph_sdl: str | None
    errors: tuple[FakeError, ...] = ()
    hints: tuple[str, ...] = ()


_COMPOSED = {
    frozenset({("alpha", "alpha"), ("beta", "beta")}): "supergraph_alpha_beta",
    frozenset({("alpha", "alpha"), ("beta", "beta"), ("gamma", "gamma")}): "supergraph_alpha_beta_gamma",
}


def fake_compose(subgraphs: Sequence[SubgraphSdl]) -> FakeResult:
    """The known composition of these SDLs, with their URLs; the field-sharing error for the broken ``beta``."""
    known = {sdl(name): name for name in ("alpha", "beta", "beta_broken", "gamma")}
    files = {(s.name, known.get(s.sdl, "?")) for s in subgraphs}
    if ("beta", "beta_broken") in files:
        message = (
            'Non-shareable field "Item.name" is resolved from multiple subgraphs: it is resolved from subgraphs '
            '"alpha" and "beta" and defined as non-shareable in all of them'
        )
        return FakeResult(None, (FakeError("INVALID_FIELD_SHARING", message, "beta", "Item", "name"),))
    composed = _COMPOSED.get(frozenset(files))
    if composed is None:
        return FakeResult(None, (FakeError("FAKE_COMPOSER", f"the fake composer does not know {sorted(files)}"),))
    urls = {s.name: s.url for s in subgraphs}
    template = sdl(composed)
    return FakeResult(
        _JOIN_GRAPH.sub(lambda m: f'@join__graph(name: "{m["name"]}", url: "{urls[m["name"]]}")', template)
    )


def composers() -> list[tuple[str, ComposeFunction | None]]:
    """``("fake", fake_compose)`` and, once ``schema.compose`` exists, ``("real", its compose)``."""
    found: list[tuple[str, ComposeFunction | None]] = [("fake", fake_compose)]
    try:
        found.append(("real", default_compose()))
    except Exception:  # not written yet, or half-written while another session works on it
        found.append(("real", None))
    return found


def composer_available() -> bool:
    try:
        default_compose()
    except Exception:
        return False
    return True


ITEMS = [{"id": "1", "name": "one"}, {"id": "2", "name": "two"}]


@dataclass(slots=True)
class Gate:
    """Holds the next ``items`` request inside alpha until released: ``entered`` is set when it is held."""

    armed: bool = False
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def alpha(gate: Gate | None = None) -> Subgraph:
    async def items(_root: Any, _info: Any) -> list[dict[str, str]]:
        if gate is not None and gate.armed:
            gate.armed = False
            gate.entered.set()
            await asyncio.to_thread(gate.release.wait, 30)
        return ITEMS

    return Subgraph("alpha", sdl("alpha"), {"Query": {"items": items}})


def beta(*, broken: bool = False) -> Subgraph:
    def price(ref: dict[str, Any], _info: Any) -> dict[str, Any]:
        return {"id": ref["id"], "price": int(ref["id"]) * 10, "name": "?"}

    return Subgraph("beta", sdl("beta_broken" if broken else "beta"), {"Item": {"__resolve_reference": price}})


def gamma() -> Subgraph:
    def stock(ref: dict[str, Any], _info: Any) -> dict[str, Any]:
        return {"id": ref["id"], "stock": int(ref["id"]) + 100}

    return Subgraph(
        "gamma",
        sdl("gamma"),
        {"Query": {"warehouse": lambda _root, _info: "north"}, "Item": {"__resolve_reference": stock}},
    )
