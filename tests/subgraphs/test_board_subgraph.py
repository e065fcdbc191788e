"""The board subgraph over real HTTP, reading through to the real stand-in: BoardMessage, paging, entities,
Citizen, bad input, and a board that is down or slow."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.board.app import create_app as create_board
from legacy.standin import StandinOptions
from legacy.world import Person, World
from subgraphs.board.app import create_app
from subgraphs.settings import SubgraphSettings
from tests.support.principals import DISPATCHER, acting_as
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

GOLDEN = Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "board.graphql"
MAX_CONCURRENCY = 4


@pytest.fixture(scope="module")
def board(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_board(StandinOptions(), world=world))
    yield server
    server.stop()


def _subgraph(legacy_url: str, **settings: Any) -> BackgroundServer:
    return serve_asgi(
        lambda: acting_as(
            create_app(SubgraphSettings(legacy_url=legacy_url, require_internal_token=False, **settings)), DISPATCHER
        )
    )


@pytest.fixture(scope="module")
def subgraph(board: BackgroundServer) -> Iterator[BackgroundServer]:
    server = _subgraph(board.url, legacy_max_concurrency=MAX_CONCURRENCY)
    yield server
    server.stop()


async def gql(server: BackgroundServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/graphql", json={"query": query, "variables": variables or {}}) as resp,
    ):
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json()
        return body


async def admin(server: BackgroundServer, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as session, session.request(method, server.url + path, json=body) as resp:
        return await resp.json()


def frequent_poster(world: World) -> Person:
    counts = Counter(f.person.pid for f in world.filings_for("board"))
    pid = counts.most_common(1)[0][0]
    return next(f.person for f in world.filings_for("board") if f.person.pid == pid)


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on BoardMessage { id title status sourceStatus petitioner { personKey name phone } }
  ... on Citizen { personKey boardMessages { id forumName } } } }"""

FIELDS = """id system channel localNo trackingNo appealType category { unifiedCode sourceCode path } title content
receivedAt leadUnit { code name } coUnits { name } status sourceStatus deadline confidentiality
forumId forumName domainName typeName nickName ipProvince favNum gradeManner gradeSpeed
answerOrganization answerContent answeredAt"""


async def test_sdl_matches_the_golden_file(subgraph: BackgroundServer) -> None:
    sdl = (await gql(subgraph, "{ _service { sdl } }"))["data"]["_service"]["sdl"]
    if os.environ.get("MINYI_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(sdl + "\n", encoding="utf-8")
    assert sdl + "\n" == GOLDEN.read_text(encoding="utf-8"), "SDL drifted; MINYI_UPDATE_GOLDEN=1 rewrites it"


async def test_messages_page_newest_first_and_the_cursor_continues(subgraph: BackgroundServer, world: World) -> None:
    query = "query($a: String) { boardMessages(first: 40, after: $a) { items { id } nextCursor } }"
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        page = (await gql(subgraph, query, {"a": cursor}))["data"]["boardMessages"]
        seen += [int(item["id"].removeprefix("board:")) for item in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == sorted(set(seen), reverse=True) and len(seen) == len(world.filings_for("board"))


async def test_a_message_is_an_appeal_with_the_boards_own_fields(subgraph: BackgroundServer) -> None:
    query = f'{{ boardMessages(first: 100, state: "已办结") {{ items {{ {FIELDS} }} }} }}'
    items = (await gql(subgraph, query))["data"]["boardMessages"]["items"]
    assert items
    for item in items:
        assert item["system"] == "MSGBOARD" and item["status"] == "CLOSED" and item["sourceStatus"] == "已办结"
        assert item["id"] == f"board:{item['localNo']}" and item["trackingNo"] == item["localNo"]
        assert item["channel"] == f"board-fid:{item['forumId']}" and item["forumName"]
        assert item["confidentiality"] == "NORMAL" and item["coUnits"] == []
        assert item["leadUnit"]["name"] == item["answerOrganization"] and item["answerContent"]
        assert item["answeredAt"] and item["deadline"] > item["receivedAt"]
        assert item["category"]["sourceCode"] == item["domainName"] and item["nickName"].startswith("网友")
        assert item["appealType"] in {"CONSULT", "HELP", "COMPLAINT", "SUGGESTION"}
    assert any(i["category"]["unifiedCode"] for i in items)


async def test_one_leaders_board_and_status_filters(subgraph: BackgroundServer) -> None:
    query = "{ boardMessages(forumId: 2352, first: 100) { items { forumId forumName } } }"
    items = (await gql(subgraph, query))["data"]["boardMessages"]["items"]
    assert items and {(i["forumId"], i["forumName"]) for i in items} == {(2352, "长沙市市长")}
    query = '{ boardMessages(first: 100, state: "待回复") { items { status sourceStatus } } }'
    items = (await gql(subgraph, query))["data"]["boardMessages"]["items"]
    assert items and all(i == {"status": "PENDING_SIGN", "sourceStatus": "待回复"} for i in items)
    unknown = await gql(subgraph, "{ boardMessages(forumId: 999) { items { id } } }")
    assert unknown["data"] == {"boardMessages": None}
    assert unknown["errors"][0]["extensions"] == {"code": "NOT_FOUND", "service": "MSGBOARD", "retryable": False}


async def test_list_items_read_their_poster_only_when_asked(
    board: BackgroundServer, subgraph: BackgroundServer
) -> None:
    await admin(board, "POST", "/_admin/reset")
    listed = await gql(subgraph, "{ boardMessages(first: 5) { items { id title } } }")
    assert len(listed["data"]["boardMessages"]["items"]) == 5
    assert (await admin(board, "GET", "/_admin/stats"))["requests"] == 1
    await admin(board, "POST", "/_admin/reset")
    query = "{ boardMessages(first: 5) { items { petitioner { name phone } location { text } } } }"
    items = (await gql(subgraph, query))["data"]["boardMessages"]["items"]
    assert all(re.fullmatch(r"\d{3}\*{4}\d{4}", i["petitioner"]["phone"]) for i in items)
    assert all(i["petitioner"]["name"].endswith("某") and i["location"]["text"].endswith("社区") for i in items)
    stats = await admin(board, "GET", "/_admin/stats")
    assert stats["by_route"] == {"POST /v1/threads/queryThreadsList": 1, "POST /v1/threads/content": 5}


CITIZENS_THREADS = """query($p: String) { citizen(phone: $p) {
  boardMessages { id petitioner { PERSON } }
  boardMessagesConnection(first: 50) { nodes { id petitioner { PERSON } } } } }"""


async def test_a_citizens_own_threads_give_the_posters_phone_without_a_detail_read(
    board: BackgroundServer, subgraph: BackgroundServer, world: World
) -> None:
    person = frequent_poster(world)
    threads = sum(1 for f in world.filings_for("board") if f.person.pid == person.pid)
    await admin(board, "POST", "/_admin/reset")
    query = CITIZENS_THREADS.replace("PERSON", "personKey phone")
    lean = (await gql(subgraph, query, {"p": person.phone}))["data"]["citizen"]
    # the board filtered both lists by the citizen's phone: the poster's, so the two lists are all it is asked
    assert (await admin(board, "GET", "/_admin/stats"))["by_route"] == {"POST /v1/threads/queryThreadsList": 2}
    await admin(board, "POST", "/_admin/reset")
    full = await gql(subgraph, CITIZENS_THREADS.replace("PERSON", "personKey phone name"), {"p": person.phone})
    stats = await admin(board, "GET", "/_admin/stats")
    # the name is the submit form's, carried by the detail only: one read per distinct thread, the two lists share
    assert stats["by_route"] == {"POST /v1/threads/queryThreadsList": 2, "POST /v1/threads/content": threads}
    for field, items in (
        ("boardMessages", lambda c: c["boardMessages"]),
        ("connection", lambda c: c["boardMessagesConnection"]["nodes"]),
    ):
        lean_items, full_items = items(lean), items(full["data"]["citizen"])
        assert len(lean_items) == threads >= 2, field
        for a, b in zip(lean_items, full_items, strict=True):
            assert a["petitioner"] == {"personKey": b["petitioner"]["personKey"], "phone": b["petitioner"]["phone"]}
            assert re.fullmatch(r"\d{3}\*{4}\d{4}", a["petitioner"]["phone"])  # masked for staff, as before


async def test_a_phone_search_reads_the_detail_only_for_what_the_phone_cannot_answer(
    board: BackgroundServer, subgraph: BackgroundServer, world: World
) -> None:
    person = frequent_poster(world)
    query = "query($p: String) { searchBoardMessages(phone: $p, first: 50) { nodes { petitioner { SEL } } } }"
    await admin(board, "POST", "/_admin/reset")
    lean = await gql(subgraph, query.replace("SEL", "personKey phone"), {"p": person.phone})
    assert (await admin(board, "GET", "/_admin/stats"))["by_route"] == {"POST /v1/threads/queryThreadsList": 1}
    # a fragment may ask for anything: the detail is read, as for the name or the location
    await admin(board, "POST", "/_admin/reset")
    spread = await gql(subgraph, query.replace("SEL", "personKey phone ... on PersonRef { name }"), {"p": person.phone})
    nodes = spread["data"]["searchBoardMessages"]["nodes"]
    stats = await admin(board, "GET", "/_admin/stats")
    assert stats["by_route"] == {"POST /v1/threads/queryThreadsList": 1, "POST /v1/threads/content": len(nodes)}
    assert all(n["petitioner"]["name"] for n in nodes)
    assert [n["petitioner"]["personKey"] for n in nodes] == [
        n["petitioner"]["personKey"] for n in lean["data"]["searchBoardMessages"]["nodes"]
    ]


async def test_entities_read_each_distinct_thread_once_with_bounded_concurrency(
    board: BackgroundServer, subgraph: BackgroundServer
) -> None:
    listed = await gql(subgraph, "{ boardMessages(first: 60) { items { id } } }")
    ids = [i["id"] for i in listed["data"]["boardMessages"]["items"]]
    wanted = ids + ids[:40]  # 100 representations, 40 of them repeated
    await admin(board, "POST", "/_admin/reset")
    await admin(board, "POST", "/_admin/probes", {"hold_ms": 15})
    try:
        result = await gql(subgraph, ENTITIES, {"r": [{"__typename": "BoardMessage", "id": i} for i in wanted]})
    finally:
        probes = await admin(board, "GET", "/_admin/probes")
        await admin(board, "POST", "/_admin/probes", {"hold_ms": 0})
    assert "errors" not in result, result
    entities = result["data"]["_entities"]
    assert [e["id"] for e in entities] == wanted
    assert all(e["petitioner"]["personKey"] and "****" in e["petitioner"]["phone"] for e in entities)
    stats = await admin(board, "GET", "/_admin/stats")
    assert stats == {"requests": 60, "by_route": {"POST /v1/threads/content": 60}, "held": 0}
    assert probes["detail_reads"] == {i.removeprefix("board:"): 1 for i in ids}  # never an id twice
    assert 2 <= probes["max_in_flight"] <= MAX_CONCURRENCY


async def test_bad_representations_fail_alone(subgraph: BackgroundServer) -> None:
    listed = await gql(subgraph, "{ boardMessages(first: 1) { items { id } } }")
    good = listed["data"]["boardMessages"]["items"][0]["id"]
    reps = [
        {"__typename": "BoardMessage", "id": good},
        {"__typename": "HotlineTicket", "id": "hotline:1"},
        {"__typename": "BoardMessage", "id": "board:abc"},
        {"__typename": "BoardMessage", "id": "hotline:123"},
        {"__typename": "BoardMessage", "id": "board:1"},  # well formed, not on the board
        {"__typename": "BoardMessage", "id": good},
    ]
    result = await gql(subgraph, ENTITIES, {"r": reps})
    data = result["data"]["_entities"]
    assert data[0]["id"] == good and data[5]["id"] == good
    assert data[1] is None and data[2] is None and data[3] is None and data[4] is None
    errors = {e["path"][1]: e for e in result["errors"]}
    assert set(errors) == {1, 2, 3}
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors.values())
    assert "unknown __typename 'HotlineTicket'" in errors[1]["message"]
    assert "malformed board id 'board:abc'" in errors[2]["message"]


async def test_bad_arguments_are_clear_errors_and_the_rest_is_answered(subgraph: BackgroundServer) -> None:
    query = """{ big: boardMessages(first: 101) { items { id } }
      odd: boardMessages(state: "审核中") { items { id } }
      cursor: boardMessages(after: "%%%") { items { id } }
      none: searchBoardMessages { items { id } }
      one: boardMessage(id: "board:x") { id }
      fine: boardMessages(first: 2) { items { id } } }"""
    result = await gql(subgraph, query)
    assert len(result["data"]["fine"]["items"]) == 2
    assert all(result["data"][k] is None for k in ("big", "odd", "cursor", "none", "one"))
    errors = {e["path"][0]: e for e in result["errors"]}
    assert set(errors) == {"big", "odd", "cursor", "none", "one"}
    assert all(
        e["extensions"] == {"code": "BAD_USER_INPUT", "retryable": False, "service": "MSGBOARD"}
        for e in errors.values()
    )
    assert "first must be between 1 and 100" in errors["big"]["message"]
    assert "unknown board state '审核中'" in errors["odd"]["message"]


async def test_one_message_and_search_by_text_or_phone(subgraph: BackgroundServer, world: World) -> None:
    person = frequent_poster(world)
    own = sum(1 for f in world.filings_for("board") if f.person.pid == person.pid)
    query = """query($p: String) { byPhone: searchBoardMessages(phone: $p) { items { id title } nextCursor }
      byText: searchBoardMessages(text: "油烟", first: 100) { items { title content } } }"""
    result = await gql(subgraph, query, {"p": person.phone})
    found = result["data"]["byPhone"]["items"]
    assert len(found) == own and result["data"]["byPhone"]["nextCursor"] is None
    assert all("油烟" in i["title"] + i["content"] for i in result["data"]["byText"]["items"])
    one = await gql(subgraph, "query($id: ID!) { boardMessage(id: $id) { id title } }", {"id": found[0]["id"]})
    assert one["data"]["boardMessage"] == found[0]
    gone = await gql(subgraph, '{ boardMessage(id: "board:1") { id } }')
    assert gone == {"data": {"boardMessage": None}}


async def test_a_citizen_by_phone_and_by_person_key(subgraph: BackgroundServer, world: World) -> None:
    person = frequent_poster(world)
    expected = sum(1 for f in world.filings_for("board") if f.person.pid == person.pid)
    query = "query($p: String) { citizen(phone: $p) { personKey boardMessages { id forumName } } }"
    citizen = (await gql(subgraph, query, {"p": person.phone}))["data"]["citizen"]
    assert len(citizen["boardMessages"]) == expected >= 2
    reps = [
        {"__typename": "Citizen", "personKey": citizen["personKey"]},
        {"__typename": "Citizen", "personKey": "0" * 32},  # nobody the directory knows
    ]
    result = await gql(subgraph, ENTITIES, {"r": reps})
    assert "errors" not in result, result
    known, unknown = result["data"]["_entities"]
    assert known == citizen
    assert unknown == {"personKey": "0" * 32, "boardMessages": []}
    by_id = await gql(subgraph, "query($i: String) { citizen(idNumber: $i) { boardMessages { id } } }", {"i": "x"})
    assert by_id["data"]["citizen"]["boardMessages"] == []  # the board knows people by phone only
    neither = await gql(subgraph, "{ citizen { personKey } }")
    assert neither["data"]["citizen"] is None and neither["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_board_that_is_down_costs_only_its_fields() -> None:
    down = _subgraph(f"http://127.0.0.1:{free_port()}")
    try:
        query = """query($r: [_Any!]!) { boardMessages(first: 3) { items { id } }
          _entities(representations: $r) { ... on BoardMessage { id } } }"""
        result = await gql(down, query, {"r": [{"__typename": "BoardMessage", "id": "board:5"}]})
    finally:
        down.stop()
    assert result["data"] == {"boardMessages": None, "_entities": [None]}
    assert {tuple(e["path"]) for e in result["errors"]} == {("boardMessages",), ("_entities", 0)}
    assert all(
        e["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "MSGBOARD", "retryable": True}
        for e in result["errors"]
    )


async def test_a_board_slower_than_the_timeout_is_unavailable_within_it(board: BackgroundServer) -> None:
    slow = _subgraph(board.url, legacy_timeout_s=0.3)
    await admin(board, "POST", "/_admin/faults", {"hold": True})
    try:
        result = await gql(
            slow, '{ boardMessages(first: 2) { items { id } } ok: citizen(phone: "13800000000") { personKey } }'
        )
        held = (await admin(board, "GET", "/_admin/stats"))["held"]
    finally:
        await admin(board, "POST", "/_admin/faults", {"hold": False})
        slow.stop()
    assert held >= 1  # the subgraph answered while the board still held its call: the timeout answered
    assert result["data"]["boardMessages"] is None and result["data"]["ok"]["personKey"]
    [error] = result["errors"]
    assert error["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "MSGBOARD", "retryable": True}
    assert error["message"] == "The message board did not answer in time; try again later."
