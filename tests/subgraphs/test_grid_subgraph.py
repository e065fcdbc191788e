"""The grid subgraph over real HTTP, in front of the real grid stand-in."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.grid.app import create_app as create_standin
from legacy.standin import StandinOptions
from legacy.world import World
from resolvers.grid_mapping import GRID_STATUS
from subgraphs.grid.app import create_app
from subgraphs.grid.schema import schema
from subgraphs.settings import SubgraphSettings
from tests.conftest import NOW
from tests.support.principals import DISPATCHER, acting_as
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

GOLDEN = Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "grid.graphql"
EVENT_ROUTE = "GET /api/v1/events/{taskNum}"
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on GridEvent { id taskNum status sourceStatus }
  ... on Citizen { personKey gridEvents { id taskNum petitioner { personKey name phone } } } } }"""


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin(StandinOptions(), now=NOW))
    yield server
    server.stop()


def subgraph_settings(legacy_url: str, **overrides: Any) -> SubgraphSettings:
    return SubgraphSettings(legacy_url=legacy_url, redis_url="", require_internal_token=False, **overrides)


@pytest.fixture(scope="module")
def subgraph(standin: BackgroundServer) -> Iterator[BackgroundServer]:
    server = serve_asgi(
        lambda: acting_as(create_app(subgraph_settings(standin.url, legacy_max_concurrency=4)), DISPATCHER)
    )
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


async def task_nums(subgraph: BackgroundServer, count: int) -> list[str]:
    body = await gql(subgraph, "query($n: Int) { gridEvents(first: $n) { items { taskNum } } }", {"n": count})
    return [item["taskNum"] for item in body["data"]["gridEvents"]["items"]]


async def test_the_sdl_matches_the_checked_in_golden_file() -> None:
    result = await schema.execute("{ _service { sdl } }")
    assert result.errors is None and result.data is not None
    sdl = result.data["_service"]["sdl"].rstrip() + "\n"
    if os.environ.get("MINYI_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(sdl, encoding="utf-8")
    assert sdl == GOLDEN.read_text(encoding="utf-8"), "SDL drifted: rerun with MINYI_UPDATE_GOLDEN=1 and review"
    assert 'type GridEvent implements Appeal & Node @key(fields: "id")' in sdl
    assert 'type Citizen implements Node @key(fields: "personKey")' in sdl and "@shareable" in sdl


async def test_100_representations_cost_one_read_per_distinct_event_within_the_concurrency_limit(
    standin: BackgroundServer, subgraph: BackgroundServer
) -> None:
    distinct = await task_nums(subgraph, 35)
    ids = [f"grid:{t}" for t in distinct]
    reps = [{"__typename": "GridEvent", "id": ids[n % len(ids)]} for n in range(97)]
    reps += [{"__typename": "GridEvent", "id": "grid:0000000000"}] * 3
    await admin(standin, "POST", "/_admin/reset")
    await admin(standin, "POST", "/_admin/load", {"hold_ms": 20})
    try:
        body = await gql(subgraph, ENTITIES, {"r": reps})
        load = await admin(standin, "GET", "/_admin/load")
    finally:
        await admin(standin, "POST", "/_admin/load")
    stats = await admin(standin, "GET", "/_admin/stats")
    assert "errors" not in body
    entities = body["data"]["_entities"]
    assert [e["id"] if e else None for e in entities] == [
        r["id"] if r["id"] != "grid:0000000000" else None for r in reps
    ]
    assert stats["by_route"][EVENT_ROUTE] == len(distinct) + 1
    assert stats["requests"] <= len(distinct) + 2  # + at most one token request
    assert set(load["reads"].values()) == {1}  # no task number twice
    assert 2 <= load["max_in_flight"] <= 4


async def test_bad_representations_fail_alone(subgraph: BackgroundServer) -> None:
    [task_num] = await task_nums(subgraph, 1)
    reps = [
        {"__typename": "GridEvent", "id": f"grid:{task_num}"},
        {"__typename": "HotlineTicket", "id": "hotline:1"},
        {"__typename": "GridEvent", "id": "hotline:1"},
        {"__typename": "GridEvent", "id": "grid:0000000000"},
        {"__typename": "Citizen", "personKey": 42},
    ]
    body = await gql(subgraph, ENTITIES, {"r": reps})
    data = body["data"]["_entities"]
    assert data[0]["taskNum"] == task_num and data[1] is None and data[2] is None and data[3] is None
    assert data[4] is None
    errors = {e["path"][1]: e for e in body["errors"]}
    assert set(errors) == {1, 2, 4}
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors.values())
    assert "unknown __typename 'HotlineTicket'" in errors[1]["message"]
    assert "malformed grid id 'hotline:1'" in errors[2]["message"]


async def test_an_event_is_an_appeal_with_its_native_fields_and_masked_reporter(
    subgraph: BackgroundServer, world: World
) -> None:
    query = """query($s: String) { gridEvents(state: $s, first: 1) { items {
      id system channel localNo trackingNo appealType status sourceStatus receivedAt deadline confidentiality
      title content category { unifiedCode sourceCode path } location { text adminCode12 gridCode15 lng lat }
      petitioner { personKey name phone } leadUnit { code name } coUnits { name }
      taskNum eventSource eventCode eventClass cellGridCode dutyGridCode executeDept { name }
      limitWorkingHours archiveType } } }"""
    body = await gql(subgraph, query, {"s": "结案"})
    [event] = body["data"]["gridEvents"]["items"]
    assert event["id"] == f"grid:{event['taskNum']}" and event["system"] == "GRID"
    assert (
        event["status"] == "CLOSED"
        and event["sourceStatus"] == "结案"
        and event["archiveType"] in ("正常", "超时", "差错", "特殊")
    )
    assert event["localNo"] == event["trackingNo"] == event["taskNum"]
    assert len(event["eventCode"]) == 4 and event["eventClass"] == "/".join(event["category"]["path"])
    assert event["category"]["sourceCode"] == event["eventCode"]
    assert (
        event["location"]["gridCode15"] == event["cellGridCode"]
        and event["location"]["adminCode12"] == event["cellGridCode"][:12]
    )
    assert 112.5 < event["location"]["lng"] < 113.5 and 27.9 < event["location"]["lat"] < 28.6
    # a masked view (the dispatcher's) gets coordinates to about a kilometre, not the spot (DOMAIN.md §8)
    assert round(event["location"]["lng"], 2) == event["location"]["lng"]
    assert round(event["location"]["lat"], 2) == event["location"]["lat"]
    assert event["leadUnit"] == {"code": event["leadUnit"]["code"], "name": event["executeDept"]["name"]}
    assert event["coUnits"] == [] and event["limitWorkingHours"] > 0 and event["deadline"]
    phones = {f.person.phone for f in world.filings_for("grid")}
    assert "****" in event["petitioner"]["phone"] and event["petitioner"]["name"].endswith("某")
    assert not any(p in str(body) for p in phones)  # no raw phone number anywhere


async def test_every_state_maps_to_its_unified_status(subgraph: BackgroundServer) -> None:
    states = [s for s in GRID_STATUS if s != "处置"]
    fields = " ".join(
        f's{n}: gridEvents(state: "{s}", first: 2) {{ items {{ status sourceStatus }} }}' for n, s in enumerate(states)
    )
    body = await gql(subgraph, "{ " + fields + " }")
    seen: dict[str, str] = {}
    for n, state in enumerate(states):
        for item in body["data"][f"s{n}"]["items"]:
            assert item["sourceStatus"] == state
            seen[state] = item["status"]
    assert len(seen) >= 7
    assert all(GRID_STATUS[s].value == status for s, status in seen.items())


async def test_lists_page_with_cursors_to_the_end(subgraph: BackgroundServer, world: World) -> None:
    query = "query($a: String, $n: Int) { gridEvents(first: $n, after: $a) { items { taskNum } nextCursor } }"
    seen: list[str] = []
    cursor: str | None = None
    for size in (30, 7, 50, 50):  # page sizes change between calls: offsets stay right
        body = await gql(subgraph, query, {"a": cursor, "n": size})
        page = body["data"]["gridEvents"]
        seen += [i["taskNum"] for i in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert cursor is None and len(seen) == len(set(seen)) == len(world.filings_for("grid"))


async def test_filters_by_grid_area_and_search_by_text_and_phone(subgraph: BackgroundServer, world: World) -> None:
    filing = world.filings_for("grid")[0]
    community = filing.matter.place.admin_code12
    body = await gql(
        subgraph,
        "query($g: String) { gridEvents(gridCode: $g, first: 100) { items { cellGridCode } } }",
        {"g": community},
    )
    items = body["data"]["gridEvents"]["items"]
    assert items and all(i["cellGridCode"].startswith(community) for i in items)
    query = "query($t: String, $p: String) { searchGridEvents(text: $t, phone: $p, first: 100) { items { content } nextCursor } }"
    body = await gql(subgraph, query, {"t": filing.matter.place.community + "社区"})
    assert body["data"]["searchGridEvents"]["items"]
    phone = filing.person.phone
    body = await gql(subgraph, query, {"p": f"+86 {phone}"})
    mine = [f for f in world.filings_for("grid") if f.person.phone == phone]
    assert sorted(i["content"] for i in body["data"]["searchGridEvents"]["items"]) == sorted(f.content for f in mine)


async def test_bad_arguments_are_clear_errors_and_the_rest_is_answered(subgraph: BackgroundServer) -> None:
    [task_num] = await task_nums(subgraph, 1)
    query = """query($id: ID!) { big: gridEvents(first: 1000) { items { id } }
      state: gridEvents(state: "办结") { items { id } }
      area: gridEvents(gridCode: "4301") { items { id } }
      cursor: gridEvents(after: "%%%") { items { id } }
      nothing: searchGridEvents { items { id } }
      wrong: gridEvent(id: "petition:1") { id }
      gone: gridEvent(id: "grid:0000000000") { id }
      ok: gridEvent(id: $id) { id } }"""
    body = await gql(subgraph, query, {"id": f"grid:{task_num}"})
    data = body["data"]
    assert data["ok"] == {"id": f"grid:{task_num}"} and data["gone"] is None
    assert all(data[k] is None for k in ("big", "state", "area", "cursor", "nothing", "wrong"))
    errors = {e["path"][0]: e for e in body["errors"]}
    assert set(errors) == {"big", "state", "area", "cursor", "nothing", "wrong"}  # "gone" is null without error
    assert all(
        e["extensions"] == {"code": "BAD_USER_INPUT", "retryable": False, "service": "GRID"} for e in errors.values()
    )
    assert "first must be between 1 and 100" in errors["big"]["message"]


async def test_citizen_by_phone_then_by_person_key_lists_their_grid_events(
    subgraph: BackgroundServer, world: World
) -> None:
    counts = Counter(f.person.pid for f in world.filings_for("grid"))
    person = next(f.person for f in world.filings_for("grid") if counts[f.person.pid] >= 2)
    body = await gql(
        subgraph, "query($p: String) { citizen(phone: $p) { personKey gridEvents { taskNum } } }", {"p": person.phone}
    )
    citizen = body["data"]["citizen"]
    assert len(citizen["gridEvents"]) == counts[person.pid]
    key = citizen["personKey"]
    reps = [{"__typename": "Citizen", "personKey": key}, {"__typename": "Citizen", "personKey": "0" * 32}]
    body = await gql(subgraph, ENTITIES, {"r": reps})
    known, unknown = body["data"]["_entities"]
    assert known["personKey"] == key and len(known["gridEvents"]) == counts[person.pid]
    assert {e["petitioner"]["personKey"] for e in known["gridEvents"]} == {key}
    assert person.phone not in str(body)
    assert unknown == {"personKey": "0" * 32, "gridEvents": []}
    body = await gql(subgraph, "{ citizen { personKey } }")
    assert body["data"] is None or body["data"]["citizen"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


QUERY_DOWN = """{ gridEvents(first: 5) { items { id } } searchGridEvents(text: "垃圾") { items { id } }
  one: gridEvent(id: "grid:2611200001") { id } }"""


def _assert_unavailable(body: dict[str, Any]) -> None:
    assert body["data"] == {"gridEvents": None, "searchGridEvents": None, "one": None}
    assert {tuple(e["path"]) for e in body["errors"]} == {("gridEvents",), ("searchGridEvents",), ("one",)}
    assert all(
        e["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "GRID", "retryable": True} for e in body["errors"]
    )


async def test_a_stopped_grid_system_costs_only_its_fields() -> None:
    subgraph = serve_asgi(
        lambda: acting_as(create_app(subgraph_settings(f"http://127.0.0.1:{free_port()}")), DISPATCHER)
    )
    try:
        body = await gql(subgraph, QUERY_DOWN)
        _assert_unavailable(body)
        reps = [{"__typename": "GridEvent", "id": "grid:2611200001"}]
        body = await gql(subgraph, ENTITIES, {"r": reps})
        assert body["data"]["_entities"] == [None]
        assert body["errors"][0]["extensions"] == {"code": "LEGACY_UNAVAILABLE", "service": "GRID", "retryable": True}
    finally:
        subgraph.stop()


async def test_a_grid_system_slower_than_the_timeout_costs_only_its_fields() -> None:
    standin = serve_aiohttp(lambda: create_standin(StandinOptions(), now=NOW))
    subgraph = serve_asgi(
        lambda: acting_as(create_app(subgraph_settings(standin.url, legacy_timeout_s=0.3)), DISPATCHER)
    )
    try:
        await admin(standin, "POST", "/_admin/faults", {"hold": True})
        body = await gql(subgraph, QUERY_DOWN)
        assert (await admin(standin, "GET", "/_admin/stats"))["held"] >= 1  # the answer came while it still waits
        _assert_unavailable(body)
        assert body["errors"][0]["message"] == "The grid management system did not answer in time; try again later."
    finally:
        await admin(standin, "POST", "/_admin/faults", {"hold": False})
        subgraph.stop()
        standin.stop()
