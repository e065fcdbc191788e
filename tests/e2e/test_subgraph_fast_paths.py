"""The citizen view through the whole city answers the same with the subgraphs' short ways (a POST served past
Starlette's router, plain fields read without Strawberry's wrapper) and without them: the four view documents the
gateway sends, for people filed in every system, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette

from legacy.world import World
from subgraphs.common import executor
from subgraphs.common.app import SubgraphStarlette
from tests.support.city import CITIZEN_VIEW_SYSTEMS, City, open_city

APPEAL_FIELDS = (
    "id trackingNo title content status sourceStatus receivedAt deadline confidentiality "
    "petitioner { name phone personKey idNumber } leadUnit { code name } coUnits { code name }"
)
VIEW = (
    "query View($phone: String!) { citizen(phone: $phone) { personKey "
    + " ".join(
        f"{field} {{ {APPEAL_FIELDS} }}" for field in ("hotlineTickets", "petitions", "boardMessages", "gridEvents")
    )
    + " } }"
)


@pytest.fixture(scope="module")
def city() -> Iterator[City]:
    with open_city() as started:
        yield started


def _filed_everywhere(world: World, count: int) -> list[str]:
    systems: dict[str, set[str]] = {}
    for filing in world.filings:
        if filing.system in CITIZEN_VIEW_SYSTEMS:
            systems.setdefault(filing.person.phone, set()).add(filing.system)
    return [phone for phone, found in systems.items() if len(found) == len(CITIZEN_VIEW_SYSTEMS)][:count]


async def _view(city: City, phone: str) -> bytes:
    body = {"query": VIEW, "variables": {"phone": phone}}
    headers = {"Authorization": "Bearer supervisor"}
    async with aiohttp.ClientSession() as http, http.post(city.gateway_url, json=body, headers=headers) as response:
        assert response.status == 200
        return await response.read()


async def test_the_view_reads_the_same_with_and_without_the_short_ways(
    city: City, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    phones = _filed_everywhere(world, 4)
    assert len(phones) == 4
    for phone in phones:
        await _view(city, phone)  # every document validated and remembered: the lean path serves what follows
    short = [await _view(city, phone) for phone in phones]
    with monkeypatch.context() as patch:
        patch.setattr(executor, "plain_fields", lambda schema: {})

        async def through_starlette(app: Any, scope: Any, receive: Any, send: Any) -> None:
            await Starlette.__call__(app, scope, receive, send)

        patch.setattr(SubgraphStarlette, "__call__", through_starlette)
        ordinary = [await _view(city, phone) for phone in phones]
    assert short == ordinary
    for answer in short:
        assert b'"errors"' not in answer
        for field in (b"hotlineTickets", b"petitions", b"boardMessages", b"gridEvents"):
            assert answer.count(field + b'":[{') == 1, answer[:300]  # every system answered with appeals
