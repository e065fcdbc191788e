"""Two subgraphs that write: intake files tickets, dispatch assigns them. Both share one write counter, so the
answers themselves show the order in which the gateway ran the mutation's root fields."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from tests.support.federation import Resolvers

STATE: dict[str, Any] = {"writes": 0, "tickets": {}}


def reset_data() -> None:
    STATE["writes"] = 0
    STATE["tickets"] = {}


def _next_write() -> int:
    STATE["writes"] += 1
    return int(STATE["writes"])


def _file(_root: Any, _info: GraphQLResolveInfo, title: str) -> dict[str, Any]:
    ticket_id = f"t{len(STATE['tickets']) + 1}"
    ticket = {"id": ticket_id, "title": title, "seq": _next_write(), "assignedTo": None, "assignSeq": None}
    STATE["tickets"][ticket_id] = ticket
    return ticket


def _assign(_root: Any, _info: GraphQLResolveInfo, ticketId: str, unit: str) -> dict[str, Any]:
    ticket = STATE["tickets"].get(ticketId)
    if ticket is None:
        raise GraphQLError(f"no ticket {ticketId} to assign")
    ticket["assignedTo"] = unit
    ticket["assignSeq"] = _next_write()
    return ticket


RESOLVERS: dict[str, Resolvers] = {
    "intake": {
        "Query": {"ticket": lambda _r, _i, id: STATE["tickets"].get(id)},
        "Mutation": {"fileTicket": _file},
        "Ticket": {"__resolve_reference": lambda rep, _i: STATE["tickets"].get(rep["id"])},
    },
    "dispatch": {
        "Mutation": {"assign": _assign},
        "Ticket": {"__resolve_reference": lambda rep, _i: STATE["tickets"].get(rep["id"])},
    },
}
