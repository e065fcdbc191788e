"""The operations the workbench sends and the examples GraphiQL opens with are valid against the schema the gateway
serves: a schema change that would break the workbench fails here, not in an agent's browser."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate

from gateway.portal import STATIC_DIR
from schema.supergraph import load_supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
OPERATIONS = sorted((STATIC_DIR / "portal" / "operations").glob("*.graphql"))
EXAMPLES = STATIC_DIR / "graphiql" / "examples"


@pytest.fixture(scope="module")
def api_schema() -> GraphQLSchema:
    return load_supergraph(SUPERGRAPH.read_text()).api_schema


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_each_workbench_operation_is_valid_and_named_for_its_file(api_schema: GraphQLSchema, path: Path) -> None:
    document = parse(path.read_text())
    assert [e.message for e in validate(api_schema, document)] == []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1 and operations[0].name is not None
    assert operations[0].name.value == path.stem  # the workbench asks for operations by file name


def test_the_workbench_asks_only_for_operations_that_exist() -> None:
    names = {p.stem for p in OPERATIONS}
    asked: set[str] = set()
    for module in (STATIC_DIR / "portal").rglob("*.js"):
        text = module.read_text()
        asked |= {name for name in names if f'run("{name}"' in text}
        for call in text.split('run("')[1:]:
            assert call.split('"', 1)[0] in names, f"{module.name} runs an operation that has no file"
    assert asked == names  # and every file is used


def test_graphiqls_examples_are_valid_operations_for_the_main_tasks(api_schema: GraphQLSchema) -> None:
    index = orjson.loads((EXAMPLES / "index.json").read_bytes())
    assert len(index) >= 4
    for example in index:
        document = parse((EXAMPLES / example["file"]).read_text())
        assert [e.message for e in validate(api_schema, document)] == [], example["file"]
        (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        declared = {v.variable.name.value for v in operation.variable_definitions or ()}
        assert declared == set(example.get("variables", {})), example["file"]
