"""Appeal cases across six subgraphs: cases, units, citizens, feedback, sla, archive.

Covers keys (multiple: ``id`` and ``number year``; composite; nested ``code district { code }``; ``resolvable:
false``), ``@requires`` (several fields, a field with arguments, a chain: feedback.lateRatings needs sla.dueAt which
needs cases.openedAt/priority), ``@provides``, ``@shareable``, null keys (case c4 has no registry number) and the
error/null behaviour the acceptance tests need: citizen p3's phone fails, sla cannot compute the deadline of c3.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from tests.support.federation import Resolvers

CASES: list[dict[str, Any]] = [
    {
        "id": "c1",
        "number": "H-001",
        "year": 2026,
        "title": "Streetlight out on Hehua Road",
        "openedAt": "2026-11-02",
        "priority": 2,
        "tags": ["lighting", "night", "road"],
        "unit": {"code": "U1", "district": {"code": "D1"}},
        "reporter": {"key": "p1"},
        "cosigners": [{"key": "p2"}, {"key": "p3"}],
    },
    {
        "id": "c2",
        "number": "H-002",
        "year": 2026,
        "title": "Night construction noise",
        "openedAt": "2026-11-05",
        "priority": 1,
        "tags": ["noise", "construction", "night"],
        "unit": {"code": "U2", "district": {"code": "D1"}},
        "reporter": {"key": "p2"},
        "cosigners": [{"key": "p1"}, {"key": "p3"}],
    },
    {
        "id": "c3",
        "number": "H-003",
        "year": 2025,
        "title": "Blocked fire lane",
        "openedAt": "2025-12-20",
        "priority": 3,
        "tags": ["fire"],
        "unit": {"code": "U1", "district": {"code": "D1"}},
        "reporter": {"key": "p1"},
        "cosigners": [],
    },
    {
        "id": "c4",
        "number": None,
        "year": 2026,
        "title": "Anonymous tip: illegal dumping",
        "openedAt": "2026-11-10",
        "priority": 2,
        "tags": [],
        "unit": None,
        "reporter": None,
        "cosigners": [],
    },
    {
        "id": "c5",
        "number": "H-005",
        "year": 2026,
        "title": "Low water pressure",
        "openedAt": "2026-11-12",
        "priority": 1,
        "tags": ["water"],
        "unit": {"code": "U1", "district": {"code": "D2"}},
        "reporter": {"key": "p3"},
        "cosigners": [{"key": "p2"}],
    },
]

UNITS = {
    ("U1", "D1"): "Hehua street office",
    ("U2", "D1"): "Urban management bureau, Hehua",
    ("U1", "D2"): "Lakeside street office",
}
DISTRICTS = {"D1": "Hehua district", "D2": "Lakeside district"}

CITIZENS = {
    "p1": {"key": "p1", "name": "Li Wei", "phone": "138****0001"},
    "p2": {"key": "p2", "name": "Wang Fang", "phone": "139****0002"},
    "p3": {"key": "p3", "name": "Zhang Min", "phone": None},
}

RATINGS = {
    "c1": [
        {"score": 5, "comment": "fixed in two days", "author": {"key": "p2", "name": "Wang Fang"}, "at": "2026-11-04"}
    ],
    "c2": [
        {"score": 2, "comment": "still noisy", "author": {"key": "p3", "name": "Zhang Min"}, "at": "2026-11-09"},
        {"score": 4, "comment": None, "author": {"key": "p1", "name": "Li Wei"}, "at": "2026-11-07"},
    ],
}

ARCHIVE = {
    ("H-003", 2025): {"title": "Blocked fire lane", "archivedAt": "2026-01-10"},
    ("H-001", 2026): {"title": "Streetlight out on Hehua Road", "archivedAt": "2026-11-15"},
}

SLA_DAYS = {1: 3, 2: 7, 3: 15}


def _plus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _case(_root: Any, _info: GraphQLResolveInfo, id: str) -> Any:
    return next((c for c in CASES if c["id"] == id), None)


def _tags(case: dict[str, Any], _info: GraphQLResolveInfo, first: int | None = None) -> list[str]:
    tags: list[str] = case["tags"]
    return tags if first is None else tags[:first]


def _unit_name(unit: dict[str, Any], _info: GraphQLResolveInfo) -> str:
    return UNITS[(unit["code"], unit["district"]["code"])]


def _district_name(district: dict[str, Any], _info: GraphQLResolveInfo) -> str:
    return DISTRICTS[district["code"]]


def _phone(citizen: dict[str, Any], _info: GraphQLResolveInfo) -> str | None:
    if citizen["key"] == "p3":
        raise GraphQLError("phone is masked for this citizen", extensions={"code": "MASKED"})
    return CITIZENS[citizen["key"]]["phone"]  # type: ignore[no-any-return]


def _ratings(case: dict[str, Any], _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return RATINGS.get(case["id"], [])


def _late_ratings(case: dict[str, Any], _info: GraphQLResolveInfo) -> int | None:
    due = case.get("dueAt")
    if due is None:
        raise GraphQLError("lateRatings needs dueAt")
    return sum(1 for r in RATINGS.get(case["id"], []) if r["at"] > due)


def _due_at(case: dict[str, Any], _info: GraphQLResolveInfo) -> str:
    return _plus_days(case["openedAt"], SLA_DAYS[case["priority"]])


def _deadline(case: dict[str, Any], _info: GraphQLResolveInfo) -> str:
    if case["openedAt"] < "2026-01-01":
        raise GraphQLError("no working-day calendar before 2026")
    return _plus_days(case["openedAt"], 30)


def _escalated(case: dict[str, Any], _info: GraphQLResolveInfo) -> bool:
    return "night" in case["tags"]  # the representation carries tags(first: 2) only


def _archived_reference(rep: dict[str, Any], _info: GraphQLResolveInfo) -> dict[str, Any]:
    found = ARCHIVE.get((rep["number"], rep["year"]))
    return {**rep, **found} if found else {**rep, "archivedAt": None}


RESOLVERS: dict[str, Resolvers] = {
    "cases": {
        "Query": {"case": _case, "cases": lambda *_: CASES},
        "Case": {
            "tags": _tags,
            "__resolve_reference": lambda rep, _info: next(
                (
                    c
                    for c in CASES
                    if c["id"] == rep.get("id") or (c["number"], c["year"]) == (rep.get("number"), rep.get("year"))
                ),
                None,
            ),
        },
    },
    "units": {
        "Query": {"units": lambda *_: [{"code": c, "district": {"code": d}} for c, d in UNITS]},
        "Unit": {"name": _unit_name},
        "District": {"name": _district_name},
    },
    "citizens": {
        "Query": {"citizen": lambda _root, _info, key: CITIZENS.get(key)},
        "Citizen": {"phone": _phone, "__resolve_reference": lambda rep, _info: CITIZENS.get(rep["key"])},
    },
    "feedback": {
        "Query": {"topRatings": lambda *_: [r for rs in RATINGS.values() for r in rs if r["score"] >= 4]},
        "Case": {"ratings": _ratings, "lateRatings": _late_ratings},
    },
    "sla": {"Case": {"dueAt": _due_at, "deadline": _deadline, "escalated": _escalated}},
    "archive": {
        "Query": {
            "archivedCases": lambda *_: [{"number": n, "year": y, **v} for (n, y), v in ARCHIVE.items()],
        },
        "Case": {"__resolve_reference": _archived_reference},
    },
}
