"""The legacy credential broker against the real hotline, grid, board and petition stand-ins over loopback HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from auth.broker import CredentialBroker, ServiceCredentials, acting_as
from legacy.board.app import create_app as create_board_standin
from legacy.grid.app import create_app as create_grid_standin
from legacy.hotline.app import create_app as create_hotline_standin
from legacy.petition.app import create_app as create_petition_standin
from legacy.standin import StandinOptions
from legacy.world import World
from resolvers.adapters.board import BoardClient
from resolvers.adapters.errors import LegacyAuthError
from resolvers.adapters.grid import GridClient
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.http import AdapterOptions
from resolvers.adapters.petition import PetitionClient, PetitionCriteria
from subgraphs.board.app import create_app as create_board_subgraph
from subgraphs.hotline.app import create_app as create_hotline_subgraph
from subgraphs.petition.app import create_app as create_petition_subgraph
from subgraphs.settings import SubgraphSettings
from tests.conftest import NOW
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi

USER = "minyi-service"
SECRET = "minyi-service-pass"
WRONG_SECRET = "wr0ng-s3cret-never-logged"
LOGIN_ROUTE = "POST /api/auth/login"
TOKEN_ROUTE = "POST /oauth/token"


@pytest.fixture(scope="module")
def hotline() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_hotline_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def grid() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_grid_standin(StandinOptions(), now=NOW))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def board(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_board_standin(StandinOptions(seed=1), world=world))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def petition() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_petition_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


SYSTEMS = ("hotline", "grid", "board", "petition")


def broker_for(secret: str = SECRET, **options: Any) -> CredentialBroker:
    return CredentialBroker([ServiceCredentials(system, USER, secret) for system in SYSTEMS], **options)


async def admin(server: BackgroundServer, method: str, path: str) -> Any:
    async with aiohttp.ClientSession() as s, s.request(method, server.url + path) as r:
        return await r.json()


async def routes(server: BackgroundServer) -> dict[str, int]:
    return dict((await admin(server, "GET", "/_admin/stats"))["by_route"])


async def reset(server: BackgroundServer) -> None:
    await admin(server, "POST", "/_admin/reset")


async def some_orders(client: HotlineClient, count: int) -> list[str]:
    page = await client.list_tickets(offset=0, limit=count)
    return [r.order_no for r in page.records]


def hotline_client(server: BackgroundServer, broker: CredentialBroker, **options: Any) -> HotlineClient:
    return HotlineClient(AdapterOptions(base_url=server.url, **options), broker=broker)


def grid_client(server: BackgroundServer, broker: CredentialBroker, **options: Any) -> GridClient:
    return GridClient(AdapterOptions(base_url=server.url, **options), broker=broker)


def board_client(server: BackgroundServer, broker: CredentialBroker) -> BoardClient:
    return BoardClient(AdapterOptions(base_url=server.url), broker=broker)


def petition_client(server: BackgroundServer, broker: CredentialBroker, **options: Any) -> PetitionClient:
    return PetitionClient(AdapterOptions(base_url=server.url), broker=broker, **options)


async def some_petitions(client: PetitionClient, count: int) -> Any:
    return await client.search(PetitionCriteria(), offset=0, limit=count)


async def graphql_answer(subgraph: BackgroundServer, query: str) -> str:
    async with aiohttp.ClientSession() as http, http.post(f"{subgraph.url}/graphql", json={"query": query}) as r:
        return await r.text()


# -- caching and refresh ------------------------------------------------------------------------------------------


async def test_one_login_serves_every_call_and_every_client_of_the_broker(hotline: BackgroundServer) -> None:
    broker = broker_for()
    await reset(hotline)
    first, second = hotline_client(hotline, broker), hotline_client(hotline, broker)
    orders = await some_orders(first, 3)
    await asyncio.gather(first.get_many(orders), second.get_many(orders[:1]), second.list_tickets(offset=0, limit=2))
    assert (await routes(hotline))[LOGIN_ROUTE] == 1
    assert broker.sessions()["hotline"].stats.logins == 1


async def test_a_token_is_refreshed_shortly_before_it_expires(grid: BackgroundServer) -> None:
    now = [0.0]
    broker = broker_for(clock=lambda: now[0])
    client = grid_client(grid, broker)
    await reset(grid)
    await client.search(size=1)
    now[0] = 569.0  # the stand-in's tokens live 600 s; the broker refreshes 30 s early
    await client.search(size=1)
    assert (await routes(grid))[TOKEN_ROUTE] == 1
    now[0] = 571.0
    await client.search(size=1)
    assert (await routes(grid))[TOKEN_ROUTE] == 2
    assert broker.sessions()["grid"].stats.renewals == 0  # refreshed on time, never refused


async def test_an_expired_hotline_session_costs_one_relogin_for_all_callers(hotline: BackgroundServer) -> None:
    broker = broker_for()
    client = hotline_client(hotline, broker, max_concurrency=4)
    orders = await some_orders(client, 8)
    await admin(hotline, "POST", "/_admin/expire-sessions")
    await reset(hotline)
    found = await asyncio.gather(*(client.get_many([o]) for o in orders))
    assert [list(f) for f in found] == [[o] for o in orders]
    assert (await routes(hotline))[LOGIN_ROUTE] == 1
    session = broker.sessions()["hotline"]
    assert (session.stats.logins, session.stats.renewals) == (2, 1)


async def test_an_expired_grid_token_costs_one_new_token_for_all_callers(grid: BackgroundServer) -> None:
    broker = broker_for()
    client = grid_client(grid, broker, max_concurrency=4)
    page = await client.search(size=6)
    await admin(grid, "POST", "/_admin/expire-tokens")
    await reset(grid)
    found = await client.events([e.task_num for e in page.items])
    assert all(not isinstance(e, BaseException) and e is not None for e in found)
    assert (await routes(grid))[TOKEN_ROUTE] == 1
    assert broker.sessions()["grid"].stats.renewals == 1


async def test_refused_credentials_are_an_auth_error_per_system(
    hotline: BackgroundServer, grid: BackgroundServer
) -> None:
    broker = broker_for(WRONG_SECRET)
    with pytest.raises(LegacyAuthError) as refused_hotline:
        await hotline_client(hotline, broker).list_tickets(offset=0, limit=1)
    with pytest.raises(LegacyAuthError) as refused_grid:
        await grid_client(grid, broker).search(size=1)
    assert WRONG_SECRET not in str(refused_hotline.value) + str(refused_grid.value)
    assert broker.sessions()["hotline"].stats.failures == 1 and broker.sessions()["grid"].stats.failures == 1


def test_secrets_stay_out_of_reprs() -> None:
    broker = broker_for()
    credentials = broker.credentials("hotline")
    assert SECRET not in repr(credentials) and SECRET not in repr(broker)


# -- the acting user ------------------------------------------------------------------------------------------------


async def test_the_acting_user_reaches_the_hotline_and_the_grid(
    hotline: BackgroundServer, grid: BackgroundServer
) -> None:
    broker = broker_for()
    for server in (hotline, grid):
        await reset(server)
    with acting_as("op-0042"):
        await hotline_client(hotline, broker).list_tickets(offset=0, limit=1)
        await grid_client(grid, broker).search(size=1)
    with acting_as("gw-0007"):
        await grid_client(grid, broker).search(size=1)
    assert await admin(hotline, "GET", "/_admin/acting-users") == {"by_user": {"op-0042": 1}, "last": "op-0042"}
    assert await admin(grid, "GET", "/_admin/acting-users") == {
        "by_user": {"op-0042": 1, "gw-0007": 1},
        "last": "gw-0007",
    }


async def test_the_acting_user_reaches_the_board_as_a_signed_form_field(board: BackgroundServer) -> None:
    broker = broker_for()
    client = board_client(board, broker)  # the app code and secret come from the broker, not the options
    await reset(board)
    with acting_as("op-0042"):
        page = await client.list_threads(count=1)
        await client.thread(page.threads[0].thread_id)
    with acting_as("ldr-0003"):
        await client.list_threads(count=1)
    await client.list_threads(count=1)  # for nobody: no field
    assert await admin(board, "GET", "/_admin/acting-users") == {
        "by_user": {"op-0042": 2, "ldr-0003": 1},
        "last": "ldr-0003",
    }


async def test_the_acting_user_reaches_the_petition_service_in_a_soap_header(petition: BackgroundServer) -> None:
    broker = broker_for()
    await reset(petition)
    with acting_as("po-0009"):
        await some_petitions(petition_client(petition, broker), 1)
        await some_petitions(petition_client(petition, broker, password_digest=False), 1)
    await some_petitions(petition_client(petition, broker), 1)  # for nobody: no element
    assert await admin(petition, "GET", "/_admin/acting-users") == {"by_user": {"po-0009": 2}, "last": "po-0009"}


async def test_a_forged_acting_user_is_not_recorded(board: BackgroundServer) -> None:
    """The board counts the user only from a verified form: a refused signature names nobody."""
    await reset(board)
    with acting_as("op-0042"), pytest.raises(LegacyAuthError):
        await board_client(board, broker_for(WRONG_SECRET)).list_threads(count=1)
    assert (await admin(board, "GET", "/_admin/acting-users"))["by_user"] == {}


async def test_without_a_user_no_acting_header_is_sent(hotline: BackgroundServer) -> None:
    await reset(hotline)
    await hotline_client(hotline, broker_for()).list_tickets(offset=0, limit=1)
    assert (await admin(hotline, "GET", "/_admin/acting-users"))["by_user"] == {}


async def test_a_subgraph_request_acts_for_its_principal(hotline: BackgroundServer) -> None:
    settings = SubgraphSettings(
        legacy_url=hotline.url, redis_url="", require_internal_token=False, dev_roles="operator"
    )
    subgraph = serve_asgi(lambda: create_hotline_subgraph(settings))
    try:
        await reset(hotline)
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{subgraph.url}/graphql", json={"query": "{ hotlineTickets(first: 2) { items { id } } }"}) as r,
        ):
            assert r.status == 200
        assert (await admin(hotline, "GET", "/_admin/acting-users"))["last"] == "minyi-dev"
    finally:
        subgraph.stop()


# -- no credential in a log line or a client's answer ----------------------------------------------------------------


async def test_no_credential_reaches_a_log_line_or_a_graphql_error(
    hotline: BackgroundServer, grid: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    broker = broker_for()
    client, gclient = hotline_client(hotline, broker), grid_client(grid, broker)
    orders = await some_orders(client, 1)  # login
    await gclient.search(size=1)
    tokens = [await broker.sessions()[s].current() for s in ("hotline", "grid")]
    await admin(hotline, "POST", "/_admin/expire-sessions")
    await admin(grid, "POST", "/_admin/expire-tokens")
    await client.get_many(orders)  # re-login
    await gclient.search(size=1)
    tokens += [await broker.sessions()[s].current() for s in ("hotline", "grid")]
    bad = broker_for(WRONG_SECRET)
    with pytest.raises(LegacyAuthError):  # failure
        await hotline_client(hotline, bad).list_tickets(offset=0, limit=1)
    with pytest.raises(LegacyAuthError):
        await grid_client(grid, bad).search(size=1)

    settings = SubgraphSettings(
        legacy_url=hotline.url, legacy_password=WRONG_SECRET, redis_url="", require_internal_token=False
    )
    subgraph = serve_asgi(lambda: create_hotline_subgraph(settings))
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{subgraph.url}/graphql", json={"query": "{ hotlineTickets(first: 1) { items { id } } }"}) as r,
        ):
            answer = await r.text()
    finally:
        subgraph.stop()
    assert "LEGACY_AUTH_FAILED" in answer
    assert any("hotline" in m and "logging in again" in m for m in caplog.messages)  # the logs did see it all
    secrets = [SECRET, WRONG_SECRET, *tokens]
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in answer


async def test_no_board_or_petition_credential_reaches_a_log_line_or_a_graphql_error(
    board: BackgroundServer, petition: BackgroundServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    broker, bad = broker_for(), broker_for(WRONG_SECRET)
    with acting_as("op-0042"):
        await board_client(board, broker).list_threads(count=1)
        await some_petitions(petition_client(petition, broker), 1)
        await some_petitions(petition_client(petition, broker, password_digest=False), 1)  # the password in clear
        refused = []
        with pytest.raises(LegacyAuthError) as refused_board:
            await board_client(board, bad).list_threads(count=1)
        refused.append(str(refused_board.value))
        for digest in (True, False):
            with pytest.raises(LegacyAuthError) as refused_petition:
                await some_petitions(petition_client(petition, bad, password_digest=digest), 1)
            refused.append(str(refused_petition.value))

    answers = []
    for server, create, query in (
        (board, create_board_subgraph, "{ boardMessages(first: 1) { items { id } } }"),
        (petition, create_petition_subgraph, "{ petitions(first: 1) { items { id } } }"),
    ):
        settings = SubgraphSettings(
            legacy_url=server.url, legacy_password=WRONG_SECRET, redis_url="", require_internal_token=False
        )
        subgraph = serve_asgi(lambda create=create, settings=settings: create(settings))  # type: ignore[misc]
        try:
            answers.append(await graphql_answer(subgraph, query))
        finally:
            subgraph.stop()
    assert all("LEGACY_AUTH_FAILED" in answer for answer in answers)
    for secret in (SECRET, WRONG_SECRET):
        assert secret not in caplog.text
        assert all(secret not in text for text in (*answers, *refused))
