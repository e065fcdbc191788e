"""In-flight merging over real loopback HTTP: identical queries in flight share one subgraph call, and only those.

The subgraph here answers after a short pause and echoes who asked (its Authorization header), so a shared answer
would show another user's name.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from aiohttp import web

from auth.internal import InternalTokenMinter
from auth.principal import Principal
from gateway.executor import SubgraphRequest
from gateway.executor.http_fetcher import HttpFetcher
from gateway.executor.inflight import InflightCalls
from gateway.subgraph_auth import PrincipalFetcher
from tests.support.servers import BackgroundServer, serve_aiohttp

calls: list[str] = []


async def graphql(request: web.Request) -> web.Response:
    body = await request.json()
    calls.append(body["query"])
    await asyncio.sleep(0.3)  # long enough for every concurrent caller to be in flight
    asker = request.headers.get("Authorization", "nobody")
    return web.json_response({"data": {"asker": asker, "variables": body.get("variables")}})


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    def make_app() -> web.Application:
        app = web.Application()
        app.router.add_post("/graphql", graphql)
        return app

    running = serve_aiohttp(make_app)
    yield running
    running.stop()


@pytest.fixture
async def fetcher(server: BackgroundServer) -> AsyncIterator[HttpFetcher]:
    calls.clear()
    async with HttpFetcher({"reviews": f"{server.url}/graphql"}) as fetcher:
        yield fetcher


QUERY = SubgraphRequest("query($upc: String) { reviews(upc: $upc) { body } }", {"upc": "p1"})
ALICE = Principal.from_claims({"sub": "alice", "roles": ["citizen"]})
BOB = Principal.from_claims({"sub": "bob", "roles": ["citizen"]})


async def test_fifty_identical_queries_in_flight_make_one_subgraph_call(fetcher: HttpFetcher) -> None:
    answers = await asyncio.gather(*(fetcher.fetch("reviews", QUERY) for _ in range(50)))
    assert len(calls) == 1
    assert all(a.data == {"asker": "nobody", "variables": {"upc": "p1"}} for a in answers)
    answers[0].data["asker"] = "changed"  # each caller decoded its own copy: nothing it does reaches another
    assert answers[1].data["asker"] == "nobody"
    assert fetcher.inflight is not None and (fetcher.inflight.started, fetcher.inflight.merged) == (1, 49)


async def test_two_users_never_share_an_answer(fetcher: HttpFetcher) -> None:
    minter = InternalTokenMinter.generate()
    users = [PrincipalFetcher(fetcher, who, minter.headers_for) for who in (ALICE, BOB)]
    answers = await asyncio.gather(*(users[n % 2].fetch("reviews", QUERY) for n in range(50)))
    assert len(calls) == 2  # one per user: their internal tokens differ
    alice_token = "Bearer " + minter.token_for(ALICE, "reviews")
    bob_token = "Bearer " + minter.token_for(BOB, "reviews")
    assert alice_token != bob_token
    assert [a.data["asker"] for a in answers] == [alice_token, bob_token] * 25


async def test_the_trace_context_does_not_keep_a_users_identical_queries_apart(fetcher: HttpFetcher) -> None:
    requests = [
        SubgraphRequest(
            QUERY.query,
            QUERY.variables,
            headers={"Authorization": "Bearer a", "traceparent": f"00-{n:032x}-{n:016x}-01"},
        )
        for n in range(1, 21)
    ]
    answers = await asyncio.gather(*(fetcher.fetch("reviews", r) for r in requests))
    assert len(calls) == 1
    assert {a.data["asker"] for a in answers} == {"Bearer a"}


async def test_queries_that_differ_in_a_byte_are_sent_each(fetcher: HttpFetcher) -> None:
    requests = [SubgraphRequest(QUERY.query, {"upc": f"p{n % 5}"}) for n in range(50)]
    answers = await asyncio.gather(*(fetcher.fetch("reviews", r) for r in requests))
    assert len(calls) == 5
    assert [a.data["variables"] for a in answers] == [{"upc": f"p{n % 5}"} for n in range(50)]


async def test_mutations_are_never_merged(fetcher: HttpFetcher) -> None:
    mutation = SubgraphRequest('mutation { addReview(upc: "p1", body: "good") { id } }')
    await asyncio.gather(*(fetcher.fetch("reviews", mutation) for _ in range(10)))
    assert len(calls) == 10


async def test_a_query_after_the_call_answered_is_sent_again(fetcher: HttpFetcher) -> None:
    await fetcher.fetch("reviews", QUERY)
    await fetcher.fetch("reviews", QUERY)
    assert len(calls) == 2


async def test_merging_can_be_turned_off(server: BackgroundServer) -> None:
    calls.clear()
    async with HttpFetcher({"reviews": f"{server.url}/graphql"}, merge_inflight=False) as fetcher:
        await asyncio.gather(*(fetcher.fetch("reviews", QUERY) for _ in range(50)))
    assert len(calls) == 50
    assert fetcher.inflight is None


async def test_a_caller_that_goes_away_does_not_cancel_the_shared_call(fetcher: HttpFetcher) -> None:
    first = asyncio.ensure_future(fetcher.fetch("reviews", QUERY))
    await asyncio.sleep(0.05)
    others = [asyncio.ensure_future(fetcher.fetch("reviews", QUERY)) for _ in range(3)]
    await asyncio.sleep(0.05)
    first.cancel()
    answers = await asyncio.gather(*others)
    assert len(calls) == 1
    assert all(a.failure is None and a.data["asker"] == "nobody" for a in answers)


async def test_a_failed_shared_call_fails_every_caller_and_is_forgotten() -> None:
    inflight: InflightCalls[str, int] = InflightCalls()
    attempts = 0

    async def broken() -> int:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("down")

    results = await asyncio.gather(*(inflight.run("k", broken) for _ in range(3)), return_exceptions=True)
    assert attempts == 1 and all(isinstance(r, RuntimeError) for r in results)
    assert inflight.running == 0
    with pytest.raises(RuntimeError):
        await inflight.run("k", broken)
    assert attempts == 2
