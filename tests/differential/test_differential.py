"""The differential test: random valid operations answered by the gateway (its HTTP app, over federated subgraphs on
loopback) and by a plain graphql-core schema over the same records (the oracle) must be equal.

CI runs a fixed budget with a fixed seed; ``bench/differential.py --n 5000 --seed S`` runs a larger sweep.
"""

from __future__ import annotations

import random
import re

import pytest

from tests.differential.generator import Operation, OperationGenerator
from tests.differential.oracles import ORACLE_RESOLVERS, oracle_schema
from tests.differential.runner import GRAPHS, Differential, sweep

SEED = 20261206
BUDGET = 100  # operations per graph


@pytest.mark.parametrize("graph", sorted(GRAPHS))
async def test_the_gateway_answers_random_operations_like_the_oracle(graph: str) -> None:
    result = await sweep(graph, BUDGET, SEED)

    assert result.tried == BUDGET
    assert not result.failures, "\n\n".join(failure.report() for failure in result.failures)


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_the_operations_mix_what_breaks_gateways(graph: str) -> None:
    from schema.supergraph import load_supergraph
    from tests.e2e.harness import SCENARIOS

    supergraph = load_supergraph((SCENARIOS / GRAPHS[graph].scenario / "supergraph.graphql").read_text())
    schema = supergraph.api_schema
    generator = OperationGenerator(schema, GRAPHS[graph].arguments, random.Random(SEED))
    operations = [generator.operation().query for _ in range(BUDGET)]
    field_names = {name for t in schema.type_map.values() for name in getattr(t, "fields", {}) or {}}
    abstract = [
        name for name, t in schema.type_map.items() if type(t).__name__ in ("GraphQLInterfaceType", "GraphQLUnionType")
    ]

    def share(pattern: str) -> int:
        return sum(1 for query in operations if re.search(pattern, query))

    reused = sum(
        1
        for query in operations
        if any(a != f and a in field_names for a, f in re.findall(r"(\w+): (\w+)", query.split("\n")[0][6:]))
    )
    assert reused >= BUDGET // 4  # aliases that are names of other fields
    assert share(r"__typename: \w+") >= 5  # the name __typename as an alias
    assert share(r"\{[^{}]*\{[^{}]*\{[^{}]*__typename") >= BUDGET // 10  # __typename deep down
    assert share(r"\.\.\. on (" + "|".join(abstract) + r")\b") >= BUDGET // 10  # fragments on abstract types
    assert share(r"fragment F\d+ on") >= BUDGET // 10  # named fragments
    assert share(r"@(skip|include)\(if: \$v\d+\)[^{}]*@(skip|include)") >= BUDGET // 20  # conditions that meet
    assert share(r"\$v\d+: Boolean = true") >= BUDGET // 5  # variables with defaults
    assert share(r"\w\(\w+: ") >= BUDGET // 10  # arguments


async def test_a_difference_is_reported_and_minimized() -> None:
    async with Differential("casework") as differential:
        resolvers = dict(ORACLE_RESOLVERS["casework"])
        resolvers["Officer"] = {**resolvers["Officer"], "badge": lambda officer, _i: "wrong"}
        differential.oracle = oracle_schema(differential.supergraph.api_schema, resolvers)
        operation = Operation(
            "query ($x: Boolean!) { officers { id name @include(if: $x) badge office { label } } appeals { id } }",
            {"x": True},
        )

        failure = await differential.check(operation)
        assert failure is not None
        minimized = await differential.minimized(failure)

    assert minimized.minimized is not None
    assert " ".join(minimized.minimized.query.split()) == "{ officers { badge } }"
    assert minimized.minimized.variables == {}
