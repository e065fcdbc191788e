"""Plain scalar and enum fields are read without Strawberry's resolver wrapper (SubgraphExecutor), and every answer
is the one the ordinary way gives: values, nulls, errors and their paths, on a tiny schema with every kind of leaf
and on the hotline subgraph's work orders as a masked role reads them through the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from typing import Any

import aiohttp
import pytest
import strawberry
from strawberry.types.graphql import OperationType

from legacy.hotline.app import create_app as create_standin
from legacy.standin import StandinOptions
from resolvers.persons import MemoryDirectory
from subgraphs.common import executor
from subgraphs.common.context import SubgraphContext
from subgraphs.common.schema import SubgraphSchema
from subgraphs.hotline.app import create_app
from subgraphs.settings import SubgraphSettings
from tests.support.principals import DISPATCHER, SUPERVISOR, acting_as
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi


@strawberry.enum
class Colour(Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Row:
    name: str
    note: str | None
    count: int
    share: float
    flag: bool
    colour: Colour
    maybe_colour: Colour | None
    at: datetime
    ident: strawberry.ID
    broken: int  # holds a value that does not serialize as an Int
    missing: str  # non-null, holds None
    tags: list[str]

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [
            Row(
                name="甲", note=None, count=3, share=0.5, flag=True, colour=Colour.RED, maybe_colour=None,
                at=datetime(2026, 12, 7, 9, 30), ident=strawberry.ID("row:1"), broken=2**40, missing="here",
                tags=["a", "b"],
            ),
            Row(
                name="乙", note="n", count=-1, share=2.0, flag=False, colour=Colour.GREEN, maybe_colour=Colour.GREEN,
                at=datetime(2026, 1, 1), ident=strawberry.ID("row:2"), broken=7, missing=None,  # type: ignore[arg-type]
                tags=[],
            ),
        ]  # fmt: skip


tiny = SubgraphSchema(query=Query)

DOCUMENTS = [
    "{ rows { name note count share flag colour maybeColour at ident tags shout } }",
    "{ rows { broken } }",
    "{ rows { missing name } }",
    "{ rows { alias: name n2: name __typename } }",
    "{ rows { ... on Row { colour } name @skip(if: true) note @include(if: true) } }",
]


@pytest.fixture
def ordinary_way(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Turns the short way off while in use (``with ordinary_way():``)."""
    import contextlib

    @contextlib.contextmanager
    def off() -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(executor, "plain_fields", lambda schema: {})
            yield

    yield off


def test_the_plain_fields_are_the_attribute_fields_of_leaf_type() -> None:
    found = executor.plain_fields(tiny._schema)
    row = {name for type_name, name in found if type_name == "Row"}
    assert row == {
        "name",
        "note",
        "count",
        "share",
        "flag",
        "colour",
        "maybeColour",
        "at",
        "ident",
        "broken",
        "missing",
    }
    assert found[("Row", "maybeColour")] == ("maybe_colour", tiny._schema.get_type("Colour"), False)


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_every_answer_is_the_ordinary_one(document: str, ordinary_way: Any) -> None:
    def context() -> SubgraphContext:
        return SubgraphContext(client=None, directory=MemoryDirectory(), person_secret=b"s")

    async def known() -> Any:  # the way a subgraph runs a document it has validated before
        result = await tiny.execute_known(document, None, context(), None, None, {OperationType.QUERY})
        assert result is not None
        return result

    first = await tiny.execute(document, context_value=context())  # validated and remembered
    short = await known()
    with ordinary_way():
        ordinary = await known()
    assert short.data == ordinary.data == first.data
    assert [e.formatted for e in short.errors or []] == [e.formatted for e in ordinary.errors or []]
    if "broken" in document or "missing" in document:
        assert short.errors  # the unusual values still become field errors


TICKET_FIELDS = """
    id system channel channelText localNo localNumber trackingNo trackingNumber intakeChannel appealType status
    sourceStatus cityState receivedAt deadline dueAt closedAt title content confidentiality isSecret
    callbackSatisfied timeLimit timeLimitUnit urgency urgencyLevel urgencyText pendingRequest directAnswer
    returnCount extensionCount rehandleCount dispatchedAt repliedAt callbackAt
    category { sourceCode path } location { text adminCode12 gridCode15 }
    petitioner { personKey name phone idNumber }
    leadUnit { code name } coUnits { code name }
    unitStates { unit { code name } role state signDeadline deadline signedAt repliedAt reply extensionDays }
    events { at action unit note }
"""


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_standin(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["dispatcher", "supervisor"])
def subgraph(standin: BackgroundServer, request: pytest.FixtureRequest) -> Iterator[BackgroundServer]:
    settings = SubgraphSettings(legacy_url=standin.url, redis_url="", require_internal_token=False)
    role = DISPATCHER if request.param == "dispatcher" else SUPERVISOR  # masked PII, or more content
    server = serve_asgi(lambda: acting_as(create_app(settings), role))
    yield server
    server.stop()


async def _text(url: str, query: str) -> bytes:
    async with aiohttp.ClientSession() as http, http.post(f"{url}/graphql", json={"query": query}) as resp:
        assert resp.status == 200
        return await resp.read()


async def test_hotline_work_orders_read_the_same_both_ways(subgraph: BackgroundServer, ordinary_way: Any) -> None:
    query = f"{{ hotlineTickets(first: 60) {{ items {{ {TICKET_FIELDS} }} }} }}"
    first = await _text(subgraph.url, query)  # validated and remembered: from now on the lean path runs it
    short = await _text(subgraph.url, query)
    assert short == first
    with ordinary_way():
        ordinary = await _text(subgraph.url, query)
    assert short == ordinary
    assert short.count(b'"id":"hotline:') == 60 and b'"errors"' not in short
