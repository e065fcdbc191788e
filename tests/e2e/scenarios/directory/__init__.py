"""The Node interface across subgraphs: directory answers ``node(id:)`` with the concrete type and id only; people
and offices add the fields."""

from __future__ import annotations

from typing import Any

from tests.support.federation import Resolvers

OFFICERS = {"officer:1": {"id": "officer:1", "name": "Chen Jing", "office": {"id": "office:7"}}}
OFFICES = {"office:7": {"id": "office:7", "title": "Hehua street office", "level": "STREET"}}


def _node(_root: Any, _info: Any, id: str) -> dict[str, Any] | None:
    if id in OFFICERS:
        return {"__typename": "Officer", "id": id}
    if id in OFFICES:
        return {"__typename": "Office", "id": id}
    return None


RESOLVERS: dict[str, Resolvers] = {
    "directory": {"Query": {"node": _node}},
    "people": {"Officer": {"__resolve_reference": lambda rep, _i: OFFICERS.get(rep["id"])}},
    "offices": {"Office": {"__resolve_reference": lambda rep, _i: OFFICES.get(rep["id"])}},
}
