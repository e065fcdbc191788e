"""The suggestion subgraph over real HTTP, in front of the real suggestion stand-in."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_standin
from legacy.suggestion.seed import suggestion_rows
from legacy.world import World
from resolvers.suggestion_status import STATUS_BY_CODE, SUGGESTION_STATES
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.app import create_app
from subgraphs.suggestion.schema import schema
from tests.support.principals import DISPATCHER, acting_as
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

GOLDEN = Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "suggestion.graphql"
BATCH_ROUTE = "POST /api/v2/suggestions/batch"
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Suggestion { id localNo status sourceStatus }
  ... on Citizen { personKey suggestions { id localNo petitioner { personKey name phone } } } } }"""


@pytest.fixture(scope="module")
def standin(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin(StandinOptions(), world=world))
    yield server
    server.stop()


def settings(legacy_url: str, **overrides: Any) -> SubgraphSettings:
    return SubgraphSettings(legacy_url=legacy_url, redis_url="", require_internal_token=False, **overrides)


@pytest.fixture(scope="module")
def subgraph(standin: BackgroundServer) -> Iterator[BackgroundServer]:
    server = serve_asgi(lambda: acting_as(create_app(settings(standin.url)), DISPATCHER))
    yield server
    server.stop()


async def gql(server: BackgroundServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url + "/graphql", json={"query": query, "variables": variables or {}}) as resp,
    ):
        assert resp.status == 200
        body: dict[str, Any] = await resp.json()
        return body


async def admin(server: BackgroundServer, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as s, s.request(method, server.url + path, json=body) as r:
        return await r.json()


async def test_the_sdl_matches_the_checked_in_golden_file() -> None:
    result = await schema.execute("{ _service { sdl } }")
    assert result.errors is None and result.data is not None
    sdl = result.data["_service"]["sdl"].rstrip() + "\n"
    if os.environ.get("MINYI_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(sdl, encoding="utf-8")
    assert sdl == GOLDEN.read_text(encoding="utf-8"), "SDL drifted: rerun with MINYI_UPDATE_GOLDEN=1 and review"
    assert 'type Suggestion implements Appeal & Node @key(fields: "id")' in sdl
    assert 'type Citizen implements Node @key(fields: "personKey")' in sdl
    assert "  citizen(\n" in sdl
    assert (
        'idNumber: String = null\n  ): Citizen @authenticated @policy(policies: [["person_history"]]) @shareable' in sdl
    )


async def test_100_representations_cost_one_batch_read(
    standin: BackgroundServer, subgraph: BackgroundServer, world: World
) -> None:
    numbers = [r["jybh"] for r in suggestion_rows(world, 1)]
    reps = [{"__typename": "Suggestion", "id": f"suggestion:{numbers[n % 40]}"} for n in range(97)]
    reps += [{"__typename": "Suggestion", "id": "suggestion:JY000000000000"}] * 3
    await admin(standin, "POST", "/_admin/reset")
    await admin(standin, "POST", "/_admin/load")
    body = await gql(subgraph, ENTITIES, {"r": reps})
    stats = await admin(standin, "GET", "/_admin/stats")
    load = await admin(standin, "GET", "/_admin/load")
    assert "errors" not in body
    assert [e["id"] if e else None for e in body["data"]["_entities"]] == [
        r["id"] if r["id"] != "suggestion:JY000000000000" else None for r in reps
    ]
    assert stats["requests"] == 1 and stats["by_route"] == {BATCH_ROUTE: 1}
    assert load["batch_sizes"] == [41]  # 40 distinct + the missing one, each once


async def test_bad_representations_fail_alone(subgraph: BackgroundServer, world: World) -> None:
    number = suggestion_rows(world, 1)[0]["jybh"]
    reps = [
        {"__typename": "Suggestion", "id": f"suggestion:{number}"},
        {"__typename": "GridEvent", "id": "grid:1"},
        {"__typename": "Suggestion", "id": "board:1"},
        {"__typename": "Suggestion"},
        {"__typename": "Citizen", "personKey": 42},
    ]
    body = await gql(subgraph, ENTITIES, {"r": reps})
    data = body["data"]["_entities"]
    assert data[0]["localNo"] == number and data[1:] == [None, None, None, None]
    errors = {e["path"][1]: e for e in body["errors"]}
    assert set(errors) == {1, 2, 3, 4}
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors.values())
    assert "unknown __typename 'GridEvent'" in errors[1]["message"]
    assert "malformed suggestion id 'board:1'" in errors[2]["message"]


async def test_a_suggestion_is_an_appeal_with_its_native_fields_and_a_masked_proposer(
    subgraph: BackgroundServer, world: World
) -> None:
    query = """{ suggestions(status: "已激励", first: 1) { items {
      id system channel localNo trackingNo appealType status sourceStatus receivedAt deadline confidentiality
      title content category { unifiedCode sourceCode path } location { text adminCode12 gridCode15 }
      petitioner { personKey name phone } leadUnit { code name } coUnits { name }
      sourceChannel rejectReason assignedAt reply { text repliedAt unit { code } } adopted adoption
      satisfaction { level score } closure { outcome outcomeText } dueAt rewardPoints } } }"""
    body = await gql(subgraph, query)
    [item] = body["data"]["suggestions"]["items"]
    assert item["id"] == f"suggestion:{item['localNo']}" and item["localNo"] == item["trackingNo"]
    assert item["system"] == "SUGGESTION" and item["appealType"] == "SUGGESTION"
    assert item["status"] == "CLOSED" and item["sourceStatus"] == "已激励"
    assert item["adopted"] is True and item["adoption"] in ("采纳", "部分采纳") and item["rewardPoints"] > 0
    assert item["channel"] in ("wechat", "web", "hotline", "letter") and item["sourceChannel"]
    assert item["category"]["unifiedCode"] == item["category"]["path"][0] and item["leadUnit"]["code"]
    assert item["deadline"] == item["dueAt"] and item["dueAt"].endswith("T23:59:59+08:00")
    reply = item["reply"]
    assert reply["text"] and reply["repliedAt"].endswith("+08:00")
    assert reply["unit"]["code"] == item["leadUnit"]["code"] and item["assignedAt"]
    assert item["closure"]["outcome"] in ("SUPPORTED", "PARTLY_SUPPORTED")
    assert item["closure"]["outcomeText"] == item["adoption"]
    assert item["satisfaction"] is None or 1 <= item["satisfaction"]["score"] <= 5
    assert item["confidentiality"] == "NORMAL" and item["coUnits"] == [] and item["rejectReason"] is None
    assert "****" in item["petitioner"]["phone"] and item["petitioner"]["name"][1:] in ("先生", "女士")
    phones = {f.person.phone for f in world.filings}
    assert not any(p in str(body) for p in phones)  # no raw phone number anywhere


async def test_every_status_maps_to_its_unified_status(subgraph: BackgroundServer) -> None:
    fields = " ".join(
        f's{n}: suggestions(status: "{name}", first: 3) {{ items {{ status sourceStatus }} }}'
        for n, name in enumerate(SUGGESTION_STATES)
    )
    body = await gql(subgraph, "{ " + fields + " }")
    for n, (name, code) in enumerate(SUGGESTION_STATES.items()):
        items = body["data"][f"s{n}"]["items"]
        assert items, name  # the seed holds every state
        assert {(i["sourceStatus"], i["status"]) for i in items} == {(name, STATUS_BY_CODE[code].value)}


async def test_lists_page_with_cursors_to_the_end(subgraph: BackgroundServer) -> None:
    query = "query($a: String, $n: Int) { suggestions(first: $n, after: $a) { items { id } nextCursor } }"
    seen: list[str] = []
    cursor: str | None = None
    for size in (7, 30, 13, 20):  # sizes change between pages: the offsets stay right
        page = (await gql(subgraph, query, {"a": cursor, "n": size}))["data"]["suggestions"]
        seen += [i["id"] for i in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert cursor is None and len(seen) == len(set(seen)) == 60


async def test_search_by_text_and_by_phone(subgraph: BackgroundServer, world: World) -> None:
    query = "query($t: String, $p: String) { searchSuggestions(text: $t, phone: $p, first: 100) { items { title } } }"
    body = await gql(subgraph, query, {"t": "红绿灯"})
    items = body["data"]["searchSuggestions"]["items"]
    assert items and all("红绿灯" in i["title"] for i in items)
    row = suggestion_rows(world, 1)[0]
    digits = row["lxdh"].replace("-", "")
    body = await gql(subgraph, query, {"p": f"{digits[:3]} {digits[3:7]} {digits[7:]}"})
    mine = [r for r in suggestion_rows(world, 1) if r["lxdh"].replace("-", "") == digits]
    assert sorted(i["title"] for i in body["data"]["searchSuggestions"]["items"]) == sorted(r["jybt"] for r in mine)


async def test_bad_arguments_are_clear_errors_and_the_rest_is_answered(
    subgraph: BackgroundServer, world: World
) -> None:
    number = suggestion_rows(world, 1)[0]["jybh"]
    query = """query($id: ID!) { big: suggestions(first: 1000) { items { id } }
      zero: suggestions(first: 0) { items { id } }
      state: suggestions(status: "已完成") { items { id } }
      cursor: suggestions(after: "%%%") { items { id } }
      nothing: searchSuggestions { items { id } }
      phone: searchSuggestions(phone: "12") { items { id } }
      wrong: suggestion(id: "petition:1") { id }
      gone: suggestion(id: "suggestion:JY000000000000") { id }
      ok: suggestion(id: $id) { id } }"""
    body = await gql(subgraph, query, {"id": f"suggestion:{number}"})
    data = body["data"]
    assert data["ok"] == {"id": f"suggestion:{number}"} and data["gone"] is None
    failed = {"big", "zero", "state", "cursor", "nothing", "phone", "wrong"}
    assert all(data[k] is None for k in failed)
    errors = {e["path"][0]: e for e in body["errors"]}
    assert set(errors) == failed  # "gone" is null without an error
    assert all(
        e["extensions"] == {"code": "BAD_USER_INPUT", "retryable": False, "service": "SUGGESTION"}
        for e in errors.values()
    )
    assert "first must be between 1 and 100" in errors["big"]["message"]
    assert "unknown suggestion status '已完成'" in errors["state"]["message"]


async def test_citizen_by_phone_then_by_person_key_lists_their_suggestions(
    subgraph: BackgroundServer, world: World
) -> None:
    rows = suggestion_rows(world, 1)
    counts = Counter(r["lxdh"].replace("-", "") for r in rows)
    phone, _ = counts.most_common(1)[0]
    elsewhere = {f.system for f in world.filings if f.person.phone == phone}
    assert elsewhere  # the same citizen has records in the other systems too
    lookup = "query($p: String) { citizen(phone: $p) { personKey suggestions { localNo } } }"
    citizen = (await gql(subgraph, lookup, {"p": phone}))["data"]["citizen"]
    assert len(citizen["suggestions"]) == counts[phone]
    key = citizen["personKey"]
    reps = [{"__typename": "Citizen", "personKey": key}, {"__typename": "Citizen", "personKey": "0" * 32}]
    body = await gql(subgraph, ENTITIES, {"r": reps})
    known, unknown = body["data"]["_entities"]
    assert known["personKey"] == key and len(known["suggestions"]) == counts[phone]
    assert {s["petitioner"]["personKey"] for s in known["suggestions"]} == {key}
    assert phone not in str(body)
    assert unknown == {"personKey": "0" * 32, "suggestions": []}
    body = await gql(subgraph, "{ citizen { personKey } }")
    assert body["data"]["citizen"] is None and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_citizen_by_id_number_alone(subgraph: BackgroundServer, world: World) -> None:
    row = next(r for r in suggestion_rows(world, 1) if r["sfzh"])
    lookup = "query($i: String) { citizen(idNumber: $i) { personKey suggestions { localNo } } }"
    citizen = (await gql(subgraph, lookup, {"i": row["sfzh"].lower()}))["data"]["citizen"]
    assert row["jybh"] in {s["localNo"] for s in citizen["suggestions"]}


QUERY_DOWN = """{ suggestions(first: 5) { items { id } } searchSuggestions(text: "建议") { items { id } }
  one: suggestion(id: "suggestion:JY202611010001") { id } }"""


def _assert_unavailable(body: dict[str, Any]) -> None:
    assert body["data"] == {"suggestions": None, "searchSuggestions": None, "one": None}
    assert {tuple(e["path"]) for e in body["errors"]} == {("suggestions",), ("searchSuggestions",), ("one",)}
    assert all(
        e["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "SUGGESTION", "retryable": True}
        for e in body["errors"]
    )


async def test_a_stopped_suggestion_system_costs_only_its_fields() -> None:
    subgraph = serve_asgi(lambda: acting_as(create_app(settings(f"http://127.0.0.1:{free_port()}")), DISPATCHER))
    try:
        _assert_unavailable(await gql(subgraph, QUERY_DOWN))
        reps = [{"__typename": "Suggestion", "id": "suggestion:JY202611010001"}]
        body = await gql(subgraph, ENTITIES, {"r": reps})
        assert body["data"]["_entities"] == [None]
        assert body["errors"][0]["extensions"] == {
            "code": "LEGACY_UNAVAILABLE",
            "service": "SUGGESTION",
            "retryable": True,
        }
    finally:
        subgraph.stop()


async def test_a_suggestion_system_slower_than_the_timeout_costs_only_its_fields(world: World) -> None:
    standin = serve_aiohttp(lambda: create_standin(StandinOptions(), world=world))
    subgraph = serve_asgi(lambda: acting_as(create_app(settings(standin.url, legacy_timeout_s=0.3)), DISPATCHER))
    try:
        await admin(standin, "POST", "/_admin/faults", {"hold": True})
        body = await gql(subgraph, QUERY_DOWN)
        assert (await admin(standin, "GET", "/_admin/stats"))["held"] >= 1  # the answer came while it still waits
        _assert_unavailable(body)
        assert body["errors"][0]["message"] == "The suggestion system did not answer in time; try again later."
    finally:
        await admin(standin, "POST", "/_admin/faults", {"hold": False})
        subgraph.stop()
        standin.stop()
