"""The behaviour every system subgraph inherits from SubgraphSchema, on a tiny subgraph."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry

from resolvers.adapters.errors import LegacyUnavailable
from resolvers.domain import SourceSystem
from resolvers.persons import MemoryDirectory
from subgraphs.common.context import SubgraphContext
from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.ids import local_id
from subgraphs.common.paging import check_page_size, decode_cursor, encode_cursor
from subgraphs.common.schema import SubgraphSchema


@strawberry.federation.type(keys=["id"])
class Thing:
    id: strawberry.ID
    name: str | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Thing | None:
        local = local_id("tiny", id)
        if local == "gone":
            return None
        return cls(id=id, name=f"thing {local}")


@strawberry.type
class Query:
    @strawberry.field
    def things(self, first: int | None = None) -> list[Thing]:
        return [Thing(id=strawberry.ID(f"tiny:{n}"), name=None) for n in range(check_page_size(first))]

    @strawberry.field
    def down(self) -> str | None:
        raise LegacyUnavailable("tiny", "no answer within 0.3s")

    @strawberry.field
    def crash(self) -> str | None:
        raise RuntimeError("secret internal detail")


schema = SubgraphSchema(query=Query, types=[Thing])


async def run(query: str, variables: dict[str, Any] | None = None) -> Any:
    context = SubgraphContext(client=None, directory=MemoryDirectory(), person_secret=b"s")
    return await schema.execute(query, variable_values=variables, context_value=context)


ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { id name } } }"


async def test_bad_representations_fail_alone_and_the_rest_are_answered() -> None:
    reps = [
        {"__typename": "Thing", "id": "tiny:1"},
        {"__typename": "Nope", "id": "tiny:2"},
        {"id": "tiny:3"},
        "not an object",
        {"__typename": "Thing", "id": "garbage"},
        {"__typename": "Thing", "id": "tiny:gone"},
        {"__typename": "Thing", "id": "tiny:7"},
    ]
    result = await run(ENTITIES, {"r": reps})
    data = result.data["_entities"]
    assert data[0] == {"id": "tiny:1", "name": "thing 1"}
    assert data[1] is None and data[2] is None and data[3] is None and data[4] is None
    assert data[5] is None  # a record that does not exist is null, not an error
    assert data[6] == {"id": "tiny:7", "name": "thing 7"}
    by_index = {e.path[1]: e for e in result.errors}
    assert set(by_index) == {1, 2, 3, 4}
    assert "unknown __typename 'Nope'" in by_index[1].message
    assert "missing __typename" in by_index[2].message
    assert "malformed tiny id 'garbage'" in by_index[4].message
    assert all(e.extensions == {"code": "BAD_USER_INPUT", "retryable": False} for e in result.errors)


async def test_legacy_failures_carry_code_and_service() -> None:
    result = await run("{ down things(first: 1) { id } }")
    assert result.data == {"down": None, "things": [{"id": "tiny:0"}]}
    [error] = result.errors
    assert error.extensions == {"code": "LEGACY_UNAVAILABLE", "service": "TINY", "retryable": True}
    assert error.path == ["down"]


async def test_a_system_subgraph_names_its_system_on_every_error_and_the_legacy_one_at_fault() -> None:
    hotline = SubgraphSchema(query=Query, types=[Thing], system=SourceSystem.HOTLINE)
    context = SubgraphContext(client=None, directory=MemoryDirectory(), person_secret=b"s")
    result = await hotline.execute("{ down things(first: 1000) { id } }", context_value=context)
    services = {e.path[0]: (e.extensions or {}).get("service") for e in result.errors}
    assert services == {"down": "TINY", "things": "HOTLINE"}  # the failing legacy system wins over the subgraph's
    invalid = await hotline.execute("{ nonsense }", context_value=context)
    assert invalid.errors[0].extensions == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "retryable": False,
        "service": "HOTLINE",
    }


async def test_a_legacy_failure_reads_as_a_sentence_for_people_and_its_own_words_stay_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = await run("{ down }")
    [error] = result.errors
    assert error.message == "The tiny system did not answer in time; try again later."
    assert "0.3s" in caplog.text  # what the legacy call said is logged, not answered


async def test_unexpected_errors_hide_their_details() -> None:
    result = await run("{ crash }")
    [error] = result.errors
    assert error.message == "internal error" and error.extensions == {
        "code": "INTERNAL_SERVER_ERROR",
        "retryable": False,
    }


async def test_oversized_pages_are_refused_clearly() -> None:
    result = await run("{ things(first: 1000) { id } }")
    [error] = result.errors
    assert "first must be between 1 and 100" in error.message
    assert error.extensions == {"code": "BAD_USER_INPUT", "retryable": False}


async def test_validation_errors_have_a_code() -> None:
    result = await run("{ nonsense }")
    [error] = result.errors
    assert error.extensions == {"code": "GRAPHQL_VALIDATION_FAILED", "retryable": False}


def test_cursors_round_trip_and_garbage_is_refused() -> None:
    assert decode_cursor(encode_cursor("12345")) == "12345"
    assert decode_cursor(None) is None
    with pytest.raises(SubgraphInputError, match="malformed cursor"):
        decode_cursor("%%%")
