"""A migration from a legacy subgraph to a modern one: ``@override`` (plain and progressive with labels),
``@inaccessible`` (a field clients cannot see but a ``@requires`` can use), enum and input-object intersections."""

from __future__ import annotations

from typing import Any

from tests.support.federation import Resolvers

TICKETS = {
    "t1": {"id": "t1", "status": "OPEN", "year": 2026, "note": "caller asked twice"},
    "t2": {"id": "t2", "status": "CLOSED", "year": 2025, "note": ""},
}
MODERN_ONLY = {"t3": {"id": "t3", "status": "ARCHIVED", "year": 2024, "note": ""}}  # migrated, gone from legacy


def _legacy(rep_or_id: Any) -> dict[str, Any] | None:
    ticket = TICKETS.get(rep_or_id["id"] if isinstance(rep_or_id, dict) else rep_or_id)
    if ticket is None:
        return None
    return {
        "id": ticket["id"],
        "status": ticket["status"],
        "handler": "legacy-handler (stale)",
        "score": -1,
        "rank": 10,
        "internalNote": ticket["note"],
    }


def _modern(rep_or_id: Any) -> dict[str, Any] | None:
    ticket_id = rep_or_id["id"] if isinstance(rep_or_id, dict) else rep_or_id
    ticket = TICKETS.get(ticket_id) or MODERN_ONLY.get(ticket_id)
    if ticket is None:
        return None
    extra = rep_or_id if isinstance(rep_or_id, dict) else {}
    return {
        **extra,
        "id": ticket_id,
        "status": ticket["status"],
        "handler": "Hehua street office",
        "score": 87,
        "rank": -1,
    }


def _tickets(_root: Any, _info: Any, filter: dict[str, Any] | None = None, channel: str | None = None) -> list[Any]:
    year = (filter or {}).get("year")
    return [_legacy(t) for t, v in TICKETS.items() if year is None or v["year"] == year]


def _summary(ticket: dict[str, Any], _info: Any) -> str:
    note = ticket.get("internalNote")
    return f"note: {note}" if note else "no note"


RESOLVERS: dict[str, Resolvers] = {
    "legacy": {
        "Query": {"ticket": lambda _r, _i, id: _legacy(id), "tickets": _tickets},
        "Ticket": {"__resolve_reference": lambda rep, _i: _legacy(rep)},
    },
    "modern": {
        "Query": {"modernTickets": lambda *_a, **_k: [_modern(t) for t in (*TICKETS, *MODERN_ONLY)]},
        "Ticket": {"summary": _summary, "__resolve_reference": lambda rep, _i: _modern(rep)},
    },
}
