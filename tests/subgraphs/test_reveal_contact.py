"""``reveal<System>Contact`` on the board, grid and suggestion subgraphs (DOMAIN.md §8), over loopback in front of
their real stand-ins, with the audit log in the real Redis stream — as the hotline and petition ones are tested in
``test_confidentiality``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette

from legacy.board.app import create_app as create_board_standin
from legacy.grid.app import create_app as create_grid_standin
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion_standin
from legacy.world import World
from resolvers.adapters.http import close_shared_session
from resolvers.audit import AUDIT_STREAM
from subgraphs.board.app import create_app as create_board_subgraph
from subgraphs.grid.app import create_app as create_grid_subgraph
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.app import create_app as create_suggestion_subgraph
from tests.conftest import NOW, REDIS_URL
from tests.support.principals import acting_as, principal_header
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi

DISPATCHER = {"sub": "d1", "roles": ["dispatcher"]}  # the city queue: masked PII, reveal with log
ANALYST = {"sub": "a1", "roles": ["analyst"]}  # de-identified data: never a contact
LEADER = {"sub": "l1", "roles": ["leader"], "jurisdiction": {"admin_codes": ["4301"], "grid_codes": []}}


def settings(legacy_url: str) -> SubgraphSettings:
    return SubgraphSettings(
        legacy_url=legacy_url, legacy_timeout_s=10.0, legacy_max_concurrency=8, redis_url=REDIS_URL,
        require_internal_token=False,
    )  # fmt: skip


def serve(standin: BackgroundServer, create: Callable[[SubgraphSettings], Starlette]) -> BackgroundServer:
    return serve_asgi(lambda: acting_as(create(settings(standin.url))))


@pytest.fixture(scope="module")
def board(world: World) -> Iterator[BackgroundServer]:
    standin = serve_aiohttp(lambda: create_board_standin(StandinOptions(seed=1), world=world))
    server = serve(standin, create_board_subgraph)
    yield server
    server.stop()
    standin.stop()


@pytest.fixture(scope="module")
def grid() -> Iterator[BackgroundServer]:
    standin = serve_aiohttp(lambda: create_grid_standin(StandinOptions(), now=NOW))
    server = serve(standin, create_grid_subgraph)
    yield server
    server.stop()
    standin.stop()


@pytest.fixture(scope="module")
def suggestion(world: World) -> Iterator[BackgroundServer]:
    standin = serve_aiohttp(lambda: create_suggestion_standin(StandinOptions(seed=1), world=world))
    server = serve(standin, create_suggestion_subgraph)
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


async def audit_log() -> list[dict[str, str]]:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        rows = await client.xrange(AUDIT_STREAM)
    finally:
        await client.aclose()
    return [{str(k): str(v) for k, v in (fields or {}).items()} for _, fields in rows or []]


# (fixture, list field, reveal mutation)
SYSTEMS = [
    ("board", "boardMessages", "revealBoardContact"),
    ("grid", "gridEvents", "revealGridContact"),
    ("suggestion", "suggestions", "revealSuggestionContact"),
]


def reveal_of(mutation: str) -> str:
    return f"mutation($id: ID!, $why: String!) {{ {mutation}(appealId: $id, reason: $why) {{ appealId name phone auditId }} }}"


async def masked_item(server: BackgroundServer, field: str) -> dict[str, Any]:
    """An appeal the dispatcher sees with a masked phone."""
    listed = await gql(server, DISPATCHER, f"{{ {field}(first: 30) {{ items {{ id petitioner {{ phone }} }} }} }}")
    assert "errors" not in listed, listed
    return next(
        i for i in listed["data"][field]["items"] if i["petitioner"] and "****" in (i["petitioner"]["phone"] or "")
    )


@pytest.mark.parametrize(("system", "field", "mutation"), SYSTEMS)
async def test_a_dispatcher_reveals_the_contact_and_the_reveal_is_audited(
    system: str, field: str, mutation: str, request: pytest.FixtureRequest, redis: Redis
) -> None:
    server: BackgroundServer = request.getfixturevalue(system)
    item = await masked_item(server, field)
    granted = await gql(server, DISPATCHER, reveal_of(mutation), id=item["id"], why="回访需要联系诉求人")
    assert "errors" not in granted, granted
    shown = granted["data"][mutation]
    phone = shown["phone"]
    assert shown["appealId"] == item["id"] and shown["name"]
    assert phone and "*" not in phone and phone[:3] + "****" + phone[-4:] == item["petitioner"]["phone"]
    [entry] = await audit_log()
    assert (entry["who"], entry["role"], entry["appeal"], entry["action"]) == (
        "d1",
        "dispatcher",
        item["id"],
        "reveal_contact",
    )
    assert entry["reason"] == "回访需要联系诉求人" and entry["when"]


@pytest.mark.parametrize(("system", "field", "mutation"), SYSTEMS)
async def test_a_refused_reveal_is_forbidden_and_recorded_as_denied(
    system: str, field: str, mutation: str, request: pytest.FixtureRequest, redis: Redis
) -> None:
    server: BackgroundServer = request.getfixturevalue(system)
    item = await masked_item(server, field)
    revealed = (await gql(server, DISPATCHER, reveal_of(mutation), id=item["id"], why="核实"))["data"][mutation]
    await redis.delete(AUDIT_STREAM)
    for role in (ANALYST, LEADER):  # §8: analysts and leaders never reveal
        refused = await gql(server, role, reveal_of(mutation), id=item["id"], why="想看看是谁")
        assert refused["data"] == {mutation: None}
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
        assert revealed["phone"] not in str(refused) and revealed["name"] not in str(refused)
    assert [(e["who"], e["action"], e["appeal"]) for e in await audit_log()] == [
        ("a1", "reveal_contact_denied", item["id"]),
        ("l1", "reveal_contact_denied", item["id"]),
    ]
    anonymous = await gql(server, None, reveal_of(mutation), id=item["id"], why="想看看是谁")
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(("system", "field", "mutation"), SYSTEMS)
async def test_a_reveal_without_a_reason_is_refused_before_anything_is_read(
    system: str, field: str, mutation: str, request: pytest.FixtureRequest, redis: Redis
) -> None:
    server: BackgroundServer = request.getfixturevalue(system)
    item = await masked_item(server, field)
    answer = await gql(server, DISPATCHER, reveal_of(mutation), id=item["id"], why=" ")
    assert answer["data"] == {mutation: None} and answer["errors"]
    assert await audit_log() == []
