"""The test subgraph toolkit itself (tests/support/federation.py): what the gateway's tests rely on."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import aiohttp
import pytest

from tests.support.federation import Subgraph, build_subgraph_schema
from tests.support.servers import BackgroundServer, serve_asgi

FED2 = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5",
  import: ["@key", {name: "@shareable", as: "@shared"}])

type Query { thing(id: ID!): Thing }

type Thing @key(fields: "id") @key(fields: "code", resolvable: false) {
  id: ID!
  code: String
  name: String @shared
  extra: String @federation__requires(fields: "code")
}
"""

FED1 = """
extend type Query { me: User }
extend type User @key(fields: "id") {
  id: ID! @external
  nickname: String
}
"""

ENTITIES = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on %s } }"


async def test_fed2_sdl_gets_federation_definitions_entities_and_service() -> None:
    subgraph = Subgraph("things", FED2, {"Thing": {"__resolve_reference": lambda rep, _i: {**rep, "name": "n"}}})

    result = await subgraph.execute(ENTITIES % "Thing { id name }", {"r": [{"__typename": "Thing", "id": "7"}]})
    service = await subgraph.execute("{ _service { sdl } }")

    assert result == {"data": {"_entities": [{"__typename": "Thing", "id": "7", "name": "n"}]}}
    assert service == {"data": {"_service": {"sdl": FED2}}}
    schema = subgraph.schema
    assert {"shared", "federation__requires", "key", "federation__external"} <= {d.name for d in schema.directives}
    assert [t.name for t in schema.get_type("_Entity").types] == ["Thing"]  # type: ignore[union-attr]


async def test_fed1_extensions_become_definitions_and_default_reference_is_the_representation() -> None:
    subgraph = Subgraph("users", FED1, {"Query": {"me": lambda *_: {"id": "u1", "nickname": "Xiao Li"}}})

    result = await subgraph.execute("{ me { id nickname } }")
    entities = await subgraph.execute(ENTITIES % "User { id nickname }", {"r": [{"__typename": "User", "id": "u2"}]})

    assert result == {"data": {"me": {"id": "u1", "nickname": "Xiao Li"}}}
    assert entities == {"data": {"_entities": [{"__typename": "User", "id": "u2", "nickname": None}]}}


async def test_reference_resolver_errors_stay_at_their_index() -> None:
    def resolve(rep: dict[str, str], _info: object) -> object:
        if rep["id"] == "bad":
            raise ValueError("no such thing")
        return rep

    subgraph = Subgraph("things", FED2, {"Thing": {"__resolve_reference": resolve}})
    reps = [{"__typename": "Thing", "id": "1"}, {"__typename": "Thing", "id": "bad"}]
    result = await subgraph.execute(ENTITIES % "Thing { id }", {"r": reps})

    assert result["data"] == {"_entities": [{"__typename": "Thing", "id": "1"}, None]}
    assert result["errors"][0]["path"] == ["_entities", 1]


def test_resolver_for_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValueError, match=r"Thing\.nope"):
        build_subgraph_schema(FED2, {"Thing": {"nope": lambda *_: None}})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Subgraph, Subgraph, BackgroundServer, BackgroundServer]]:
    a = Subgraph("a", FED2, {"Query": {"thing": lambda _r, _i, id: {"id": id}}})
    b = Subgraph("b", FED2, {"Query": {"thing": lambda _r, _i, id: {"id": id}}})
    server_a, server_b = serve_asgi(lambda: a), serve_asgi(lambda: b)
    yield a, b, server_a, server_b
    server_a.stop()
    server_b.stop()


async def _post(url: str, query: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(f"{url}/graphql", json={"query": query}) as response:
        return response.status, await response.text()


async def test_requests_are_recorded_and_faults_switch_on(
    served: tuple[Subgraph, Subgraph, BackgroundServer, BackgroundServer],
) -> None:
    a, _b, server_a, _server_b = served
    a.reset()

    assert await _post(server_a.url, '{ thing(id: "1") { id } }') == (200, '{"data":{"thing":{"id":"1"}}}')
    assert a.queries == ['{ thing(id: "1") { id } }']

    a.fail = "status500"
    assert (await _post(server_a.url, "{ thing(id: 1) { id } }"))[0] == 500
    a.fail = "garbage"
    assert (await _post(server_a.url, "{ thing(id: 1) { id } }"))[1].startswith("<html>")
    a.fail = "close"
    with pytest.raises(aiohttp.ClientPayloadError):
        await _post(server_a.url, "{ thing(id: 1) { id } }")
    a.reset()


async def test_probe_passes_only_when_all_parties_are_in_flight(
    served: tuple[Subgraph, Subgraph, BackgroundServer, BackgroundServer],
) -> None:
    import asyncio

    a, b, server_a, server_b = served
    a.reset()
    b.reset()
    a.probe = b.probe = threading.Barrier(2)
    together = await asyncio.gather(
        _post(server_a.url, '{ thing(id: "1") { id } }'), _post(server_b.url, '{ thing(id: "2") { id } }')
    )
    assert [body for _status, body in together] == ['{"data":{"thing":{"id":"1"}}}', '{"data":{"thing":{"id":"2"}}}']

    a.probe = threading.Barrier(2)  # nobody else will come
    a.probe_timeout = 0.2
    _status, alone = await _post(server_a.url, '{ thing(id: "1") { id } }')
    assert "concurrency probe" in alone
    a.reset()
    b.reset()
