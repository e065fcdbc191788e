"""The cross-system lookup through the gateway, role by role (DOMAIN.md §8): what each role gets from the merged
search (paged), an appeal's tracking nodes and warning, and what it may not see.

- dispatcher (派单员): the city queue over every system, pages without repeats; petitioners masked; of a petition
  only its existence, status and unit; timelines with the centre's internal notes; warnings;
- unit handler (承办单位): only the appeals its unit leads or co-handles; timelines without internal notes;
- operator (坐席): only what they registered (none here) and of petitions their existence; no person's view
  without a call;
- supervisor (督办员): their territory, with warnings and the repeat-filer file (see the other lookup tests);
- petition officer (信访工作人员): petitions in full;
- citizen: their own appeals and what the board publishes; no warnings; nobody else's view.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from legacy.world import World
from resolvers.domain import person_key
from tests.support.deployment import Graph, running_graph

SECRET = b"minyi-dev-person-key-secret"
CITY = {"admin_codes": ["430100"], "grid_codes": []}
UNIT = "43010503"
PAGE = """query($first: Int, $after: String) { appeals(first: $first, after: $after) {
  pageInfo { hasNextPage endCursor }
  nodes { id system status
    ... on HotlineTicket { title petitioner { phone } leadUnit { code } coUnits { code } }
    ... on Petition { title }
    ... on GridEvent { leadUnit { code } coUnits { code } }
  } } }"""
TRACK = """query($id: ID!) { appeal(id: $id) { id
  timeline { number reached events { action unit note } } warning { colour } } }"""
VIEW = "query($phone: String!) { citizen(phone: $phone) { appeals(first: 50) { nodes { id } } } }"


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _pages(graph: Graph, http: aiohttp.ClientSession, token: str, pages: int, size: int = 10) -> Any:
    nodes: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    after = None
    for _ in range(pages):
        body = await graph.ask(http, token, PAGE, first=size, after=after)
        nodes.extend(body["data"]["appeals"]["nodes"])
        errors.extend(body.get("errors", []))
        info = body["data"]["appeals"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    return nodes, errors


async def test_the_dispatcher_pages_the_city_queue_with_petitions_reduced(
    graph: Graph, http: aiohttp.ClientSession
) -> None:
    nodes, errors = await _pages(graph, http, graph.token(["dispatcher"], jurisdiction=CITY), pages=6)
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == 60  # six pages, none repeated
    assert len({n["system"] for n in nodes}) >= 4
    tickets = [n for n in nodes if n["system"] == "HOTLINE" and n["petitioner"] and n["petitioner"]["phone"]]
    assert tickets and all("****" in t["petitioner"]["phone"] for t in tickets)  # masked
    petitions = [n for n in nodes if n["system"] == "PETITION"]
    assert petitions and all(p["status"] and p["title"] is None for p in petitions)  # existence, status, unit
    assert {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}


async def test_the_dispatcher_reads_notes_and_warnings_the_unit_reads_neither_notes_nor_others(
    graph: Graph, http: aiohttp.ClientSession
) -> None:
    handler = graph.token(["unit_handler"], unit=UNIT)
    nodes, _ = await _pages(graph, http, handler, pages=3, size=20)
    assert nodes
    for node in nodes:  # only what the unit leads or co-handles
        lead = node.get("leadUnit") or {}
        units = {lead.get("code"), *(u["code"] for u in node.get("coUnits") or [])}
        assert node["system"] in ("MSGBOARD", "SUGGESTION") or UNIT in units, node
    ticket = next(n for n in nodes if n["system"] == "HOTLINE")
    theirs = (await graph.ask(http, handler, TRACK, id=ticket["id"]))["data"]["appeal"]
    dispatcher = graph.token(["dispatcher"], jurisdiction=CITY)
    centre = (await graph.ask(http, dispatcher, TRACK, id=ticket["id"]))["data"]["appeal"]
    assert [n["reached"] for n in theirs["timeline"]] == [n["reached"] for n in centre["timeline"]]
    assert all(e["note"] is None for n in theirs["timeline"] for e in n["events"])
    assert any(e["note"] for n in centre["timeline"] for e in n["events"])
    assert centre["warning"] is not None


async def test_the_operator_sees_nothing_registered_by_others_and_no_view_without_a_call(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    operator = graph.token(["operator"], sub="op-without-calls", jurisdiction=CITY)
    nodes, _ = await _pages(graph, http, operator, pages=2, size=20)
    assert nodes and {n["system"] for n in nodes} <= {"PETITION", "MSGBOARD"}  # petitions reduced, board public
    assert all(n["title"] is None for n in nodes if n["system"] == "PETITION")
    person = world.persons_in_systems(3)[0]
    view = await graph.ask(http, operator, VIEW, phone=person.phone)
    assert view["data"]["citizen"]["appeals"]["nodes"] == []


async def test_the_petition_desk_reads_petitions_in_full(graph: Graph, http: aiohttp.ClientSession) -> None:
    nodes, errors = await _pages(graph, http, graph.token(["petition_officer"], jurisdiction=CITY), pages=2, size=20)
    petitions = [n for n in nodes if n["system"] == "PETITION"]
    assert petitions and all(p["title"] for p in petitions) and errors == []


async def test_the_citizen_finds_their_own_appeals_and_the_public_board_only(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    person = world.persons_in_systems(3)[0]
    me = graph.token(["citizen"], person_key=person_key(SECRET, phone=person.phone), sub="me")
    nodes, _ = await _pages(graph, http, me, pages=3, size=50)
    own = [n for n in nodes if n["system"] != "MSGBOARD"]
    assert own and all(n["petitioner"]["phone"] == person.phone for n in own if n["system"] == "HOTLINE")
    ticket = own[0]
    tracked = (await graph.ask(http, me, TRACK, id=ticket["id"]))["data"]["appeal"]
    assert tracked["warning"] is None and tracked["timeline"][0]["reached"]
