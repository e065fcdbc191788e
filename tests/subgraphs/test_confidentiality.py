"""Confidentiality over loopback (DOMAIN.md §8): the petition and hotline subgraphs in front of their real
stand-ins, called as different principals, with the audit log in the real Redis stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from legacy.hotline.app import create_app as create_hotline_standin
from legacy.petition.app import create_app as create_petition_standin
from legacy.standin import StandinOptions
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.petition import NewPetition, PetitionClient
from resolvers.audit import AUDIT_STREAM
from resolvers.domain import UnitRef, person_key
from subgraphs.hotline.app import create_app as create_hotline_subgraph
from subgraphs.petition.app import create_app as create_petition_subgraph
from subgraphs.settings import SubgraphSettings
from tests.conftest import REDIS_URL
from tests.support.principals import acting_as, principal_header
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi

SECRET = "minyi-dev-person-key-secret"
ACCUSED = "U-JD-0102"  # the unit an accusation is about (被举报单位)
OTHER_UNIT = "U-JW-0100"
ACCUSER_PHONE = "13907310042"

DISPATCHER = {"sub": "d1", "roles": ["dispatcher"]}
OPERATOR = {"sub": "o1", "roles": ["operator"]}
PETITION_OFFICER = {"sub": "p1", "roles": ["petition_officer"]}
SUPERVISOR = {"sub": "s1", "roles": ["supervisor"], "jurisdiction": {"admin_codes": ["4301"], "grid_codes": []}}
ACCUSED_HANDLER = {"sub": "h1", "roles": ["unit_handler"], "unit": ACCUSED}
ANALYST = {"sub": "a1", "roles": ["analyst"]}


def settings(legacy_url: str) -> SubgraphSettings:
    return SubgraphSettings(
        legacy_url=legacy_url,
        legacy_timeout_s=10.0,
        legacy_max_concurrency=8,
        redis_url=REDIS_URL,
        require_internal_token=False,
    )


@pytest.fixture(scope="module")
def petition_standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_petition_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def petition(petition_standin: BackgroundServer) -> Iterator[BackgroundServer]:
    server = serve_asgi(lambda: acting_as(create_petition_subgraph(settings(petition_standin.url))))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hotline() -> Iterator[BackgroundServer]:
    standin = serve_aiohttp(lambda: create_hotline_standin(StandinOptions(seed=1)))
    server = serve_asgi(lambda: acting_as(create_hotline_subgraph(settings(standin.url))))
    yield server
    server.stop()
    standin.stop()


@pytest.fixture(autouse=True)
async def _close_session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


async def gql(server: BackgroundServer, claims: dict[str, Any] | None, query: str, **variables: Any) -> dict[str, Any]:
    headers = principal_header(claims) if claims is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{server.url}/graphql", json={"query": query, "variables": variables}, headers=headers) as resp,
    ):
        body: dict[str, Any] = await resp.json()
        return body


@pytest.fixture
async def accusation(petition_standin: BackgroundServer) -> str:
    """A 检举控告 petition against ACCUSED, routed (交办) — wrongly, the very leak §8 cites — to ACCUSED itself."""
    client = PetitionClient(
        AdapterOptions(base_url=petition_standin.url, username="minyi-service", password="minyi-service-pass")
    )
    record = await client.register(
        NewPetition(
            form="来信",
            petitioner_name="赵敏",
            petitioner_sex="女",
            phone=ACCUSER_PHONE,
            address="长沙市芙蓉区某路1号",
            title="举报街道工作人员索要好处费",
            content="街道工作人员多次索要好处费，联系电话13907310042。",
            purpose="检举控告类",
            location_code="430102001001",
            accused=ACCUSED,
        )
    )
    await client.route(record.petition_no, assign=True, unit=UnitRef(ACCUSED, "某街道办事处"))
    return f"petition:{record.petition_no}"


ONE = """query($id: ID!) { petition(id: $id) {
  id status sourceStatus leadUnit { code } title content petitioner { personKey name phone idNumber } flags { group }
} }"""


async def test_an_accusation_is_invisible_to_the_accused_unit(petition: BackgroundServer, accusation: str) -> None:
    answer = await gql(petition, ACCUSED_HANDLER, ONE, id=accusation)
    assert answer == {"data": {"petition": None}}  # not even its existence (信访工作条例 Art 30 ¶3)
    listed = await gql(petition, ACCUSED_HANDLER, "{ petitions(first: 100) { items { id } } }")
    assert accusation not in [i["id"] for i in listed["data"]["petitions"]["items"]]
    entities = await gql(
        petition,
        ACCUSED_HANDLER,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Petition { id } } }",
        r=[{"__typename": "Petition", "id": accusation}],
    )
    assert entities["data"]["_entities"] == [None]
    # the petition office sees it all, with the accuser's identity (statutory)
    officer = await gql(petition, PETITION_OFFICER, ONE, id=accusation)
    assert officer["data"]["petition"]["petitioner"]["phone"] == ACCUSER_PHONE
    assert officer["data"]["petition"]["leadUnit"] == {"code": ACCUSED}


async def test_hotline_roles_see_only_status_and_unit_of_a_petition(
    petition: BackgroundServer, accusation: str
) -> None:
    for role in (DISPATCHER, OPERATOR):
        answer = await gql(petition, role, ONE, id=accusation)
        item = answer["data"]["petition"]
        assert item["id"] == accusation and item["status"] and item["sourceStatus"]
        assert item["leadUnit"] == {"code": ACCUSED}
        assert item["title"] is item["content"] is item["petitioner"] is item["flags"] is None
        forbidden = {tuple(e["path"]) for e in answer["errors"] if e["extensions"]["code"] == "FORBIDDEN"}
        assert forbidden == {("petition", f) for f in ("title", "content", "petitioner", "flags")}
        assert "赵敏" not in str(answer) and ACCUSER_PHONE not in str(answer)


async def test_a_citizen_sees_only_their_own_appeals(petition: BackgroundServer, accusation: str) -> None:
    me = {"sub": "c1", "roles": ["citizen"], "person_key": person_key(SECRET.encode(), phone=ACCUSER_PHONE)}
    listed = await gql(petition, me, "{ petitions(first: 100) { items { id petitioner { phone } } } }")
    items = listed["data"]["petitions"]["items"]
    assert accusation in [i["id"] for i in items]  # (earlier tests filed more in the same name)
    assert {i["petitioner"]["phone"] for i in items} == {ACCUSER_PHONE}  # only their own, in full
    stranger = {"sub": "c2", "roles": ["citizen"], "person_key": person_key(SECRET.encode(), phone="13800000000")}
    assert (await gql(petition, stranger, ONE, id=accusation))["data"]["petition"] is None
    anonymous = await gql(petition, None, "{ petitions(first: 100) { items { id } } }")
    assert anonymous["data"]["petitions"]["items"] == []


async def test_an_analyst_gets_redacted_content_and_only_the_key(petition: BackgroundServer, accusation: str) -> None:
    item = (await gql(petition, ANALYST, ONE, id=accusation))["data"]["petition"]
    assert item["content"] == "街道工作人员多次索要好处费，联系电话139****0042。"
    assert item["petitioner"] is None  # 检举控告: no identity at all, not even the key


REVEAL = """mutation($id: ID!, $why: String!) {
  revealPetitionContact(appealId: $id, reason: $why) { appealId name phone auditId }
}"""


async def audit_log() -> list[dict[str, str]]:
    """The audit stream as Redis holds it (a real stream, read with XRANGE)."""
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        assert await client.type(AUDIT_STREAM) == "stream"
        rows = await client.xrange(AUDIT_STREAM)
    finally:
        await client.aclose()
    return [{str(k): str(v) for k, v in (fields or {}).items()} for _, fields in rows or []]


async def test_revealing_a_contact_is_audited_in_the_redis_stream(
    petition: BackgroundServer, accusation: str, redis: Redis
) -> None:
    granted = await gql(petition, PETITION_OFFICER, REVEAL, id=accusation, why="需电话告知受理情况")
    assert "errors" not in granted, granted
    shown = granted["data"]["revealPetitionContact"]
    assert shown["name"] == "赵敏" and shown["phone"] == ACCUSER_PHONE
    [entry] = await audit_log()
    assert entry["who"] == "p1" and entry["role"] == "petition_officer" and entry["appeal"] == accusation
    assert entry["reason"] == "需电话告知受理情况" and entry["action"] == "reveal_contact" and entry["when"]


async def test_a_refused_reveal_is_forbidden_and_recorded_as_denied(
    petition: BackgroundServer, accusation: str, redis: Redis
) -> None:
    for role in (SUPERVISOR, ACCUSED_HANDLER, DISPATCHER):  # 检举控告: no reveal without approval; never the accused
        refused = await gql(petition, role, REVEAL, id=accusation, why="想看看是谁")
        assert refused["data"] == {"revealPetitionContact": None}
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
        assert "赵敏" not in str(refused) and ACCUSER_PHONE not in str(refused)
    entries = await audit_log()
    assert [(e["who"], e["action"]) for e in entries] == [
        ("s1", "reveal_contact_denied"),
        ("h1", "reveal_contact_denied"),
        ("d1", "reveal_contact_denied"),
    ]
    anonymous = await gql(petition, None, REVEAL, id=accusation, why="想看看是谁")
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


async def test_a_dispatcher_reveals_a_hotline_callers_contact(hotline: BackgroundServer, redis: Redis) -> None:
    listed = await gql(
        hotline, DISPATCHER, "{ hotlineTickets(first: 20) { items { id isSecret petitioner { phone } } } }"
    )
    items = listed["data"]["hotlineTickets"]["items"]
    normal = next(i for i in items if not i["isSecret"] and i["petitioner"])
    assert "****" in normal["petitioner"]["phone"]  # masked in the list
    reveal = """mutation($id: ID!, $why: String!) { revealHotlineContact(appealId: $id, reason: $why) { phone } }"""
    shown = await gql(hotline, DISPATCHER, reveal, id=normal["id"], why="回访需要联系来电人")
    phone = shown["data"]["revealHotlineContact"]["phone"]
    assert phone and "*" not in phone and phone[:3] + "****" + phone[-4:] == normal["petitioner"]["phone"]
    refused = await gql(hotline, OPERATOR, reveal, id=normal["id"], why="好奇")
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert [(e["who"], e["action"], e["appeal"]) for e in await audit_log()] == [
        ("d1", "reveal_contact", normal["id"]),
        ("o1", "reveal_contact_denied", normal["id"]),
    ]
