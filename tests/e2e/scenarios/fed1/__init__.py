"""Federation 1 subgraphs (no @link): ``extend type`` and ``@extends`` entities, ``@external``, ``@requires``."""

from __future__ import annotations

from tests.support.federation import Resolvers

OFFICERS = {
    "o1": {"id": "o1", "name": "Chen Jing"},
    "o2": {"id": "o2", "name": "Zhou Lan"},
}
SHIFTS = {"o1": [{"day": "Mon", "hours": 8}, {"day": "Tue", "hours": 6}], "o2": [{"day": "Sat", "hours": 4}]}
BADGES = {"o1": "B-1001", "o2": "B-1002"}


RESOLVERS: dict[str, Resolvers] = {
    "accounts": {
        "Query": {"me": lambda *_: OFFICERS["o1"]},
        "Officer": {"__resolve_reference": lambda rep, _i: OFFICERS.get(rep["id"])},
    },
    "shifts": {
        "Query": {"onDuty": lambda *_: [{"id": "o2"}, {"id": "o1"}]},
        "Officer": {"shifts": lambda officer, _i: SHIFTS.get(officer["id"])},
    },
    "badges": {
        "Officer": {
            "badge": lambda officer, _i: BADGES.get(officer["id"]),
            "greeting": lambda officer, _i: f"Good morning, {officer['name']}",
        },
    },
}
