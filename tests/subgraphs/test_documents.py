"""A subgraph parses and validates each document once, however often the gateway sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import strawberry
import strawberry.schema.schema as strawberry_schema

import subgraphs.common.documents as documents
from resolvers.persons import MemoryDirectory
from subgraphs.common.context import SubgraphContext
from subgraphs.common.documents import KnownDocuments
from subgraphs.common.schema import SubgraphSchema


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str) -> str:
        return f"hello {name}"


def counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[object]:
    calls: list[object] = []
    real: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.fixture
def schema() -> SubgraphSchema:
    return SubgraphSchema(query=Query)


async def run(schema: SubgraphSchema, query: str, **variables: Any) -> Any:
    context = SubgraphContext(client=None, directory=MemoryDirectory(), person_secret=b"s")
    return await schema.execute(query, variable_values=variables, context_value=context)


QUERY = "query($n: String!) { greeting(name: $n) }"


async def test_a_repeated_document_is_parsed_and_validated_once(
    schema: SubgraphSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = counting(monkeypatch, documents, "parse")
    validations = counting(monkeypatch, strawberry_schema, "validate_document")
    answers = [await run(schema, QUERY, n=f"citizen {i}") for i in range(20)]
    assert [a.data for a in answers] == [{"greeting": f"hello citizen {i}"} for i in range(20)]
    assert len(parses) == 1
    assert len(validations) == 1


async def test_each_distinct_document_is_validated_on_its_own(
    schema: SubgraphSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations = counting(monkeypatch, strawberry_schema, "validate_document")
    other = 'query { greeting(name: "x") }'
    for _ in range(3):
        assert (await run(schema, QUERY, n="a")).data == {"greeting": "hello a"}
        assert (await run(schema, other)).data == {"greeting": "hello x"}
    assert len(validations) == 2


async def test_an_invalid_document_is_refused_every_time_and_never_remembered(
    schema: SubgraphSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations = counting(monkeypatch, strawberry_schema, "validate_document")
    for _ in range(3):
        result = await run(schema, "{ greeting }")  # the required argument is missing
        assert result.data is None
        assert result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert len(validations) == 3


async def test_a_syntax_error_is_reported_by_the_parser_every_time(schema: SubgraphSchema) -> None:
    for _ in range(2):
        result = await run(schema, "{ greeting(name: ")
        assert result.data is None
        assert "Syntax Error" in result.errors[0].message
    assert schema.known_documents.parsed_count == 0


def test_the_cache_is_bounded() -> None:
    known = KnownDocuments(limit=3)
    for n in range(10):
        assert known.parse(f"{{ f{n} }}") is not None
    assert known.parsed_count <= 3
    rules = ()
    for n in range(10):
        known.remember_valid(f"{{ f{n} }}", rules)
    assert known.is_valid("{ f9 }", rules)
    assert not known.is_valid("{ f0 }", rules)
