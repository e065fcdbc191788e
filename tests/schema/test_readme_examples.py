"""The README's query examples are written in the graph's current shapes: each one is valid against the checked-in
supergraph and uses no deprecated field, argument, input field or enum value."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import parse, specified_rules, validate
from graphql.validation import NoDeprecatedCustomRule

from schema.supergraph import load_supergraph

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
API = load_supergraph((ROOT / "schema" / "supergraph.graphql").read_text(encoding="utf-8")).api_schema

_GRAPHQL_BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
_JSON_QUERY = re.compile(r'"query":\s*"((?:[^"\\]|\\.)*)"')
_PLAN = re.compile(r"minyi plan --supergraph \S+\.graphql '([^']*)'")


def readme_operations() -> list[str]:
    found = [block for block in _GRAPHQL_BLOCK.findall(README)]
    found += [json.loads(f'"{raw}"') for raw in _JSON_QUERY.findall(README)]
    found += _PLAN.findall(README)
    return found


def test_the_readme_has_query_examples_of_every_kind() -> None:
    operations = readme_operations()
    assert len(_GRAPHQL_BLOCK.findall(README)) >= 2 and len(_JSON_QUERY.findall(README)) >= 5
    assert any(op.lstrip().startswith("mutation") for op in operations)


@pytest.mark.parametrize("operation", readme_operations(), ids=lambda op: " ".join(op.split())[:60])
def test_a_readme_example_is_valid_and_uses_no_deprecated_element(operation: str) -> None:
    errors = validate(API, parse(operation), [*specified_rules, NoDeprecatedCustomRule])
    assert [e.message for e in errors] == []
