"""Boards and parties: a union whose members differ between the subgraphs that share the field around it, and one
response key with different types in sibling fragments (``Member.code: ID!`` next to ``Guest.code: ID`` in one
subgraph), which the gateway must alias in the subgraph operation."""

from __future__ import annotations

from typing import Any

from tests.support.federation import Resolvers

MEMBERS: dict[str, dict[str, Any]] = {
    "m1": {"__typename": "Member", "code": "m1", "label": "Lin Yue"},
    "m2": {"__typename": "Member", "code": "m2", "label": "Zhou Min"},
}
GUEST = {"__typename": "Guest", "code": None, "label": "walk-in visitor"}


def _member(code: str) -> dict[str, Any] | None:
    member = MEMBERS.get(code)
    if member is None:
        return None
    others = [m for c, m in MEMBERS.items() if c != code]
    return {**member, "contacts": [*others, {**GUEST, "contacts": []}]}


def _parties(*_: Any) -> list[dict[str, Any] | None]:
    return [_member("m1"), {**GUEST, "contacts": [_member("m2")]}]


NORTH_BOARD = {
    "id": "b1",
    "lane": {"cards": [{"__typename": "Note", "text": "ship it"}, {"__typename": "Sketch", "strokes": 3}]},
}
SOUTH_BOARD = {
    "id": "b1",
    "lane": {"cards": [{"__typename": "Note", "text": "ship it"}, {"__typename": "Photo", "pixels": 9}]},
    "southLane": {"cards": [{"__typename": "Photo", "pixels": 12}, {"__typename": "Note", "text": "south only"}]},
}

RESOLVERS: dict[str, Resolvers] = {
    "roster": {"Query": {"members": lambda *_: [{"code": code} for code in MEMBERS]}},
    "parties": {
        "Query": {"parties": _parties},
        "Member": {"__resolve_reference": lambda rep, _i: _member(rep["code"])},
    },
    "north": {
        "Query": {"northBoard": lambda *_: NORTH_BOARD, "anyBoard": lambda *_: NORTH_BOARD},
        "Board": {"__resolve_reference": lambda rep, _i: NORTH_BOARD if rep["id"] == "b1" else None},
    },
    "south": {
        "Query": {"anyBoard": lambda *_: SOUTH_BOARD},
        "Board": {"__resolve_reference": lambda rep, _i: SOUTH_BOARD if rep["id"] == "b1" else None},
    },
}
