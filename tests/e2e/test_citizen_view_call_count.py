"""The tracking view for 100 citizens in one query (``nodes(ids:)`` over their citizen ids) makes a bounded
number of legacy calls.

Each stand-in counts the requests it serves (``GET /_admin/stats``). The view — every citizen's merged appeals
with their counts, each appeal's status, lead unit and 10 tracking nodes — reads each person once per system
(by phone and by ID number): the calls grow with the people asked, never with their appeals, and the status, the
time and the 10 tracking nodes cost no further call. (Fields only a system's own subgraph answers, such as the
lead unit or the reply, are read from that system again: in batches where it has a batch read.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from legacy.world import World
from tests.support.deployment import Graph, running_graph

CITY = {"admin_codes": ["430100"], "grid_codes": []}
SYSTEMS = 5
LIST = "appeals(first: 20) { nodes { id } } summary { totalCount }"
TRACKING = (
    "appeals(first: 20) { nodes { id system status receivedAt timeline { number name reached at unit detail } } } "
    "summary { totalCount openCount bySystem { system count } byStatus { status count } }"
)


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


AUTH_ROUTES = ("POST /api/auth/login", "POST /oauth/token")  # the platform's own logins, renewed as they expire


async def _calls(graph: Graph, http: aiohttp.ClientSession) -> int:
    """Requests for data the stand-ins served so far (logins left out)."""
    total = 0
    for base in graph.standins.values():
        async with http.get(f"{base}/_admin/stats") as response:
            by_route = (await response.json())["by_route"]
            total += sum(int(n) for route, n in by_route.items() if route not in AUTH_ROUTES)
    return total


async def _citizen_ids(graph: Graph, http: aiohttp.ClientSession, token: str, phones: list[str]) -> list[str]:
    """Each phone's citizen id, by lookups of 50 at a time (a lookup reads no legacy system)."""
    ids: list[str] = []
    for start in range(0, len(phones), 50):
        batch = phones[start : start + 50]
        params = ", ".join(f"$p{i}: String!" for i in range(len(batch)))
        body = " ".join(f"c{i}: citizen(phone: $p{i}) {{ id }}" for i in range(len(batch)))
        variables = {f"p{i}": phone for i, phone in enumerate(batch)}
        answer = await graph.ask(http, token, f"query({params}) {{ {body} }}", **variables)
        ids.extend(answer["data"][f"c{i}"]["id"] for i in range(len(batch)))
    return ids


async def _view(graph: Graph, http: aiohttp.ClientSession, token: str, ids: list[str], fields: str) -> tuple[int, int]:
    """(legacy calls, appeals shown) for the view of every citizen in one query."""
    before = await _calls(graph, http)
    query = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on Citizen {{ {fields} }} }} }}"
    answer = await graph.ask(http, token, query, ids=ids)
    assert "errors" not in answer, answer.get("errors")
    assert len(answer["data"]["nodes"]) == len(ids)
    shown = sum(len(c["appeals"]["nodes"]) for c in answer["data"]["nodes"])
    return await _calls(graph, http) - before, shown


async def test_the_view_for_100_citizens_reads_each_person_once_per_system(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    token = graph.token(["supervisor"], jurisdiction=CITY)
    ids = await _citizen_ids(graph, http, token, [p.phone for p in world.persons[:100]])
    calls, shown = await _view(graph, http, token, ids, TRACKING)
    assert shown > 100  # more appeals than people: a per-appeal read would show
    # at most two searches a person and system (by phone and by ID number), whatever the number of appeals
    assert calls <= 2 * SYSTEMS * len(ids), (calls, shown)
    listed, _ = await _view(graph, http, token, ids, LIST)
    assert calls == listed  # status, time and the 10 tracking nodes come from the same reads
