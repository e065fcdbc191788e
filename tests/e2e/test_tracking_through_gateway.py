"""The 10 tracking nodes and the three-colour warnings through the gateway, under a controlled clock.

Staff see every node with the system's history (units, internal notes) and the warning with its reasons; the
citizen sees their own appeal's nodes without notes or acting units, and no warning. The appeals subgraph's clock
is the test's: moving it past the deadline turns the warning from none to ORANGE to RED.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from resolvers.calendar import calendar_for
from tests.support.deployment import Graph, running_graph

CITY = {"admin_codes": ["430100"], "grid_codes": []}
OPEN_TICKETS = """{ hotlineTickets(first: 50, filter: {statuses: [HANDLING]}) {
  nodes { id receivedAt dueAt petitioner { personKey } } } }"""
TRACK = """query($id: ID!) { appeal(id: $id) { id
  timeline { number step name reached at unit detail events { action unit note } }
  warning { colour reasons { code colour message } } } }"""
CALENDAR = calendar_for()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 10, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def graph(clock: Clock) -> Iterator[Graph]:
    with running_graph(appeals_clock=clock) as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _naive(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=None)


async def _open_ticket(graph: Graph, http: aiohttp.ClientSession) -> dict[str, Any]:
    body = await graph.ask(http, graph.token(["supervisor"], jurisdiction=CITY), OPEN_TICKETS)
    return next(t for t in body["data"]["hotlineTickets"]["nodes"] if t["dueAt"] and t["petitioner"])


async def test_staff_see_every_node_with_the_system_s_history(graph: Graph, http: aiohttp.ClientSession) -> None:
    ticket = await _open_ticket(graph, http)
    body = await graph.ask(http, graph.token(["supervisor"], jurisdiction=CITY), TRACK, id=ticket["id"])
    assert "errors" not in body, body
    nodes = body["data"]["appeal"]["timeline"]
    assert [n["number"] for n in nodes] == list(range(1, 11))
    assert nodes[0]["reached"] and _naive(nodes[0]["at"]) == _naive(ticket["receivedAt"])
    assert not nodes[-1]["reached"]  # still being handled: not archived
    assert any(e["unit"] for n in nodes for e in n["events"])  # who acted, for staff


async def test_the_warning_follows_the_controlled_clock(
    graph: Graph, http: aiohttp.ClientSession, clock: Clock
) -> None:
    ticket = await _open_ticket(graph, http)
    due = _naive(ticket["dueAt"])
    token = graph.token(["supervisor"], jurisdiction=CITY)

    async def colour_at(now: datetime) -> tuple[str, list[str]]:
        clock.now = now
        warning = (await graph.ask(http, token, TRACK, id=ticket["id"]))["data"]["appeal"]["warning"]
        return warning["colour"], [r["code"] for r in warning["reasons"]]

    just_late = await colour_at(CALENDAR.add_workdays(due, 1))
    assert just_late[0] in ("ORANGE", "RED") and "OVERDUE" in just_late[1]
    long_late = await colour_at(CALENDAR.add_workdays(due, 5))
    assert long_late[0] == "RED" and "LONG_OVERDUE" in long_late[1]
    before = await colour_at(due - timedelta(minutes=1))
    assert "OVERDUE" not in before[1] and "LONG_OVERDUE" not in before[1]


async def test_the_citizen_sees_a_safe_timeline_and_no_warning(graph: Graph, http: aiohttp.ClientSession) -> None:
    ticket = await _open_ticket(graph, http)
    me = graph.token(["citizen"], person_key=ticket["petitioner"]["personKey"], sub="me")
    body = await graph.ask(http, me, TRACK, id=ticket["id"])
    assert "errors" not in body, body
    appeal = body["data"]["appeal"]
    assert appeal["warning"] is None  # warnings are never shown to citizens
    events = [e for n in appeal["timeline"] for e in n["events"]]
    assert events and all(e["note"] is None and e["unit"] is None for e in events)


async def test_someone_else_gets_nothing_of_it(graph: Graph, http: aiohttp.ClientSession) -> None:
    ticket = await _open_ticket(graph, http)
    stranger = graph.token(["citizen"], person_key="someone-else", sub="stranger")
    body = await graph.ask(http, stranger, TRACK, id=ticket["id"])
    assert body["data"]["appeal"] is None


BY_COLOUR = """query($colours: [WarningColour!]) {
  appeals(first: 10, filter: {systems: [HOTLINE], warningColours: $colours}) { nodes { id warning { colour } } } }"""


async def test_the_merged_search_filters_by_warning_colour_as_the_warning_field_shows_it(
    graph: Graph, http: aiohttp.ClientSession, clock: Clock
) -> None:
    ticket = await _open_ticket(graph, http)
    token = graph.token(["supervisor"], jurisdiction=CITY)
    clock.now = CALENDAR.add_workdays(_naive(ticket["dueAt"]), 5)  # long overdue: RED
    red = (await graph.ask(http, token, BY_COLOUR, colours=["RED"]))["data"]["appeals"]["nodes"]
    assert red and all(n["warning"]["colour"] == "RED" for n in red)
    calm = (await graph.ask(http, token, BY_COLOUR, colours=["NONE", "YELLOW"]))["data"]["appeals"]["nodes"]
    assert all(n["warning"]["colour"] in ("NONE", "YELLOW") for n in calm)
    assert not {n["id"] for n in red} & {n["id"] for n in calm}

    citizen = graph.token(["citizen"], person_key=ticket["petitioner"]["personKey"], sub="me")
    refused = await graph.ask(http, citizen, BY_COLOUR, colours=["RED"])
    assert refused["data"]["appeals"] is None and "for staff" in refused["errors"][0]["message"]
    one_system = await graph.ask(
        http, token, "{ hotlineTickets(first: 1, filter: {warningColours: [RED]}) { totalCount } }"
    )
    assert "merged list" in one_system["errors"][0]["message"]
