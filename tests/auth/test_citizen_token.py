"""The demo citizen: a real person of the seeded city, whose access token carries ``person_key`` — so the subgraphs
show her her own appeals (DOMAIN.md §8 市民) and nobody else's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from auth.principal import Principal, Role
from auth.provider import Provider
from auth.users import DEMO_PERSON_KEYS, demo_users
from legacy.hotline.app import create_app as create_hotline_standin
from legacy.petition.app import create_app as create_petition_standin
from legacy.standin import StandinOptions
from legacy.world import Person, World
from resolvers.adapters.http import close_shared_session
from resolvers.domain import person_key
from subgraphs.hotline.app import create_app as create_hotline_subgraph
from subgraphs.petition.app import create_app as create_petition_subgraph
from subgraphs.settings import SubgraphSettings
from tests.auth.conftest import exchange, log_in
from tests.support.principals import acting_as, principal_header
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi

SETTINGS = SubgraphSettings(redis_url="", require_internal_token=False)


def demo_citizen(world: World) -> Person:
    return next(p for p in world.persons if p.name == "杜玲" and p.phone == "19939150008")


def test_the_demo_citizens_person_key_is_a_real_persons_with_filings_in_several_systems(world: World) -> None:
    citizen = next(u for u in demo_users("x") if u.username == "citizen")
    person = demo_citizen(world)
    assert citizen.roles == (Role.CITIZEN,) and citizen.name == person.name
    assert citizen.person_key == DEMO_PERSON_KEYS["citizen"]
    assert citizen.person_key == person_key(SETTINGS.person_key_secret.encode(), phone=person.phone)
    systems = {f.system for f in world.filings if f.person.pid == person.pid}
    assert {"hotline", "petition", "board", "grid"} <= systems
    assert all(u.person_key is None for u in demo_users("x") if u.username != "citizen")  # staff carry none


@pytest.fixture(scope="module")
def petition() -> Iterator[BackgroundServer]:
    standin = serve_aiohttp(lambda: create_petition_standin(StandinOptions(seed=1)))
    server = serve_asgi(
        lambda: acting_as(create_petition_subgraph(SETTINGS.model_copy(update={"legacy_url": standin.url})))
    )
    yield server
    server.stop()
    standin.stop()


@pytest.fixture(scope="module")
def hotline() -> Iterator[BackgroundServer]:
    standin = serve_aiohttp(lambda: create_hotline_standin(StandinOptions(seed=1)))
    server = serve_asgi(
        lambda: acting_as(create_hotline_subgraph(SETTINGS.model_copy(update={"legacy_url": standin.url})))
    )
    yield server
    server.stop()
    standin.stop()


@pytest.fixture(autouse=True)
async def _close_session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


async def citizen_claims(base: str, browser: aiohttp.ClientSession) -> dict[str, Any]:
    """Log in as the demo citizen the way a browser does; the verified claims of her access token."""
    code, verifier = await log_in(browser, base, username="citizen")
    status, tokens = await exchange(browser, base, code, verifier)
    assert status == 200, tokens
    async with browser.get(f"{base}/oauth/jwks") as response:
        keys = KeySet.import_key_set(await response.json())
    return dict(jwt.decode(str(tokens["access_token"]), keys, algorithms=["RS256"]).claims)


async def gql(server: BackgroundServer, claims: dict[str, Any], query: str, **variables: Any) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{server.url}/graphql", json={"query": query, "variables": variables}, headers=principal_header(claims)
        ) as resp,
    ):
        body: dict[str, Any] = await resp.json()
        return body


async def test_the_citizens_token_shows_her_own_appeals_and_nobody_elses(
    served: tuple[BackgroundServer, Provider],
    browser: aiohttp.ClientSession,
    petition: BackgroundServer,
    hotline: BackgroundServer,
    world: World,
) -> None:
    server, _ = served
    claims = await citizen_claims(server.url, browser)
    assert claims["person_key"] == DEMO_PERSON_KEYS["citizen"] and claims["roles"] == ["citizen"]
    assert Principal.from_claims(claims).person_key == DEMO_PERSON_KEYS["citizen"]
    me = demo_citizen(world)
    other = next(p for p in world.persons if p.pid != me.pid and any(f.person.pid == p.pid for f in world.filings))

    own = '{ searchPetitions(phone: "%s", first: 50) { items { id petitioner { phone personKey } } } }'
    mine = (await gql(petition, claims, own % me.phone))["data"]["searchPetitions"]["items"]
    assert len(mine) == sum(1 for f in world.filings if f.system == "petition" and f.person.pid == me.pid)
    assert all(i["petitioner"] == {"phone": me.phone, "personKey": claims["person_key"]} for i in mine)  # unmasked
    assert (await gql(petition, claims, own % other.phone))["data"]["searchPetitions"]["items"] == []

    listed = await gql(petition, claims, "{ petitions(first: 100) { items { id } } }")
    assert {i["id"] for i in listed["data"]["petitions"]["items"]} <= {i["id"] for i in mine}

    tickets = '{ searchHotlineTickets(phone: "%s", first: 20) { items { id petitioner { phone } } } }'
    my_tickets = (await gql(hotline, claims, tickets % me.phone))["data"]["searchHotlineTickets"]["items"]
    assert my_tickets and all(t["petitioner"]["phone"] == me.phone for t in my_tickets)
    others = (await gql(hotline, claims, tickets % other.phone))["data"]["searchHotlineTickets"]["items"]
    assert others == []

    without_key = {**claims, "person_key": None}  # a citizen token without the claim sees nothing at all
    assert (await gql(petition, without_key, own % me.phone))["data"]["searchPetitions"]["items"] == []
