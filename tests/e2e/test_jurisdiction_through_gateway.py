"""Jurisdiction by administrative level, asked through the gateway as each role with a jurisdiction would ask.

The whole graph on loopback (:mod:`tests.support.deployment`): the seeded stand-ins, the four subgraphs behind the
gateway's internal tokens, and tokens of a trusted issuer carrying the role's jurisdiction. A city-level code
(``430100``) must give what the whole city holds — every petition, located in a district or not — and a district,
street or community code what lies under it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from legacy.world import World
from resolvers.jurisdiction import covers
from tests.support.deployment import Graph, running_graph

PETITIONS = """
query($after: String) {
  petitions(first: 100, after: $after) { items { id location { adminCode12 } } nextCursor }
}
"""
TICKETS = """
query($after: String) {
  hotlineTickets(first: 100, after: $after) { items { id location { adminCode12 } } nextCursor }
}
"""


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _all(graph: Graph, http: aiohttp.ClientSession, token: str, query: str, field: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        body = await graph.ask(http, token, query, after=after)
        assert "errors" not in body, body["errors"]
        page = body["data"][field]
        items.extend(page["items"])
        after = page["nextCursor"]
        if after is None:
            return items


def _jurisdiction(*codes: str) -> dict[str, Any]:
    return {"admin_codes": list(codes), "grid_codes": []}


async def test_the_city_petition_officer_sees_every_petition_of_the_city(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    city = graph.token(["petition_officer"], jurisdiction=_jurisdiction("430100"))
    seen = await _all(graph, http, city, PETITIONS, "petitions")
    filed = world.filings_for("petition")
    assert len(seen) == len(filed) > 14
    located = [p for p in seen if p["location"] and p["location"]["adminCode12"]]
    assert located and all(p["location"]["adminCode12"].startswith("4301") for p in located)


@pytest.mark.parametrize("role", ["petition_officer", "supervisor", "leader", "street_dispatcher"])
async def test_each_level_sees_what_lies_under_it_through_the_gateway(
    graph: Graph, http: aiohttp.ClientSession, role: str
) -> None:
    query, field = (PETITIONS, "petitions") if role == "petition_officer" else (TICKETS, "hotlineTickets")
    everything = await _all(graph, http, graph.token([role], jurisdiction=_jurisdiction("430000")), query, field)
    places = sorted(
        {i["location"]["adminCode12"] for i in everything if i["location"] and i["location"]["adminCode12"]}
    )
    assert places, "the seeded city has located appeals"
    place = places[0]
    for level in (4, 6, 9, 12):  # city, county, township, village of one seeded place
        code = place[:level].ljust(6, "0") if level < 6 else place[:level]
        token = graph.token([role], jurisdiction=_jurisdiction(code))
        seen = await _all(graph, http, token, query, field)
        ids = {i["id"] for i in seen}
        expected = {
            i["id"]
            for i in everything
            if i["location"] and i["location"]["adminCode12"] and covers(code, i["location"]["adminCode12"])
        }
        assert expected <= ids, (role, code)
        located_seen = {i["id"] for i in seen if i["location"] and i["location"]["adminCode12"]}
        assert located_seen == expected, (role, code)


GRID_EVENTS = """
query($after: String) {
  gridEvents(first: 100, after: $after) { items { id location { gridCode15 } } nextCursor }
}
"""


async def test_a_grid_worker_sees_the_events_under_each_grid_level_through_the_gateway(
    graph: Graph, http: aiohttp.ClientSession
) -> None:
    def cells(items: list[dict[str, Any]]) -> dict[str, str]:
        return {i["id"]: i["location"]["gridCode15"] for i in items if i["location"] and i["location"]["gridCode15"]}

    county_wide = graph.token(["supervisor"], jurisdiction=_jurisdiction("430000"))
    everything = cells(await _all(graph, http, county_wide, GRID_EVENTS, "gridEvents"))
    cell = sorted(everything.values())[0]
    for level in (6, 9, 12, 15):  # county, township, community, cell
        code = cell[:level]
        token = graph.token(["grid_worker"], jurisdiction={"admin_codes": [], "grid_codes": [code]})
        seen = cells(await _all(graph, http, token, GRID_EVENTS, "gridEvents"))
        assert seen == {i: c for i, c in everything.items() if covers(code, c)}, code
        assert seen
