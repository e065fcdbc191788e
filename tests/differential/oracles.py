"""The oracles: one plain graphql-core schema per federated graph, serving the same records without federation.

An oracle is the graph's API schema (as the gateway exposes it) with resolvers over the scenario's records: plain
dict lookups, the same computed values (``@requires`` fields computed from the records themselves), abstract types
resolved by the records' ``__typename``. What the gateway answers for an operation must equal what the oracle
answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, build_schema, print_schema

from tests.e2e.scenarios import casework, channels, shop

__all__ = ["ORACLE_RESOLVERS", "oracle_schema"]

OracleResolvers = Mapping[str, Mapping[str, Callable[..., Any]]]


def oracle_schema(api_schema: GraphQLSchema, resolvers: OracleResolvers) -> GraphQLSchema:
    """A fresh executable copy of ``api_schema`` with ``resolvers`` attached (fields without one read the dict)."""
    schema = build_schema(print_schema(api_schema))
    for type_name, fields in resolvers.items():
        named = schema.get_type(type_name)
        assert isinstance(named, GraphQLObjectType), type_name
        for field_name, resolve in fields.items():
            named.fields[field_name].resolve = resolve
    return schema


# channels ----------------------------------------------------------------------------------------------------------


def _appeal(appeal_id: str) -> dict[str, Any]:
    return {**channels.APPEALS[appeal_id], "stage": channels.STAGES[appeal_id]}


def _related(call: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    related = call.get("related")
    return _appeal(related) if isinstance(related, str) else None


def _escalation(call: dict[str, Any], _info: Any) -> str | None:
    related = call.get("related")
    if not isinstance(related, str):
        return None
    target = _appeal(related)
    return f"board:{target['board']}" if target["__typename"] == "Message" else f"call:{target['title']}"


def _search(_root: Any, _info: Any, text: str) -> list[dict[str, Any]]:
    return [_appeal(i) for i, a in channels.APPEALS.items() if text.lower() in a["title"].lower()]


def _nearby(_root: Any, _info: Any, district: str) -> list[dict[str, Any]]:
    calls = [_appeal(i) for i, a in channels.APPEALS.items() if a.get("district") == district]
    return calls + [e for e in channels.GRID_EVENTS if e["district"] == district]


_CHANNELS: OracleResolvers = {
    "Query": {
        "appeals": lambda *_: [_appeal(i) for i in channels.APPEALS],
        "search": _search,
        "nearby": _nearby,
        "gridSearch": lambda *_, **__: [_appeal("a3"), channels.GRID_EVENTS[1], _appeal("a4")],
        "stalled": lambda *_: [_appeal("a3"), _appeal("a2")],
    },
    "Call": {"related": _related, "escalation": _escalation},
}

# casework ----------------------------------------------------------------------------------------------------------

_CASEWORK: OracleResolvers = {
    "Query": {
        "appeals": casework.root_appeals,
        "appeal": lambda _r, _i, id: next((a for a in casework.APPEALS if a["id"] == id), None),
        "citizens": lambda *_: casework.CITIZENS,
        "districts": lambda *_: casework.DISTRICTS,
        "places": lambda *_: [*casework.DISTRICTS, *casework.LANDMARKS],
        "officers": lambda *_: casework.OFFICERS,
    },
    "Appeal": {"urgency": lambda appeal, _i: casework.urgency(appeal["filedBy"]["name"])},
    "Officer": {"badge": lambda officer, _i: casework.badge(officer["rank"])},
    "Office": {"staff": casework.office_staff},
}

# shop --------------------------------------------------------------------------------------------------------------


def _shop_records() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    users = {key: {**user, "__typename": "User"} for key, user in shop.USERS.items()}
    products = {
        upc: {**product, "__typename": "Product", "shippingEstimate": shop.shipping_estimate(p["price"], p["weight"])}
        for upc, product in shop.PRODUCTS.items()
        for p in (product,)
    }
    reviews = [
        {
            "__typename": "Review",
            "id": rid,
            "body": r["body"],
            "author": users[r["author"]],
            "product": products[r["product"]],
        }
        for rid, r in shop.REVIEWS.items()
    ]
    for user in users.values():
        user["reviews"] = [r for r in reviews if r["author"] is user]
    for product in products.values():
        product["reviews"] = [r for r in reviews if r["product"] is product]
    return users, products


_USERS, _PRODUCTS = _shop_records()

_SHOP: OracleResolvers = {
    "Query": {
        "me": lambda *_: _USERS["1"],
        "user": lambda _r, _i, id: _USERS.get(id),
        "users": lambda *_: list(_USERS.values()),
        "topProducts": lambda _r, _i, first=5: list(_PRODUCTS.values())[:first],
        "product": lambda _r, _i, upc: _PRODUCTS.get(upc),
    },
}

ORACLE_RESOLVERS: Mapping[str, OracleResolvers] = {"channels": _CHANNELS, "casework": _CASEWORK, "shop": _SHOP}
