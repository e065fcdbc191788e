"""信访工作条例 rules on the petition itself, asked through the gateway by the petition desk: the Art 22 channel,
the Art 23 objection window in working days, and whether the same matter bars accepting it again (Art 19 ¶3 while
the first is handled, Art 36 once it was closed after 复核)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.petition import NewPetition, PetitionClient
from resolvers.calendar import calendar_for
from resolvers.domain import UnitRef
from tests.support.deployment import Graph, running_graph

UNIT = UnitRef("U-ZF-0102", "芙蓉区住房和城乡建设局")
QUERY = """query($id: ID!) {
  petition(id: $id) { id routeChannel routedAt remitObjectionDueAt acceptanceBar }
}"""


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
    await close_shared_session()


def _client(graph: Graph) -> PetitionClient:
    return PetitionClient(
        AdapterOptions(base_url=graph.standins["petition"], username="minyi-service", password="minyi-service-pass")
    )


def _letter(phone: str, content: str, purpose: str = "申诉求决类") -> NewPetition:
    return NewPetition(
        form="来信",
        petitioner_name="钱多多",
        petitioner_sex="男",
        phone=phone,
        address="长沙市芙蓉区某路2号",
        title="小区物业擅自提高停车费",
        content=content,
        purpose=purpose,
        location_code="430102001001",
    )


async def _ask(graph: Graph, http: aiohttp.ClientSession, number: str) -> dict[str, Any]:
    token = graph.token(["petition_officer"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    body = await graph.ask(http, token, QUERY, id=f"petition:{number}")
    assert "errors" not in body, body
    petition: dict[str, Any] = body["data"]["petition"]
    return petition


async def test_the_same_matter_is_barred_while_handled_and_for_good_after_recheck(
    graph: Graph, http: aiohttp.ClientSession
) -> None:
    client = _client(graph)
    text = "反映芙蓉区某小区物业擅自提高停车费，业主多次协商无果，请求查处。"
    first = await client.register(_letter("13607310011", text))
    await client.route(first.petition_no, assign=True, unit=UNIT)
    await client.accept(first.petition_no)
    again = await client.register(
        _letter("136-0731-0011", "芙蓉区某小区物业擅自提高停车费！业主多次协商无果，请求查处")
    )
    other = await client.register(_letter("13607310011", "楼下餐馆油烟扰民，晚上十点后仍在营业。"))
    assert (await _ask(graph, http, again.petition_no))["acceptanceBar"] == "BEING_HANDLED"
    assert (await _ask(graph, http, other.petition_no))["acceptanceBar"] is None
    assert (await _ask(graph, http, first.petition_no))["acceptanceBar"] is None  # nothing before it

    await client.issue_opinion(first.petition_no, outcome="不予支持", text="经查，收费经备案。")
    await client.request_review(first.petition_no)
    await client.decide_review(first.petition_no, text="维持原意见。")
    await client.request_review(first.petition_no, recheck=True)
    await client.decide_review(first.petition_no, text="维持复查意见。")
    assert (await _ask(graph, http, again.petition_no))["acceptanceBar"] == "CLOSED_AFTER_RECHECK"


async def test_channel_and_the_objection_window(graph: Graph, http: aiohttp.ClientSession) -> None:
    from datetime import datetime

    client = _client(graph)
    accusation = await client.register(_letter("13607310022", "举报街道干部收受好处费", purpose="检举控告类"))
    court = await client.register(_letter("13607310033", "对区法院的民事判决不服，请求再审"))
    routed = await client.route(court.petition_no, assign=False, unit=UNIT)
    assert (await _ask(graph, http, accusation.petition_no))["routeChannel"] == "DISCIPLINE"
    answer = await _ask(graph, http, court.petition_no)
    assert answer["routeChannel"] == "POLITICAL_LEGAL"
    assert routed.routed_at is not None
    due = datetime.fromisoformat(answer["remitObjectionDueAt"])
    assert due.replace(tzinfo=None) == calendar_for().add_workdays(routed.routed_at, 5)
    assert (await _ask(graph, http, accusation.petition_no))["remitObjectionDueAt"] is None  # not routed yet
