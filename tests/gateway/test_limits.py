"""Operation limits measured on the parsed document, fragments counted where they are spread."""

from __future__ import annotations

from graphql import parse

from gateway.limits import DEFAULT_LIMITS, OperationLimits, check_limits


def code(query: str, limits: OperationLimits = DEFAULT_LIMITS) -> str | None:
    error = check_limits(parse(query), limits)
    return None if error is None else str((error.extensions or {})["code"])


def test_a_document_within_the_limits_passes() -> None:
    assert code("{ a: me { b: friends { id } } other: hello }", OperationLimits(max_depth=3, max_aliases=3)) is None


def test_depth_counts_fields_through_fragments() -> None:
    query = "{ me { ...F } } fragment F on User { friends { friends { id } } }"
    assert code(query, OperationLimits(max_depth=4)) is None
    assert code(query, OperationLimits(max_depth=3)) == "MAX_DEPTH_EXCEEDED"


def test_aliases_count_each_time_a_fragment_is_spread() -> None:
    query = "{ me { ...F ...F ... on User { ...F } } } fragment F on User { a: id b: name }"
    assert code(query, OperationLimits(max_aliases=6)) is None
    assert code(query, OperationLimits(max_aliases=5)) == "MAX_ALIASES_EXCEEDED"


def test_root_fields_count_inline_fragments_and_spreads() -> None:
    query = "query { hello ... on Query { me { id } } ...R } fragment R on Query { a: hello b: hello }"
    assert code(query, OperationLimits(max_root_fields=4)) is None
    assert code(query, OperationLimits(max_root_fields=3)) == "MAX_ROOT_FIELDS_EXCEEDED"


def test_every_operation_of_the_document_is_held_to_the_limits() -> None:
    assert code("query A { hello } query B { a { b { c } } }", OperationLimits(max_depth=2)) == "MAX_DEPTH_EXCEEDED"


def test_cyclic_and_unknown_fragments_are_left_to_validation() -> None:
    assert code("{ me { ...A ...Nope } } fragment A on User { ...B } fragment B on User { ...A }") is None


def test_switched_off_limits_check_nothing() -> None:
    none = OperationLimits(max_depth=None, max_aliases=None, max_root_fields=None)
    assert code("{ " + " ".join(f"a{i}: x" for i in range(500)) + " }", none) is None
