"""In-flight merging over real loopback HTTP: identical queries in flight share one subgraph call, and only those.

The subgraph here holds every request until the test opens its gate — once every caller has reached the merge
point, counted by the fetcher — and echoes who asked (its Authorization header), so a shared answer would show
another user's name. Nothing depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import TypeVar

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
gate = threading.Event()  # open: the subgraph answers; closed: it holds every request until opened
T = TypeVar("T")


async def graphql(request: web.Request) -> web.Response:
    body = await request.json()
    calls.append(body["query"])
    await asyncio.to_thread(gate.wait, 60)
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
    gate.set()
    async with HttpFetcher({"reviews": f"{server.url}/graphql"}) as fetcher:
        yield fetcher
    gate.set()


async def joined(fetcher: HttpFetcher, callers: int) -> None:
    """Until ``callers`` calls have reached the merge point (made a call, or joined one); event-loop steps only."""
    inflight = fetcher.inflight
    assert inflight is not None
    for _ in range(100_000):
        if inflight.started + inflight.merged >= callers:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"only {inflight.started + inflight.merged} of {callers} callers reached the merge point")


async def held(fetcher: HttpFetcher, callers: list[Awaitable[T]]) -> list[T]:
    """Run ``callers`` at once with the subgraph holding its answers until every one is in flight."""
    gate.clear()
    running = asyncio.gather(*callers)
    await joined(fetcher, len(callers))
    gate.set()
    return await running


QUERY = SubgraphRequest("query($upc: String) { reviews(upc: $upc) { body } }", {"upc": "p1"})
ALICE = Principal.from_claims({"sub": "alice", "roles": ["citizen"]})
BOB = Principal.from_claims({"sub": "bob", "roles": ["citizen"]})


async def test_fifty_identical_queries_in_flight_make_one_subgraph_call(fetcher: HttpFetcher) -> None:
    answers = await held(fetcher, [fetcher.fetch("reviews", QUERY) for _ in range(50)])
    assert len(calls) == 1
    assert all(a.data == {"asker": "nobody", "variables": {"upc": "p1"}} for a in answers)
    answers[0].data["asker"] = "changed"  # each caller decoded its own copy: nothing it does reaches another
    assert answers[1].data["asker"] == "nobody"
    assert fetcher.inflight is not None and (fetcher.inflight.started, fetcher.inflight.merged) == (1, 49)


async def test_two_users_never_share_an_answer(fetcher: HttpFetcher) -> None:
    minter = InternalTokenMinter.generate()
    users = [PrincipalFetcher(fetcher, who, minter.headers_for) for who in (ALICE, BOB)]
    answers = await held(fetcher, [users[n % 2].fetch("reviews", QUERY) for n in range(50)])
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
    answers = await held(fetcher, [fetcher.fetch("reviews", r) for r in requests])
    assert len(calls) == 1
    assert {a.data["asker"] for a in answers} == {"Bearer a"}


async def test_queries_that_differ_in_a_byte_are_sent_each(fetcher: HttpFetcher) -> None:
    requests = [SubgraphRequest(QUERY.query, {"upc": f"p{n % 5}"}) for n in range(50)]
    answers = await held(fetcher, [fetcher.fetch("reviews", r) for r in requests])
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
    gate.clear()
    first = asyncio.ensure_future(fetcher.fetch("reviews", QUERY))
    await joined(fetcher, 1)
    others = [asyncio.ensure_future(fetcher.fetch("reviews", QUERY)) for _ in range(3)]
    await joined(fetcher, 4)
    first.cancel()
    gate.set()
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
