"""Failures the differential sweeps found, minimized, kept as fixed cases: each must now answer like the oracle.

Found on the way (``bench/differential.py``): helper fields sharing a client's response key (the alias class), two
``@include`` on one field in a subgraph operation, a ``@requires`` input reused from a client field fetched under
``@skip``/``@include`` (the input was missing whenever the condition did not hold), and a conditioned ``@requires``
entry sharing an entity fetch with an unconditioned one (whose objects were then not sent at all), and an
``@interfaceObject`` field asked for in a fragment on one implementation merged into the objects of the others.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.differential.generator import Operation
from tests.differential.runner import Differential

CASES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "casework": [
        # a requires input (rank) taken from the client's own field under @skip
        ("query ($v0: Boolean!) { __typename: officers { rank @skip(if: $v0) badge } }", {"v0": True}),
        (
            'query ($v4: Boolean!) { appeal(id: "a3") { filedBy { id: appeals { name: contacts { ... on Contact {'
            " ... on Contact @skip(if: $v4) { ... on Officer { rank } } } ... on Officer { badge } } } } } }",
            {"v4": True},
        ),
        # the requires input fetched only under the condition of one of two fields needing it
        ("query ($v0: Boolean = true) { officers { badge @include(if: $v0) __typename: badge } }", {"v0": False}),
        # a conditioned @requires entry and an unconditioned one in one entity fetch
        (
            "query ($v0: Boolean!) { districts { office { number: head { caseload { title: contacts { ...F3 ...F0 } }"
            " } } } } fragment F0 on Officer { office { city: label } } fragment F2 on Officer { badge }"
            " fragment F3 on Contact { ...F2 @include(if: $v0) }",
            {"v0": False},
        ),
        # the alias class, minimized from the first sweep
        ('{ citizens: appeal(id: "a5") { __typename: filedBy { phone } urgency } }', {}),
        ("{ appeal: citizens { appeals { urgency id: filedBy { phone } } } }", {}),
        ("{ districts { __typename: neighbours { office { label __typename: number } } } }", {}),
    ],
    "channels": [
        # @interfaceObject answers for every implementation: a field asked for on one must not land in another
        ('{ search(text: "bus") { ... on Call { title: stage } ... on Message { stage title } } }', {}),
        (
            '{ gridSearch(text: "any") { ...F0 ... on Message { id: title } } } fragment F0 on Call { __typename id: stage }',
            {},
        ),
        (
            '{ gridSearch(text: "any") { ... on Message { title: stage } ... on Call { related { ... on SearchHit {'
            " ...F0 } } title } } } fragment F0 on Appeal { name: stage }",
            {},
        ),
        ('{ gridSearch(text: "any") { ... on GridEvent { __typename: id } } }', {}),
        ("{ appeals { id: title stage } }", {}),
        ("{ name: stalled { __typename: id } }", {}),
        (
            "query ($v1: Boolean = true, $v2: Boolean = true) { appeals { ... on SearchHit {"
            " ... on Call @skip(if: $v2) { related: district @skip(if: $v1) } } } }",
            {"v2": True},
        ),
    ],
}


@pytest.fixture(params=sorted(CASES))
async def differential(request: pytest.FixtureRequest) -> AsyncIterator[Differential]:
    async with Differential(request.param) as running:
        yield running


async def test_every_case_found_answers_like_the_oracle(differential: Differential) -> None:
    failures = []
    for query, variables in CASES[differential.graph]:
        failure = await differential.check(Operation(query, variables))
        if failure is not None:
            failures.append(failure.report())

    assert not failures, "\n\n".join(failures)
