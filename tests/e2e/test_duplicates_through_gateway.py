"""智能判重 through the gateway: duplicates, clusters, 重合件 and the 一人多投 file, role by role.

The whole graph runs on loopback; the duplicate index is rebuilt from the stand-ins first (as ``minyi index
rebuild`` does). A supervisor sees a person's matters merged across systems and the repeat filers of the seeded
city on the file; a hotline role sees of an overlapping petition only that it exists, its status and unit; the
file is refused to everyone but supervisors and the petition desk; and an accused unit never meets an accusation
about itself, not even as another appeal's duplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from legacy.world import World
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.petition import NewPetition, PetitionClient
from resolvers.dedupe.index import RedisIndex
from resolvers.dedupe.rebuild import rebuild_index
from resolvers.domain import UnitRef, person_key
from resolvers.persons import connect_redis
from subgraphs.appeals.app import sources_for
from subgraphs.settings import SubgraphSettings
from tests.conftest import REDIS_URL
from tests.support.deployment import Graph, running_graph

CITY = {"admin_codes": ["430100"], "grid_codes": []}
FILE = """query($phone: String!) { citizen(phone: $phone) {
  repeatProfile { isRepeatFiler mostFilings matters { count systems appeals { id } } } } }"""
VIEW = """query($phone: String!) { citizen(phone: $phone) { appeals(first: 100) { nodes { id system status
  warning { reasons { code } }
  duplicates { appeal { id system } decision score reasons }
  overlaps { id }
  cluster { id role primary { id } members { id } peopleCount } } } } }"""
OVERLAPS = """query($id: ID!) { appeal(id: $id) { id
  overlaps { id ... on Petition { status leadUnit { name } title } } } }"""
MATCHES = "query($id: ID!) { appeal(id: $id) { id duplicates { appeal { id } decision reasons } } }"
ACCUSED = UnitRef("43010507", "开福区城市管理和综合执法局")
ACCUSER = "13907319977"


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:

        async def rebuild() -> None:
            redis = connect_redis(REDIS_URL)
            try:
                await rebuild_index(sources_for(SubgraphSettings(legacy_urls=running.standins)), RedisIndex(redis))
            finally:
                await redis.aclose()
                await close_shared_session()

        asyncio.run(rebuild())
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
    await close_shared_session()


def _supervisor(graph: Graph) -> str:
    return graph.token(["supervisor"], jurisdiction=CITY)


async def test_the_repeat_filers_of_the_city_are_on_the_file(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    filed = {p.pid: sum(1 for f in world.filings if f.person == p) for p in world.persons}
    repeaters = [p for p in world.persons if filed[p.pid] >= 5][:3]
    once = next(p for p in world.persons if filed[p.pid] == 2)
    for person in repeaters:
        body = await graph.ask(http, _supervisor(graph), FILE, phone=person.phone)
        profile = body["data"]["citizen"]["repeatProfile"]
        assert profile["isRepeatFiler"] and profile["mostFilings"] >= 5, (person.pid, body)
        assert len(profile["matters"][0]["systems"]) >= 2  # one matter over several systems
    body = await graph.ask(http, _supervisor(graph), FILE, phone=once.phone)
    assert body["data"]["citizen"]["repeatProfile"]["isRepeatFiler"] is False


async def test_the_file_is_for_supervisors_and_the_petition_desk(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    person = world.persons[0]
    desk = await graph.ask(http, graph.token(["petition_officer"]), FILE, phone=person.phone)
    assert "errors" not in desk, desk
    me = graph.token(["citizen"], person_key=_key(person.phone), sub="me")
    own = await graph.ask(http, me, FILE, phone=person.phone)
    assert own["data"]["citizen"]["repeatProfile"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in own["errors"]] == [
        (["citizen", "repeatProfile"], "FORBIDDEN")
    ]


def _key(phone: str) -> str:
    return person_key(b"minyi-dev-person-key-secret", phone=phone)


async def _views(graph: Graph, http: aiohttp.ClientSession, token: str, world: World) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for person in world.persons[:6]:
        body = await graph.ask(http, token, VIEW, phone=person.phone)
        assert "errors" not in body, body
        nodes.extend(body["data"]["citizen"]["appeals"]["nodes"])
    return nodes


async def test_a_supervisor_sees_one_matter_merged_across_systems(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    nodes = await _views(graph, http, _supervisor(graph), world)
    merged = [
        (n, d)
        for n in nodes
        for d in n["duplicates"]
        if d["decision"] == "DUPLICATE" and d["appeal"]["system"] != n["system"]
    ]
    assert merged, "no cross-system duplicate among the repeat filers"
    node, match = merged[0]
    assert "SAME_PERSON" in match["reasons"] and 0.8 <= match["score"] <= 1
    cluster = node["cluster"]
    assert cluster["role"] in ("PRIMARY", "DUPLICATE") and cluster["id"] == f"cluster:{cluster['primary']['id']}"
    assert {node["id"], match["appeal"]["id"]} <= {m["id"] for m in cluster["members"]}
    assert any(n["overlaps"] for n in nodes)  # 重合件: open in the hotline and as a petition


async def test_overlaps_and_repeat_filers_raise_the_warning(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    nodes = await _views(graph, http, _supervisor(graph), world)  # the six repeat filers of the city
    overlapping = [n for n in nodes if n["overlaps"]]
    assert overlapping and all("OVERLAP" in {r["code"] for r in n["warning"]["reasons"]} for n in overlapping)
    still_open = [n for n in nodes if n["status"] not in ("CLOSED", "NOT_ACCEPTED", "REDIRECTED", "INVALID")]
    assert still_open and all("REPEAT_FILER" in {r["code"] for r in n["warning"]["reasons"]} for n in still_open)


async def test_a_hotline_role_sees_only_the_existence_of_an_overlapping_petition(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    nodes = await _views(graph, http, _supervisor(graph), world)
    hotline = next(n for n in nodes if n["system"] == "HOTLINE" and n["overlaps"])
    body = await graph.ask(http, graph.token(["dispatcher"], jurisdiction=CITY), OVERLAPS, id=hotline["id"])
    petitions = [o for o in body["data"]["appeal"]["overlaps"] if o["id"].startswith("petition:")]
    assert petitions and all(p["status"] and p["title"] is None for p in petitions)  # existence, status, unit
    assert {tuple(e["path"][-1:]) for e in body["errors"]} == {("title",)}
    assert all(e["extensions"]["code"] == "FORBIDDEN" for e in body["errors"])


async def _accusation(graph: Graph, title: str) -> str:
    client = PetitionClient(
        AdapterOptions(base_url=graph.standins["petition"], username="minyi-service", password="minyi-service-pass")
    )
    record = await client.register(
        NewPetition(
            form="来信",
            petitioner_name="周敏",
            phone=ACCUSER,
            address="长沙市开福区某路2号",
            title=title,
            content="举报开福区城市管理和综合执法局工作人员在执法中多次索要好处费，请依法查处。",
            purpose="检举控告类",
            location_code="430105002003",
            accused=ACCUSED.name,
        )
    )
    await client.route(record.petition_no, assign=True, unit=ACCUSED)  # routed, wrongly, to the accused itself
    return f"petition:{record.petition_no}"


async def test_an_accused_unit_never_meets_the_accusation_even_as_a_duplicate(
    graph: Graph, http: aiohttp.ClientSession
) -> None:
    first = await _accusation(graph, "举报执法人员索要好处费")
    again = await _accusation(graph, "再次举报执法人员索要好处费")
    seen = await graph.ask(http, _supervisor(graph), MATCHES, id=again)
    matches = {d["appeal"]["id"]: d for d in seen["data"]["appeal"]["duplicates"]}
    assert matches[first]["decision"] == "SUGGEST" and "ACCUSATION_NOT_MERGED" in matches[first]["reasons"]

    # the accused unit, even with a supervisor's role over the city, sees neither, nor any trace of them
    accused = graph.token(["unit_handler", "supervisor"], unit=ACCUSED.code, jurisdiction=CITY)
    for appeal in (first, again):
        assert (await graph.ask(http, accused, MATCHES, id=appeal))["data"]["appeal"] is None
    view = await graph.ask(http, accused, VIEW, phone=ACCUSER)
    shown = str(view["data"])
    assert first not in shown and again not in shown
