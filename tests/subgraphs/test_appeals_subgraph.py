"""The appeals subgraph over real HTTP, in front of the five real stand-ins."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.board.app import create_app as create_board
from legacy.grid.app import create_app as create_grid
from legacy.hotline.app import create_app as create_hotline
from legacy.petition.app import create_app as create_petition
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion
from legacy.world import World
from subgraphs.appeals.app import create_app
from subgraphs.appeals.schema import schema
from subgraphs.settings import SubgraphSettings
from tests.conftest import NOW
from tests.support.principals import DISPATCHER, acting_as
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

GOLDEN = Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "appeals.graphql"
ALL = "hotline petition board grid suggestion"
TYPENAMES = {
    "hotline": "HotlineTicket",
    "petition": "Petition",
    "board": "BoardMessage",
    "grid": "GridEvent",
    "suggestion": "Suggestion",
}
ENUM = {"hotline": "HOTLINE", "petition": "PETITION", "board": "MSGBOARD", "grid": "GRID", "suggestion": "SUGGESTION"}
SEARCH = """query($filter: AppealFilter, $first: Int, $after: String) {
  appeals(filter: $filter, first: $first, after: $after) {
    edges { cursor node { __typename id } } nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } unavailableSystems totalCount } }"""


@pytest.fixture(scope="module")
def standins(world: World) -> Iterator[dict[str, BackgroundServer]]:
    options = StandinOptions()
    servers = {
        "hotline": serve_aiohttp(lambda: create_hotline(options)),
        "petition": serve_aiohttp(lambda: create_petition(options)),
        "board": serve_aiohttp(lambda: create_board(options, world=world)),
        "grid": serve_aiohttp(lambda: create_grid(options, now=NOW)),
        "suggestion": serve_aiohttp(lambda: create_suggestion(options, world=world)),
    }
    yield servers
    for server in servers.values():
        server.stop()


def settings(urls: dict[str, str], systems: str = ALL) -> SubgraphSettings:
    return SubgraphSettings(legacy_urls=urls, appeals_systems=systems, redis_url="", require_internal_token=False)


@pytest.fixture(scope="module")
def subgraph(standins: dict[str, BackgroundServer]) -> Iterator[BackgroundServer]:
    urls = {name: server.url for name, server in standins.items()}
    server = serve_asgi(lambda: acting_as(create_app(settings(urls)), DISPATCHER))
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


async def test_the_sdl_matches_the_checked_in_golden_file() -> None:
    result = await schema.execute("{ _service { sdl } }")
    assert result.errors is None and result.data is not None
    sdl = result.data["_service"]["sdl"].rstrip() + "\n"
    if os.environ.get("MINYI_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(sdl, encoding="utf-8")
    assert sdl == GOLDEN.read_text(encoding="utf-8"), "SDL drifted: rerun with MINYI_UPDATE_GOLDEN=1 and review"
    assert 'interface Appeal @key(fields: "id")' in sdl
    for typename in ("HotlineTicket", "Petition", "BoardMessage", "GridEvent", "Suggestion"):
        assert f'type {typename} implements Appeal @key(fields: "id")' in sdl  # the five systems of the graph


async def test_any_system_s_appeal_is_found_by_its_id(subgraph: BackgroundServer) -> None:
    for system, typename in TYPENAMES.items():
        listed = await gql(subgraph, SEARCH, {"filter": {"systems": [ENUM[system]]}, "first": 2})
        assert "errors" not in listed, listed
        first = listed["data"]["appeals"]["edges"][0]["node"]
        assert first["__typename"] == typename and first["id"].startswith(f"{system}:")
        found = await gql(subgraph, "query($id: ID!) { appeal(id: $id) { __typename id } }", {"id": first["id"]})
        assert found == {"data": {"appeal": {"__typename": typename, "id": first["id"]}}}


async def test_an_unknown_appeal_is_null_and_a_malformed_id_is_refused(subgraph: BackgroundServer) -> None:
    missing = await gql(subgraph, '{ appeal(id: "petition:XF999999999999") { id } }')
    assert missing == {"data": {"appeal": None}}
    malformed = await gql(subgraph, '{ appeal(id: "fax:12") { id } }')
    assert malformed["data"] == {"appeal": None}
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_merged_search_pages_through_every_system_without_repeats(subgraph: BackgroundServer) -> None:
    seen: list[str] = []
    after = None
    for _ in range(4):
        page = (await gql(subgraph, SEARCH, {"first": 25, "after": after}))["data"]["appeals"]
        assert page["pageInfo"]["hasNextPage"] and page["pageInfo"]["hasPreviousPage"] is False
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        seen += [n["id"] for n in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 100 == len(set(seen))
    assert {i.split(":")[0] for i in seen} >= {"hotline", "petition", "board", "grid"}


async def test_a_person_filter_finds_their_appeals_in_every_system(subgraph: BackgroundServer, world: World) -> None:
    person = world.persons[0]  # the first people of the city filed the same matter everywhere
    page = (await gql(subgraph, SEARCH, {"filter": {"phone": person.phone}, "first": 100}))["data"]["appeals"]
    systems = {n["id"].split(":")[0] for n in page["nodes"]}
    assert systems >= {"hotline", "petition", "board", "grid"}
    expected = {f.system for f in world.filings if f.person.pid == person.pid}
    assert systems <= expected | {"suggestion"}


async def test_a_stopped_system_costs_only_its_own_appeals(standins: dict[str, BackgroundServer]) -> None:
    urls = {name: server.url for name, server in standins.items()}
    urls["petition"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    server = serve_asgi(lambda: acting_as(create_app(settings(urls)), DISPATCHER))
    try:
        body = await gql(server, SEARCH, {"first": 30})
        page = body["data"]["appeals"]
        assert len(page["nodes"]) == 30 and page["unavailableSystems"] == ["PETITION"]
        assert not any(n["id"].startswith("petition:") for n in page["nodes"])
        [error] = body["errors"]
        assert error["path"] == ["appeals"] and error["extensions"]["code"] == "LEGACY_UNAVAILABLE"
        assert error["extensions"]["service"] == "PETITION" and "PETITION" in error["message"]
        by_id = await gql(server, '{ appeal(id: "petition:XF1") { id } }')
        assert by_id["data"] == {"appeal": None}
        assert by_id["errors"][0]["extensions"]["code"] == "LEGACY_UNAVAILABLE"
    finally:
        server.stop()
