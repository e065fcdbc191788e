"""Three tiny subgraphs for the recomposition tests, and a fake composer that knows their compositions.

``alpha`` owns ``Query.items`` and ``Item.name``, ``beta`` adds ``Item.price``, ``gamma`` adds ``Item.stock`` and
``Query.warehouse``. ``beta_broken.graphql`` also defines ``Item.name`` without ``@shareable``: it does not compose
(``INVALID_FIELD_SHARING`` on ``Item.name``).

:func:`fake_compose` stands in for ``schema.compose.compose`` at the gateway's seam: it answers the supergraphs
composed at development time (``supergraph_*.graphql``, from the standard composer) with the given URLs, and the
``INVALID_FIELD_SHARING`` error for the broken ``beta``. :func:`composer` gives it or the real composer
(``schema.compose``), so the same tests run against both. A real composer that fails to import, or fails to compose
``alpha`` with ``beta``, raises there: the tests that depend on it fail, they are never skipped.
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


COMPOSERS = ("fake", "real")


class ComposerBroken(AssertionError):
    """The real composer cannot compose two subgraphs that compose."""


def composer(name: str) -> ComposeFunction:
    """The fake composer, or the real one (``schema.compose``) after checking that it composes alpha with beta.

    An ``ImportError`` from ``schema.compose`` propagates, and a composition that fails raises
    :class:`ComposerBroken`, so every test using the composer fails instead of skipping.
    """
    if name == "fake":
        return fake_compose
    if name != "real":
        raise ValueError(f"unknown composer {name!r}: one of {COMPOSERS}")
    compose = default_compose()
    probe = compose(
        [SubgraphSdl("alpha", "http://alpha", sdl("alpha")), SubgraphSdl("beta", "http://beta", sdl("beta"))]
    )
    if probe.supergraph_sdl is None or probe.errors:
        raise ComposerBroken(f"the real composer fails on alpha + beta: {[e.message for e in probe.errors]}")
    return compose


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
