"""Appeals from several channels: abstract types across subgraphs.

hotline owns the entity interface ``Appeal`` (Call, Message) and the union ``SearchHit = Call | Message``; grid adds
``GridEvent`` to ``SearchHit`` and to the value interface ``Located`` (distributed union and interface), provides
``Call.title`` on an interface-typed and a union-typed root field, and computes ``Call.escalation`` from a
``@requires`` with fragments on the union ``SearchHit``; tracking sees every appeal as an ``@interfaceObject``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from tests.support.federation import Resolvers

APPEALS: dict[str, dict[str, Any]] = {
    "a1": {"__typename": "Call", "id": "a1", "title": "Pothole on Xinhua Street", "district": "D1", "related": "a2"},
    "a2": {"__typename": "Message", "id": "a2", "title": "Why is the bus late?", "board": "mayor"},
    "a3": {"__typename": "Call", "id": "a3", "title": "Stray dogs near school", "district": "D2", "related": "a1"},
    "a4": {"__typename": "Message", "id": "a4", "title": "Park lights at night", "board": "district"},
}
GRID_EVENTS = [
    {"__typename": "GridEvent", "id": "g1", "district": "D1", "kind": "litter"},
    {"__typename": "GridEvent", "id": "g2", "district": "D2", "kind": "parking"},
]
STAGES = {"a1": "dispatched", "a2": "replied", "a3": "overdue", "a4": "closed"}


def _appeal(appeal_id: str) -> dict[str, Any] | None:
    appeal = APPEALS.get(appeal_id)
    if appeal is None:
        return None
    out = dict(appeal)
    if "related" in out:
        out["related"] = APPEALS[out["related"]]
    return out


def _related(call: dict[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    """The related appeal, itself with its own related appeal (any depth)."""
    related = call.get("related")
    if isinstance(related, dict):
        related = related["id"]
    return _appeal(related) if isinstance(related, str) else None


def _search(_root: Any, _info: GraphQLResolveInfo, text: str) -> list[dict[str, Any]]:
    return [a for a in (_appeal(i) for i in APPEALS) if a is not None and text.lower() in a["title"].lower()]


def _grid_call(appeal_id: str) -> dict[str, Any]:
    # grid knows the calls of its districts, titles included (what @provides promises)
    appeal = APPEALS[appeal_id]
    return {"__typename": "Call", "id": appeal_id, "district": appeal["district"], "title": appeal["title"]}


def _nearby(_root: Any, _info: GraphQLResolveInfo, district: str) -> list[dict[str, Any]]:
    calls = [_grid_call(i) for i, a in APPEALS.items() if a.get("district") == district]
    return calls + [e for e in GRID_EVENTS if e["district"] == district]


def _grid_search(_root: Any, _info: GraphQLResolveInfo, text: str) -> list[dict[str, Any]]:
    return [_grid_call("a3"), GRID_EVENTS[1], {"__typename": "Message", "id": "a4"}]


def _escalation(call: dict[str, Any], _info: GraphQLResolveInfo) -> str | None:
    related = call.get("related")
    if not isinstance(related, dict):
        return None
    if related.get("__typename") == "Message":
        return f"board:{related['board']}"
    return f"call:{related['title']}"


def _grid_call_reference(rep: dict[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    appeal = APPEALS.get(rep["id"])
    if appeal is None or appeal["__typename"] != "Call":
        return None
    return {**rep, "district": appeal["district"]}


RESOLVERS: dict[str, Resolvers] = {
    "hotline": {
        "Query": {"appeals": lambda *_: [_appeal(i) for i in APPEALS], "search": _search},
        "Appeal": {"__resolve_reference": lambda rep, _i: _appeal(rep["id"])},
        "Call": {"__resolve_reference": lambda rep, _i: _appeal(rep["id"]), "related": _related},
        "Message": {"__resolve_reference": lambda rep, _i: _appeal(rep["id"])},
    },
    "grid": {
        "Query": {"nearby": _nearby, "gridSearch": _grid_search},
        "Call": {"escalation": _escalation, "__resolve_reference": _grid_call_reference},
        "GridEvent": {
            "__resolve_reference": lambda rep, _i: next((e for e in GRID_EVENTS if e["id"] == rep["id"]), None)
        },
    },
    "tracking": {
        "Query": {"stalled": lambda *_: [{"id": "a3"}, {"id": "a2"}]},
        "Appeal": {"stage": lambda appeal, _i: STAGES[appeal["id"]]},
    },
}
