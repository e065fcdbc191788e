"""Personal data in free text and the citizen's view of a reply, asked through the gateway as each role would.

The whole graph on loopback (:mod:`tests.support.deployment`). A 检举控告 letter whose text carries the accuser's
name, phone and ID number: every role that sees the accuser masked (the handling unit, the supervisor, the leader,
the analyst) reads the text with those masked — the number never reaches a handling unit through the text — and
the petition desk, which holds the identity by statute, reads it as written. A hotline reply under the centre's
audit is withheld from the citizen who called and shown to staff; after the audit the citizen reads it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.petition import NewPetition, PetitionClient
from resolvers.domain import UnitRef, person_key
from tests.support.deployment import Graph, running_graph

SECRET = b"minyi-dev-person-key-secret"
ACCUSER_PHONE = "13907310042"
ACCUSER_ID = "11010519491231002X"
LEAD = "U-JW-0102"  # the unit the petition office named
TEXT = f"我叫赵敏，联系电话{ACCUSER_PHONE}，身份证{ACCUSER_ID}，举报街道工作人员多次索要好处费。"
CITY = {"admin_codes": ["430100"], "grid_codes": []}
ONE = "query($id: ID!) { petition(id: $id) { id title content } }"


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
    await close_shared_session()


@pytest.fixture
async def accusation(graph: Graph) -> str:
    client = PetitionClient(
        AdapterOptions(base_url=graph.standins["petition"], username="minyi-service", password="minyi-service-pass")
    )
    record = await client.register(
        NewPetition(
            form="来信",
            petitioner_name="赵敏",
            petitioner_sex="女",
            phone=ACCUSER_PHONE,
            address="长沙市芙蓉区某路1号",
            title=f"举报索要好处费（联系人赵敏{ACCUSER_PHONE}）",
            content=TEXT,
            purpose="检举控告类",
            location_code="430102001001",
            accused="某街道办工作人员",
        )
    )
    await client.route(record.petition_no, assign=True, unit=UnitRef(LEAD, "芙蓉区纪委监委"))
    return f"petition:{record.petition_no}"


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": ["unit_handler"], "unit": LEAD},
        {"roles": ["supervisor"], "jurisdiction": CITY},
        {"roles": ["leader"], "jurisdiction": CITY},
        {"roles": ["analyst"]},
    ],
    ids=["承办单位", "督办员", "领导", "分析员"],
)
async def test_the_accusers_identity_never_travels_in_the_text(
    graph: Graph, http: aiohttp.ClientSession, accusation: str, claims: dict[str, Any]
) -> None:
    roles = claims.pop("roles")
    body = await graph.ask(http, graph.token(roles, **claims), ONE, id=accusation)
    item = body["data"]["petition"]
    assert item is not None, body
    shown = item["title"] + item["content"]
    assert ACCUSER_PHONE not in shown and ACCUSER_ID not in shown and "赵敏" not in shown
    assert "139****0042" in item["content"] and "110105********002X" in item["content"]
    assert item["content"].endswith("举报街道工作人员多次索要好处费。")  # the rest of the wording is kept


async def test_the_petition_desk_reads_the_letter_as_written(
    graph: Graph, http: aiohttp.ClientSession, accusation: str
) -> None:
    body = await graph.ask(http, graph.token(["petition_officer"], jurisdiction=CITY), ONE, id=accusation)
    assert body["data"]["petition"]["content"] == TEXT


TICKETS = (
    "query($s: UnifiedStatus!) { hotlineTickets(first: 100, filter: {statuses: [$s]}) "
    "{ nodes { id reply { text } sourceStatus } } }"
)
REVEAL = 'mutation($id: ID!) { revealHotlineContact(appealId: $id, reason: "核对来电人") { phone } }'
TICKET = "query($id: ID!) { hotlineTicket(id: $id) { id reply { text } status } }"


async def _caller_token(graph: Graph, http: aiohttp.ClientSession, dispatcher: str, ticket: str) -> str:
    body = await graph.ask(http, dispatcher, REVEAL, id=ticket)
    phone = body["data"]["revealHotlineContact"]["phone"]
    return graph.token(["citizen"], person_key=person_key(SECRET, phone=phone), sub="caller")


async def test_a_reply_reaches_the_citizen_only_after_the_audit(graph: Graph, http: aiohttp.ClientSession) -> None:
    dispatcher = graph.token(["dispatcher"], jurisdiction=CITY)
    under_audit = (await graph.ask(http, dispatcher, TICKETS, s="AUDIT"))["data"]["hotlineTickets"]["nodes"]
    audited = (await graph.ask(http, dispatcher, TICKETS, s="CLOSED"))["data"]["hotlineTickets"]["nodes"]
    waiting = next(t for t in under_audit if t["reply"] and t["reply"]["text"])
    done = next(t for t in audited if t["reply"] and t["reply"]["text"])
    for ticket, released in ((waiting, False), (done, True)):
        citizen = await _caller_token(graph, http, dispatcher, ticket["id"])
        seen = (await graph.ask(http, citizen, TICKET, id=ticket["id"]))["data"]["hotlineTicket"]
        assert seen is not None and seen["id"] == ticket["id"]
        assert (seen["reply"] is not None and seen["reply"]["text"] is not None) is released, (ticket, seen)
