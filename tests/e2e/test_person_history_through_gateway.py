"""Person history (the cross-system view of one person, DOMAIN.md §8) through the gateway, role by role.

``citizen(phone:)`` with what the person filed belongs to supervisors and the petition desk, to the citizen
themself (their own records only) and to the operator for the caller of the current call; every other role gets
``null`` with ``FORBIDDEN`` there and keeps what its own work gives it (its lists and searches).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from legacy.world import World
from resolvers.domain import person_key
from tests.support.deployment import Graph, running_graph

SECRET = b"minyi-dev-person-key-secret"
CITY = {"admin_codes": ["430100"], "grid_codes": []}
HISTORY = """query($phone: String!) {
  citizen(phone: $phone) { personKey hotlineTickets { id petitioner { phone } } }
}"""
OPERATOR = "op-on-call"


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    with running_graph() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _caller(world: World) -> str:
    """A seeded person with several hotline work orders."""
    return next(p.phone for p in world.persons if len([f for f in world.filings_for("hotline") if f.person == p]) >= 2)


async def _tickets(graph: Graph, http: aiohttp.ClientSession, token: str, phone: str) -> list[dict[str, Any]] | None:
    body = await graph.ask(http, token, HISTORY, phone=phone)
    citizen = body["data"]["citizen"]
    return None if citizen is None else citizen["hotlineTickets"]


@pytest.mark.parametrize(
    ("roles", "claims"),
    [
        (["dispatcher"], {"jurisdiction": CITY}),
        (["unit_handler"], {"unit": "43010503"}),
        (["grid_worker"], {"jurisdiction": {"admin_codes": [], "grid_codes": ["430121002008009"]}}),
        (["street_dispatcher"], {"jurisdiction": {"admin_codes": ["430121002"], "grid_codes": []}}),
        (["leader"], {"jurisdiction": CITY}),
        (["analyst"], {"jurisdiction": CITY}),
    ],
    ids=["派单员", "承办单位", "网格员", "镇街调度", "领导", "分析员"],
)
async def test_roles_outside_the_rule_are_refused_person_history(
    graph: Graph, http: aiohttp.ClientSession, world: World, roles: list[str], claims: dict[str, Any]
) -> None:
    body = await graph.ask(http, graph.token(roles, **claims), HISTORY, phone=_caller(world))
    assert body["data"]["citizen"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [(["citizen"], "FORBIDDEN")]


@pytest.mark.parametrize(("roles", "claims"), [(["supervisor"], {"jurisdiction": CITY}), (["petition_officer"], {})])
async def test_supervisors_and_the_petition_desk_read_the_history(
    graph: Graph, http: aiohttp.ClientSession, world: World, roles: list[str], claims: dict[str, Any]
) -> None:
    body = await graph.ask(http, graph.token(roles, **claims), HISTORY, phone=_caller(world))
    assert "errors" not in body, body
    assert body["data"]["citizen"]["personKey"] == person_key(SECRET, phone=_caller(world))


async def test_the_citizen_reads_their_own_history_only(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    phone = _caller(world)
    me = graph.token(["citizen"], person_key=person_key(SECRET, phone=phone), sub="me")
    own = await _tickets(graph, http, me, phone)
    assert own and {t["petitioner"]["phone"] for t in own} == {phone}
    someone_else = next(p.phone for p in world.persons if p.phone != phone)
    assert await _tickets(graph, http, me, someone_else) == []


async def _register_draft(graph: Graph, http: aiohttp.ClientSession, phone: str) -> None:
    """The operator picks up a call from ``phone`` and starts registering a work order (暂存)."""
    base = graph.standins["hotline"]
    async with http.post(f"{base}/api/auth/login", json={"yhm": "minyi-service", "mm": "minyi-service-pass"}) as r:
        token = (await r.json())["data"]["token"]
    draft = {"lxdh": phone, "ldr": "来电人", "sqlx": "咨询", "bt": "来电咨询", "nr": "正在登记", "zc": 1}
    async with http.post(f"{base}/api/gd", json={**draft, "zxgh": OPERATOR}, headers={"X-Session-Token": token}) as r:
        assert (await r.json())["code"] == 0


async def test_the_operator_reads_the_callers_history_only_during_the_call(
    graph: Graph, http: aiohttp.ClientSession, world: World
) -> None:
    phone = _caller(world)
    operator = graph.token(["operator"], sub=OPERATOR, jurisdiction=CITY)
    assert await _tickets(graph, http, operator, phone) == []  # no call with this person: nothing of theirs
    await _register_draft(graph, http, phone)
    during = await _tickets(graph, http, operator, phone)
    assert during is not None and len(during) >= 3  # the draft of the call and the caller's earlier orders
    earlier = [t for t in during if t["petitioner"]["phone"] != phone]
    assert earlier and all("****" in t["petitioner"]["phone"] for t in earlier)  # history: masked
    other = next(p.phone for p in world.persons if p.phone != phone)
    assert await _tickets(graph, http, operator, other) == []  # not the caller: nothing
