"""The hotline subgraph over real HTTP, reading through to the hotline stand-in over loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.hotline.app import create_app as create_standin
from legacy.standin import StandinOptions
from legacy.world import Person, build_world
from resolvers.domain import person_key
from subgraphs.hotline.app import create_app
from subgraphs.hotline.schema import schema
from subgraphs.settings import SubgraphSettings
from tests.support.principals import DISPATCHER, acting_as, principal_header
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

GOLDEN = Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "hotline.graphql"
SECRET = "minyi-dev-person-key-secret"
TICKET_FIELDS = """
    id system channel localNo trackingNo appealType status sourceStatus cityState receivedAt deadline
    title content confidentiality isSecret callbackSatisfied timeLimit timeLimitUnit
    category { sourceCode path } location { text adminCode12 gridCode15 }
    petitioner { personKey name phone }
    leadUnit { code name } coUnits { code name }
    unitStates { unit { code name } role state signDeadline deadline signedAt }
    events { at action unit note }
"""


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


def _subgraph(legacy_url: str, timeout_s: float = 10.0) -> BackgroundServer:
    settings = SubgraphSettings(
        legacy_url=legacy_url, legacy_timeout_s=timeout_s, redis_url="", require_internal_token=False
    )
    return serve_asgi(lambda: acting_as(create_app(settings), DISPATCHER))  # 派单员: the city queue, masked PII


@pytest.fixture(scope="module")
def subgraph(standin: BackgroundServer) -> Iterator[BackgroundServer]:
    server = _subgraph(standin.url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def person() -> Person:
    """A citizen with several hotline work orders."""
    filings = build_world(1).filings_for("hotline")
    counts: dict[str, int] = {}
    for f in filings:
        counts[f.person.phone] = counts.get(f.person.phone, 0) + 1
    return next(f.person for f in filings if counts[f.person.phone] >= 2)


async def _gql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/graphql", json={"query": query, "variables": variables or {}}) as resp,
    ):
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


async def _admin(url: str, path: str, body: Any = None) -> dict[str, Any]:
    method = "GET" if path == "/_admin/stats" else "POST"
    async with aiohttp.ClientSession() as http, http.request(method, url + path, json=body) as resp:
        answer: dict[str, Any] = await resp.json()
        return answer


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


# -- schema -------------------------------------------------------------------------------------------------


async def test_sdl_matches_the_golden_file() -> None:
    result = await schema.execute("{ _service { sdl } }")
    assert result.errors is None and result.data is not None
    sdl = result.data["_service"]["sdl"].rstrip("\n") + "\n"
    if os.environ.get("MINYI_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(sdl, encoding="utf-8")
    assert sdl == GOLDEN.read_text(encoding="utf-8"), "SDL drifted: rerun with MINYI_UPDATE_GOLDEN=1 and review"


# -- root fields --------------------------------------------------------------------------------------------


async def test_list_pages_with_cursor(subgraph: BackgroundServer) -> None:
    query = "query($after: String) { hotlineTickets(first: 5, after: $after) { items { id receivedAt } nextCursor } }"
    first = (await _gql(subgraph.url, query))["data"]["hotlineTickets"]
    second = (await _gql(subgraph.url, query, {"after": first["nextCursor"]}))["data"]["hotlineTickets"]
    both = (await _gql(subgraph.url, "{ hotlineTickets(first: 10) { items { id } } }"))["data"]["hotlineTickets"]
    assert len(first["items"]) == 5 and first["nextCursor"]
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in both["items"]]
    assert all(i["id"].startswith("hotline:") for i in both["items"])


async def test_list_ends_with_a_null_cursor(subgraph: BackgroundServer) -> None:
    query = "query($after: String) { hotlineTickets(first: 100, after: $after, status: CLOSED) { items { id } nextCursor } }"
    seen: list[str] = []
    after = None
    for _ in range(5):
        page = (await _gql(subgraph.url, query, {"after": after}))["data"]["hotlineTickets"]
        seen += [i["id"] for i in page["items"]]
        after = page["nextCursor"]
        if after is None:
            break
    assert after is None and len(seen) == len(set(seen)) > 100


@pytest.mark.parametrize("status", ["PENDING_SIGN", "HANDLING", "VISIT", "CLOSED", "ACCEPTED"])
async def test_list_by_unified_status(subgraph: BackgroundServer, status: str) -> None:
    body = await _gql(
        subgraph.url, f"{{ hotlineTickets(first: 50, status: {status}) {{ items {{ status cityState }} }} }}"
    )
    items = body["data"]["hotlineTickets"]["items"]
    assert items and {i["status"] for i in items} == {status}


async def test_status_no_hotline_order_has_is_an_empty_page_without_a_legacy_call(
    subgraph: BackgroundServer, standin: BackgroundServer
) -> None:
    await _admin(standin.url, "/_admin/reset")
    body = await _gql(subgraph.url, "{ hotlineTickets(status: REVIEW) { items { id } nextCursor } }")
    assert body["data"]["hotlineTickets"] == {"items": [], "nextCursor": None}
    assert (await _admin(standin.url, "/_admin/stats"))["requests"] == 0


async def test_one_ticket_is_masked_and_complete(subgraph: BackgroundServer, person: Person) -> None:
    search = await _gql(
        subgraph.url, "query($p: String) { searchHotlineTickets(phone: $p) { items { id } } }", {"p": person.phone}
    )
    ticket_id = search["data"]["searchHotlineTickets"]["items"][0]["id"]
    async with aiohttp.ClientSession() as http:
        query = f'{{ hotlineTicket(id: "{ticket_id}") {{ {TICKET_FIELDS} }} }}'
        async with http.post(f"{subgraph.url}/graphql", json={"query": query}) as resp:
            text = await resp.text()
    assert person.phone not in text and person.id_number not in text  # never a raw number
    ticket = (await _gql(subgraph.url, query))["data"]["hotlineTicket"]
    assert ticket["id"] == ticket_id and ticket["system"] == "HOTLINE" and ticket["localNo"] == ticket_id[8:]
    assert ticket["sourceStatus"] == ticket["cityState"]
    assert ticket["petitioner"]["personKey"] == person_key(SECRET.encode(), phone=person.phone)
    if not ticket["isSecret"]:
        assert ticket["petitioner"]["phone"] == person.phone[:3] + "****" + person.phone[-4:]
        assert ticket["petitioner"]["name"] == person.name[0] + ("先生" if person.sex == "男" else "女士")
    assert ticket["events"][0]["action"] == "登记"


async def test_secret_tickets_withhold_even_the_masked_petitioner(subgraph: BackgroundServer) -> None:
    body = await _gql(
        subgraph.url,
        "{ hotlineTickets(first: 100) { items { isSecret confidentiality petitioner { personKey name phone } } } }",
    )
    secret = [i for i in body["data"]["hotlineTickets"]["items"] if i["isSecret"]]
    # 保密; a 举报 that names whom it is about is an ACCUSATION (the same protection, and the accused never sees it)
    assert secret and all(i["confidentiality"] in ("SECRET", "ACCUSATION") for i in secret)
    assert {i["confidentiality"] for i in secret} == {"SECRET", "ACCUSATION"}
    assert all(i["petitioner"]["name"] is None and i["petitioner"]["phone"] is None for i in secret)
    assert all(i["petitioner"]["personKey"] for i in secret)


async def test_unknown_ticket_is_null_and_malformed_id_is_bad_input(subgraph: BackgroundServer) -> None:
    body = await _gql(
        subgraph.url,
        '{ a: hotlineTicket(id: "hotline:20000101000001") { id } b: hotlineTicket(id: "petition:1") { id } c: hotlineTicket(id: "hotline:12") { id } }',
    )
    assert body["data"] == {"a": None, "b": None, "c": None}
    assert sorted(e["path"][0] for e in body["errors"]) == ["b", "c"]
    assert set(_codes(body)) == {"BAD_USER_INPUT"}


async def test_search_by_phone_and_by_text(subgraph: BackgroundServer, person: Person) -> None:
    query = "query($p: String, $t: String) { searchHotlineTickets(phone: $p, text: $t, first: 100) { items { title petitioner { personKey } } } }"
    mine = (await _gql(subgraph.url, query, {"p": person.phone}))["data"]["searchHotlineTickets"]["items"]
    key = person_key(SECRET.encode(), phone=person.phone)
    assert len(mine) >= 2 and {i["petitioner"]["personKey"] for i in mine} == {key}
    words = (await _gql(subgraph.url, query, {"t": "油烟"}))["data"]["searchHotlineTickets"]["items"]
    assert words and all("油烟" in i["title"] for i in words)


@pytest.mark.parametrize(
    "query",
    [
        "{ hotlineTickets(first: 101) { items { id } } }",
        "{ hotlineTickets(first: 0) { items { id } } }",
        '{ hotlineTickets(after: "!!") { items { id } } }',
        "{ searchHotlineTickets { items { id } } }",
        "{ citizen { personKey } }",
    ],
)
async def test_bad_arguments_are_bad_user_input(subgraph: BackgroundServer, query: str) -> None:
    body = await _gql(subgraph.url, query)
    assert _codes(body) == ["BAD_USER_INPUT"]
    assert next(iter(body["data"].values())) is None


# -- entities -----------------------------------------------------------------------------------------------

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on HotlineTicket { id status } ... on Citizen { personKey hotlineTickets { id } } } }"


async def test_hundred_entities_take_one_login_and_one_batch(standin: BackgroundServer) -> None:
    listing = await _gql_direct(standin)
    reps = [{"__typename": "HotlineTicket", "id": f"hotline:{n}"} for n in listing]
    fresh = _subgraph(standin.url)  # a new process: its first call logs in
    try:
        await _admin(standin.url, "/_admin/reset")
        body = await _gql(fresh.url, ENTITIES, {"r": reps})
        stats = await _admin(standin.url, "/_admin/stats")
    finally:
        fresh.stop()
    assert "errors" not in body and [e["id"] for e in body["data"]["_entities"]] == [r["id"] for r in reps]
    assert stats["requests"] <= 2
    assert stats["by_route"] == {"POST /api/auth/login": 1, "GET /api/gd/batch": 1}


async def _standin_rows(standin: BackgroundServer) -> list[dict[str, Any]]:
    """The newest 100 work orders, read straight from the stand-in (pinyin fields)."""
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{standin.url}/api/auth/login", json={"yhm": "minyi-service", "mm": "minyi-service-pass"}
        ) as resp:
            token = (await resp.json())["data"]["token"]
        params = {"pageSize": "100"}
        async with http.get(f"{standin.url}/api/gd/list", params=params, headers={"X-Session-Token": token}) as resp:
            rows: list[dict[str, Any]] = (await resp.json())["data"]["rows"]
    return rows


async def _gql_direct(standin: BackgroundServer) -> list[str]:
    """100 distinct work order numbers, read straight from the stand-in."""
    return [r["gdbh"] for r in await _standin_rows(standin)]


async def _gql_as(url: str, claims: dict[str, Any], query: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/graphql", json={"query": query}, headers=principal_header(claims)) as resp,
    ):
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


@pytest.mark.parametrize("operator", ["operator", "zx1002"])  # the demo operator (auth/users.py), another one
async def test_an_operator_sees_exactly_the_orders_they_registered(
    subgraph: BackgroundServer, standin: BackgroundServer, operator: str
) -> None:
    rows = await _standin_rows(standin)
    mine = {f"hotline:{r['gdbh']}" for r in rows if r["zxgh"] == operator}
    others = {f"hotline:{r['gdbh']}" for r in rows} - mine
    assert mine and others
    claims = {"sub": operator, "roles": ["operator"]}
    query = "{ hotlineTickets(first: 100) { items { id status content petitioner { name phone } } } }"
    body = await _gql_as(subgraph.url, claims, query)
    assert "errors" not in body
    items = body["data"]["hotlineTickets"]["items"]
    assert {i["id"] for i in items} == mine  # the same newest 100: all of theirs, none of the others'
    assert all(i["content"] for i in items)  # full content
    after_call = [i for i in items if i["status"] != "SUBMITTED" and i["petitioner"] and i["petitioner"]["name"]]
    assert after_call and all("*" in i["petitioner"]["phone"] for i in after_call)  # masked once submitted
    other = next(iter(others))
    by_id = await _gql_as(subgraph.url, claims, f'{{ hotlineTicket(id: "{other}") {{ id }} }}')
    assert by_id["data"]["hotlineTicket"] is None  # another operator's order does not exist for them


async def test_bad_representations_fail_alone(subgraph: BackgroundServer, standin: BackgroundServer) -> None:
    good = (await _gql_direct(standin))[0]
    reps = [
        {"__typename": "HotlineTicket", "id": f"hotline:{good}"},
        {"__typename": "Petition", "id": "petition:1"},
        {"__typename": "HotlineTicket", "id": "hotline:not-a-number"},
        {"__typename": "HotlineTicket", "id": "hotline:20000101000001"},
        {"__typename": "HotlineTicket", "id": f"hotline:{good}"},
    ]
    body = await _gql(subgraph.url, ENTITIES, {"r": reps})
    entities = body["data"]["_entities"]
    assert entities[0]["id"] == entities[4]["id"] == f"hotline:{good}"
    assert entities[1] is None and entities[2] is None and entities[3] is None
    assert sorted(e["path"][1] for e in body["errors"]) == [1, 2]
    assert set(_codes(body)) == {"BAD_USER_INPUT"}
    assert "Petition" in next(e["message"] for e in body["errors"] if e["path"][1] == 1)


async def test_citizen_lists_the_persons_tickets_then_resolves_by_key(
    subgraph: BackgroundServer, person: Person
) -> None:
    query = "query($p: String) { citizen(phone: $p) { personKey hotlineTickets { id petitioner { personKey } } } }"
    citizen = (await _gql(subgraph.url, query, {"p": f"+86 {person.phone}"}))["data"]["citizen"]
    key = person_key(SECRET.encode(), phone=person.phone)
    expected = sum(1 for f in build_world(1).filings_for("hotline") if f.person.phone == person.phone)
    assert citizen["personKey"] == key and len(citizen["hotlineTickets"]) == expected >= 2
    reps = [{"__typename": "Citizen", "personKey": key}, {"__typename": "Citizen", "personKey": "0" * 32}]
    entities = (await _gql(subgraph.url, ENTITIES, {"r": reps}))["data"]["_entities"]
    assert entities[0] == {"personKey": key, "hotlineTickets": [{"id": t["id"]} for t in citizen["hotlineTickets"]]}
    assert entities[1] == {"personKey": "0" * 32, "hotlineTickets": []}


async def test_citizen_by_id_number_finds_tickets_that_carry_it(subgraph: BackgroundServer) -> None:
    world = build_world(1)
    query = "query($i: String) { citizen(idNumber: $i) { personKey hotlineTickets { id petitioner { personKey } } } }"
    found = 0
    for p in world.persons_in_systems(1)[:40]:
        tickets = (await _gql(subgraph.url, query, {"i": p.id_number.lower()}))["data"]["citizen"]["hotlineTickets"]
        found += len(tickets)
    assert found > 0  # about three in ten callers give their ID number


# -- legacy failures ----------------------------------------------------------------------------------------


async def test_legacy_down_nulls_only_the_affected_fields() -> None:
    down = _subgraph(f"http://127.0.0.1:{free_port()}")
    try:
        body = await _gql(
            down.url,
            '{ hotlineTickets { items { id } } citizen(phone: "13800138000") { personKey hotlineTickets { id } } }',
        )
        entities = await _gql(
            down.url, ENTITIES, {"r": [{"__typename": "HotlineTicket", "id": "hotline:20260101000001"}]}
        )
    finally:
        down.stop()
    assert body["data"]["hotlineTickets"] is None
    assert body["data"]["citizen"]["personKey"] and body["data"]["citizen"]["hotlineTickets"] is None
    for answer in (body, entities):
        assert answer["errors"] and all(
            e["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "HOTLINE", "retryable": True}
            for e in answer["errors"]
        )
    assert entities["data"]["_entities"] == [None]


async def test_legacy_slower_than_the_timeout_answers_in_time(standin: BackgroundServer) -> None:
    slow = _subgraph(standin.url, timeout_s=0.3)
    await _admin(standin.url, "/_admin/faults", {"hold": True})
    try:
        body = await _gql(slow.url, "{ hotlineTickets(first: 3) { items { id } } }")
        held = (await _admin(standin.url, "/_admin/stats"))["held"]
    finally:
        await _admin(standin.url, "/_admin/faults", {"hold": False})
        slow.stop()
    assert held >= 1  # the subgraph answered while the hotline still held its call: the timeout answered
    assert body["data"] == {"hotlineTickets": None}
    assert body["errors"][0]["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "HOTLINE", "retryable": True}


async def test_masked_roles_see_the_address_to_the_community_only(
    subgraph: BackgroundServer, standin: BackgroundServer
) -> None:
    rows = {f"hotline:{r['gdbh']}": r["sfdz"] for r in await _standin_rows(standin)}
    query = "{ hotlineTickets(first: 100) { items { id status location { text } } } }"
    items = (await _gql(subgraph.url, query))["data"]["hotlineTickets"]["items"]  # 派单员: masked PII
    located = [i for i in items if i["location"] and i["location"]["text"]]
    assert located and all(i["location"]["text"].endswith("社区") for i in located)
    assert all(
        rows[i["id"]].startswith(i["location"]["text"]) and rows[i["id"]] != i["location"]["text"] for i in located
    )
    # the operator on a call (暂存, PII in full) sees the whole address
    drafts = [r for r in await _standin_rows(standin) if r["zt"] == "暂存" and r["sfdz"]]
    if drafts:
        draft = drafts[0]
        claims = {"sub": draft["zxgh"], "roles": ["operator"]}
        body = await _gql_as(
            subgraph.url, claims, f'{{ hotlineTicket(id: "hotline:{draft["gdbh"]}") {{ location {{ text }} }} }}'
        )
        assert body["data"]["hotlineTicket"]["location"]["text"] == draft["sfdz"]


async def test_a_call_on_a_matter_already_being_handled_names_the_earlier_order_s_state(
    standin: BackgroundServer, subgraph: BackgroundServer
) -> None:
    """不予受理 unless new: the caller's second order of the same matter shows the first one being handled."""
    order = {
        "lxdh": "13700990001",
        "ldr": "钱七",
        "sqlx": "投诉",
        "bt": "东门垃圾堆放",
        "nr": "小区东门口垃圾堆放多日无人清运",
    }
    numbers = []
    async with aiohttp.ClientSession() as http:
        login = {"yhm": "minyi-service", "mm": "minyi-service-pass"}
        async with http.post(f"{standin.url}/api/auth/login", json=login) as resp:
            headers = {"X-Session-Token": (await resp.json())["data"]["token"]}
        for content in (order["nr"], order["nr"] + "，气味很大"):
            async with http.post(f"{standin.url}/api/gd", json={**order, "nr": content}, headers=headers) as resp:
                numbers.append((await resp.json())["data"]["gdbh"])
    query = "query($id: ID!) { hotlineTicket(id: $id) { earlierSameMatter } }"
    first, again = [(await _gql(subgraph.url, query, {"id": f"hotline:{n}"}))["data"]["hotlineTicket"] for n in numbers]
    assert (first, again) == ({"earlierSameMatter": None}, {"earlierSameMatter": "BEING_HANDLED"})
    leader = {"sub": "l", "roles": ["leader"], "jurisdiction": {"admin_codes": ["430100"]}}
    plain = f'{{ hotlineTicket(id: "hotline:{numbers[1]}") {{ earlierSameMatter }} }}'
    seen_by_leader = await _gql_as(subgraph.url, leader, plain)  # sees the order, does not decide acceptance
    assert seen_by_leader["data"] == {"hotlineTicket": {"earlierSameMatter": None}}


async def test_an_order_closed_with_a_closure_level_shows_it_as_the_closing_type(
    standin: BackgroundServer, subgraph: BackgroundServer
) -> None:
    """三级办结: the level the centre closed the order with is read back (this test closes an order, so it runs last)."""
    async with aiohttp.ClientSession() as http:
        login = {"yhm": "minyi-service", "mm": "minyi-service-pass"}
        async with http.post(f"{standin.url}/api/auth/login", json=login) as resp:
            headers = {"X-Session-Token": (await resp.json())["data"]["token"]}
        params = {"zt": "已回访", "pageSize": "1"}
        async with http.get(f"{standin.url}/api/gd/list", params=params, headers=headers) as resp:
            order_no = (await resp.json())["data"]["rows"][0]["gdbh"]
        async with http.post(
            f"{standin.url}/api/gd/{order_no}/bj", json={"bjlx": "阶段性办结"}, headers=headers
        ) as resp:
            assert (await resp.json())["code"] == 0
    query = f'{{ hotlineTicket(id: "hotline:{order_no}") {{ status closure {{ outcome outcomeText }} }} }}'
    ticket = (await _gql(subgraph.url, query))["data"]["hotlineTicket"]
    assert ticket == {"status": "CLOSED", "closure": {"outcome": "HANDLED", "outcomeText": "阶段性办结"}}
