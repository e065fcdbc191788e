"""A citizen's tracking view through the gateway: ``citizen { appeals summary }`` over every system at once.

The whole graph runs on loopback (five stand-ins, five system subgraphs, the appeals subgraph, the gateway); the
view is asked as the roles that may see a person's history (DOMAIN.md §8): a supervisor, the petition desk and the
citizen themself. A second graph has its petition stand-in stopped: the view still answers from the others, with
one error naming the petition system.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from legacy.world import Person, World
from resolvers.domain import person_key
from tests.support.deployment import Graph, running_graph

SECRET = b"minyi-dev-person-key-secret"
CITY = {"admin_codes": ["430100"], "grid_codes": []}
VIEW = """query($phone: String!, $first: Int, $after: String) {
  citizen(phone: $phone) {
    personKey
    appeals(first: $first, after: $after) {
      edges { cursor node { id system status receivedAt } }
      pageInfo { hasNextPage endCursor }
      unavailableSystems
    }
    summary { totalCount openCount bySystem { system count } byStatus { status count } unavailableSystems }
  }
}"""
SYSTEMS = {
    "hotline": "HOTLINE",
    "petition": "PETITION",
    "board": "MSGBOARD",
    "grid": "GRID",
    "suggestion": "SUGGESTION",
}


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _person(world: World) -> Person:
    """A seeded person with filings in three or more systems."""
    return world.persons_in_systems(3)[0]


async def _all_pages(graph: Graph, http: aiohttp.ClientSession, token: str, phone: str, size: int) -> list[Any]:
    nodes: list[Any] = []
    after = None
    while True:
        body = await graph.ask(http, token, VIEW, phone=phone, first=size, after=after)
        assert "errors" not in body, body
        page = body["data"]["citizen"]["appeals"]
        nodes.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize(
    ("roles", "claims", "least"),
    [(["supervisor"], {"jurisdiction": CITY}, 3), (["petition_officer"], {}, 1)],
    ids=["督办员", "信访工作人员"],
)
async def test_the_view_merges_every_system_newest_first_and_pages_without_repeats(
    graph: Graph, http: aiohttp.ClientSession, world: World, roles: list[str], claims: dict[str, Any], least: int
) -> None:
    person = _person(world)
    token = graph.token(roles, **claims)
    whole = await graph.ask(http, token, VIEW, phone=person.phone, first=100)
    assert "errors" not in whole, whole
    citizen = whole["data"]["citizen"]
    assert citizen["personKey"] == person_key(SECRET, phone=person.phone)
    nodes = [e["node"] for e in citizen["appeals"]["edges"]]
    # one list over several systems (the petition desk: the person's petitions only, DOMAIN.md §8)
    assert len({n["system"] for n in nodes}) >= least
    if roles == ["petition_officer"]:
        assert {n["system"] for n in nodes} == {"PETITION"}
    times = [n["receivedAt"] for n in nodes]
    assert times == sorted(times, reverse=True)  # newest first across systems
    paged = await _all_pages(graph, http, token, person.phone, size=2)
    assert [n["id"] for n in paged] == [n["id"] for n in nodes]  # pages of two: same items, none twice

    summary = citizen["summary"]
    assert summary["totalCount"] == len(nodes)
    assert {c["system"]: c["count"] for c in summary["bySystem"]} == dict(Counter(n["system"] for n in nodes))
    assert {c["status"]: c["count"] for c in summary["byStatus"]} == dict(Counter(n["status"] for n in nodes))
    assert summary["unavailableSystems"] == []


async def test_the_view_holds_what_the_person_filed(graph: Graph, http: aiohttp.ClientSession, world: World) -> None:
    person = _person(world)
    body = await graph.ask(http, graph.token(["supervisor"], jurisdiction=CITY), VIEW, phone=person.phone, first=100)
    by_system = Counter(e["node"]["system"] for e in body["data"]["citizen"]["appeals"]["edges"])
    filed = Counter(SYSTEMS[f.system] for f in world.filings if f.person == person)
    assert set(by_system) == set(filed)


async def test_the_citizen_sees_their_own_view_and_nobody_else_s(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    person = _person(world)
    me = graph.token(["citizen"], person_key=person_key(SECRET, phone=person.phone), sub="me")
    own = await graph.ask(http, me, VIEW, phone=person.phone, first=100)
    assert "errors" not in own, own
    assert own["data"]["citizen"]["summary"]["totalCount"] >= 3
    other = next(p for p in world.persons_in_systems(2) if p != person)
    theirs = await graph.ask(http, me, VIEW, phone=other.phone, first=100)
    assert theirs["data"]["citizen"]["appeals"]["edges"] == []
    assert theirs["data"]["citizen"]["summary"]["totalCount"] == 0


async def test_a_dispatcher_may_not_read_a_person_s_view(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    body = await graph.ask(http, graph.token(["dispatcher"], jurisdiction=CITY), VIEW, phone=_person(world).phone)
    assert body["data"]["citizen"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


@pytest.fixture(scope="module")
def graph_without_petitions() -> Iterator[Graph]:
    with running_graph() as running:
        running.stop_standin("petition")
        yield running


async def test_a_stopped_system_leaves_a_partial_view_and_an_error_naming_it(
    graph_without_petitions: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    graph = graph_without_petitions
    person = next(p for p in world.persons_in_systems(2) if any(f.person == p for f in world.filings_for("petition")))
    body = await graph.ask(http, graph.token(["supervisor"], jurisdiction=CITY), VIEW, phone=person.phone, first=100)
    citizen = body["data"]["citizen"]
    systems = {e["node"]["system"] for e in citizen["appeals"]["edges"]}
    assert systems and "PETITION" not in systems
    assert citizen["appeals"]["unavailableSystems"] == ["PETITION"]
    assert citizen["summary"]["unavailableSystems"] == ["PETITION"]
    named = {
        (tuple(e["path"]), e["extensions"]["code"], e["extensions"]["service"], e["extensions"]["system"])
        for e in body["errors"]
    }
    assert named == {  # the gateway keeps the system at fault as the subgraph named it
        (("citizen", "appeals"), "LEGACY_UNAVAILABLE", "PETITION", "PETITION"),
        (("citizen", "summary"), "LEGACY_UNAVAILABLE", "PETITION", "PETITION"),
    }
    assert all("PETITION" in e["message"] for e in body["errors"])
