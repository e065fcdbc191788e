"""Casework: entity chains at least five jumps deep across five subgraphs, for the differential test.

appeal (intake) → filedBy: Citizen (people) → district: District (geo) → office: Office (units, composite nested
key ``city { code } number``) → head: Officer (staff) → caseload: Appeal (intake) → ... and round again. Also a
union (``Contact = Citizen | Officer``) whose members live in other subgraphs, an interface (``Place``),
arguments with defaults, and two ``@requires``: ``Appeal.urgency`` needs ``filedBy { name }`` from people and
``Officer.badge`` needs ``rank`` from units.

The data is one set of cross-linked records (:data:`APPEALS`, ...). A subgraph answers a ``@requires`` field and an
``@external`` field only from the representation the gateway sent (``__rep``), never from the records, so a wrong
representation shows in the answer. :mod:`tests.differential.oracles` serves the same records without federation.
"""

from __future__ import annotations

import random
from typing import Any

from tests.support.federation import Resolvers

_random = random.Random(11)
_NAMES = ["Li Wei", "Wang Fang", "Zhang Min", "Chen Jing", "Liu Yang", "Zhao Lei", "Sun Li", "Zhou Tao"]

CITIES = [{"__typename": "City", "code": code} for code in ("C1", "C2")]
OFFICES: list[dict[str, Any]] = [
    {"__typename": "Office", "city": CITIES[0], "number": 1, "label": "Hehua street office"},
    {"__typename": "Office", "city": CITIES[0], "number": 2, "label": "Xinhua street office"},
    {"__typename": "Office", "city": CITIES[1], "number": 1, "label": "Lakeside township office"},
]
OFFICERS: list[dict[str, Any]] = [
    {"__typename": "Officer", "id": f"o{i}", "name": _NAMES[i], "rank": 1 + i % 3} for i in range(5)
]
DISTRICTS: list[dict[str, Any]] = [
    {"__typename": "District", "code": f"D{i + 1}", "name": name, "office": OFFICES[i]}
    for i, name in enumerate(["Furong", "Tianxin", "Yuelu"])
]
LANDMARKS: list[dict[str, Any]] = [
    {"__typename": "Landmark", "name": name, "district": DISTRICTS[i % 3]}
    for i, name in enumerate(["Orange Isle", "Tianxin Pavilion", "Yuelu Academy", "Hunan Museum"])
]
CITIZENS: list[dict[str, Any]] = [
    {
        "__typename": "Citizen",
        "key": f"k{i}",
        "name": _NAMES[7 - i],
        "phone": None if i == 2 else f"1380000000{i}",
        "district": DISTRICTS[i % 3],
    }
    for i in range(4)
]
APPEALS: list[dict[str, Any]] = [
    {"__typename": "Appeal", "id": f"a{i}", "title": title, "filedBy": CITIZENS[_random.randrange(4)]}
    for i, title in enumerate(
        [
            "Streetlight out",
            "Night construction noise",
            "Blocked fire lane",
            "Low water pressure",
            "Stray dogs",
            "Bus late",
        ]
    )
]
for _i, _office in enumerate(OFFICES):
    _office["head"] = OFFICERS[_i]
    _office["staff"] = [OFFICERS[(_i + j) % 5] for j in range(3)]
for _i, _officer in enumerate(OFFICERS):
    _officer["office"] = OFFICES[_i % 3]
    _officer["caseload"] = [a for j, a in enumerate(APPEALS) if j % 5 == _i]
for _i, _district in enumerate(DISTRICTS):
    _district["neighbours"] = [d for d in DISTRICTS if d is not _district]
    _district["landmarks"] = [m for m in LANDMARKS if m["district"] is _district]
for _citizen in CITIZENS:
    _citizen["appeals"] = [a for a in APPEALS if a["filedBy"] is _citizen]
for _i, _appeal in enumerate(APPEALS):
    _appeal["contacts"] = [_appeal["filedBy"], OFFICERS[_i % 5]]


def urgency(filed_by_name: str) -> int:
    """Appeal.urgency from the filing citizen's name."""
    return len(filed_by_name) % 4 + 1


def badge(rank: int) -> str:
    """Officer.badge from the officer's rank."""
    return f"B-{rank * 7}"


def _by(records: list[dict[str, Any]], field: str) -> dict[Any, dict[str, Any]]:
    return {record[field]: record for record in records}


_APPEALS, _CITIZENS, _DISTRICTS, _OFFICERS = (
    _by(APPEALS, "id"),
    _by(CITIZENS, "key"),
    _by(DISTRICTS, "code"),
    _by(OFFICERS, "id"),
)
_OFFICES = {(o["city"]["code"], o["number"]): o for o in OFFICES}


def _reference(index: dict[Any, dict[str, Any]], key: str) -> Any:
    def resolve(rep: dict[str, Any], _info: Any) -> dict[str, Any] | None:
        record = index.get(rep[key])
        return None if record is None else {**record, "__rep": rep}

    return resolve


def _office(rep: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    record = _OFFICES.get((rep["city"]["code"], rep["number"]))
    return None if record is None else {**record, "__rep": rep}


def _from_rep(*path: str) -> Any:
    """An @external field answered from the representation only."""

    def resolve(parent: dict[str, Any], _info: Any) -> Any:
        value: Any = parent.get("__rep")
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return value

    return resolve


def _urgency(appeal: dict[str, Any], _info: Any) -> int:
    return urgency(appeal["__rep"]["filedBy"]["name"])


def _badge(officer: dict[str, Any], _info: Any) -> str:
    return badge(officer["__rep"]["rank"])


def root_appeals(_root: Any, _info: Any, first: int = 10) -> list[dict[str, Any]]:
    return APPEALS[:first]


def office_staff(office: dict[str, Any], _info: Any, first: int = 2) -> list[dict[str, Any]]:
    return list(office["staff"][:first])


RESOLVERS: dict[str, Resolvers] = {
    "intake": {
        "Query": {"appeals": root_appeals, "appeal": lambda _r, _i, id: _APPEALS.get(id)},
        "Appeal": {"__resolve_reference": _reference(_APPEALS, "id"), "urgency": _urgency},
        "Citizen": {"name": _from_rep("name")},
    },
    "people": {
        "Query": {"citizens": lambda *_: CITIZENS},
        "Citizen": {"__resolve_reference": _reference(_CITIZENS, "key")},
    },
    "geo": {
        "Query": {"districts": lambda *_: DISTRICTS, "places": lambda *_: [*DISTRICTS, *LANDMARKS]},
        "District": {"__resolve_reference": _reference(_DISTRICTS, "code")},
    },
    "units": {
        "Office": {"__resolve_reference": _office, "staff": office_staff},
        "Officer": {"__resolve_reference": _reference(_OFFICERS, "id")},
    },
    "staff": {
        "Query": {"officers": lambda *_: OFFICERS},
        "Officer": {
            "__resolve_reference": _reference(_OFFICERS, "id"),
            "badge": _badge,
            "rank": _from_rep("rank"),
        },
    },
}
