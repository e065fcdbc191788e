"""Composition errors: one test per family, each asserting the code and where it points (subgraph, type, field)."""

from __future__ import annotations

from schema.compose import CompositionError, CompositionResult
from tests.schema.compose.conftest import Composer, fed2

QUERY = "type Query { t: T }\n"


def located(result: CompositionResult) -> set[tuple[str, str | None, str | None, str | None]]:
    assert result.supergraph_sdl is None
    return {(e.code, e.subgraph, e.type_name, e.field_name) for e in result.errors}


def test_sdl_that_does_not_parse_is_invalid_graphql(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2(QUERY + "type T { id: ID! "), b=fed2("type Query { b: Int }"))
    assert located(result) == {("INVALID_GRAPHQL", "a", None, None)}


def test_unknown_type_reference_is_invalid_graphql(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2("type Query { t: Missing }"))
    assert located(result) == {("INVALID_GRAPHQL", "a", "Query", "t")}


def test_field_resolved_in_two_subgraphs_without_shareable(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! name: String }'),
        b=fed2('type T @key(fields: "id") { id: ID! name: String @shareable }'),
    )
    assert located(result) == {("INVALID_FIELD_SHARING", "a", "T", "name")}


def test_root_field_in_two_subgraphs_must_be_shareable(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2("type Query { hello: String }"), b=fed2("type Query { hello: String }"))
    assert located(result) == {("INVALID_FIELD_SHARING", "a", "Query", "hello")}


def test_external_field_nobody_defines(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! w: Int @external total: Int @requires(fields: "w") }'),
        b=fed2('type T @key(fields: "id") { id: ID! }'),
    )
    assert located(result) == {("EXTERNAL_MISSING_ON_BASE", "a", "T", "w")}


def test_external_type_the_owner_does_not_produce(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! w: Int! @external total: Int @requires(fields: "w") }'),
        b=fed2('type T @key(fields: "id") { id: ID! w: Int }'),
    )
    assert located(result) == {("EXTERNAL_TYPE_MISMATCH", "a", "T", "w")}


def test_key_over_an_interface_field(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(
            QUERY + 'interface N { id: ID! } type X implements N { id: ID! } type T @key(fields: "n { id }") { n: N }'
        )
    )
    assert located(result) == {("KEY_FIELDS_SELECT_INVALID_TYPE", "a", "T", "n")}


def test_key_over_a_missing_field(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2(QUERY + 'type T @key(fields: "uuid") { id: ID! }'))
    assert located(result) == {("KEY_INVALID_FIELDS", "a", "T", "uuid")}


def test_key_that_does_not_parse(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2(QUERY + 'type T @key(fields: "id {") { id: ID! }'))
    assert located(result) == {("KEY_INVALID_FIELDS", "a", "T", None)}


def test_key_over_a_field_with_arguments(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2(QUERY + 'type T @key(fields: "id") { id(v: Int): ID! }'))
    assert located(result) == {("KEY_FIELDS_HAS_ARGS", "a", "T", "id")}


def test_requires_selecting_an_unknown_field(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! total: Int @requires(fields: "weight") }'),
    )
    assert located(result) == {("REQUIRES_INVALID_FIELDS", "a", "T", "total")}


def test_requires_over_a_field_not_external(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! w: Int total: Int @requires(fields: "w") }'),
    )
    assert located(result) == {("REQUIRES_FIELDS_MISSING_EXTERNAL", "a", "T", "total")}


def test_provides_selecting_a_leaf_with_subselection(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(
            'type Query { t: T @provides(fields: "name { x }") } type T @key(fields: "id") { id: ID! name: String @external }'
        ),
        b=fed2('type T @key(fields: "id") { id: ID! name: String @shareable }'),
    )
    assert located(result) == {("PROVIDES_INVALID_FIELDS", "a", "Query", "t")}


def test_provides_on_a_leaf_field(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2('type Query { n: Int @provides(fields: "x") }'))
    assert located(result) == {("PROVIDES_ON_NON_OBJECT_FIELD", "a", "Query", "n")}


def test_field_types_that_do_not_merge(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + "type T @shareable { v: Int }"),
        b=fed2("type T @shareable { v: String }"),
    )
    assert located(result) == {("FIELD_TYPE_MISMATCH", "b", "T", "v")}


def test_argument_types_that_do_not_merge(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + "type T @shareable { v(x: Int): Int }"),
        b=fed2("type T @shareable { v(x: String): Int }"),
    )
    assert located(result) == {("FIELD_ARGUMENT_TYPE_MISMATCH", "b", "T", "v")}


def test_required_argument_missing_in_some_subgraph(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + "type T @shareable { v(x: Int!): Int }"),
        b=fed2("type T @shareable { v: Int }"),
    )
    assert located(result) == {("REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH", "a", "T", "v")}


def test_enum_used_both_ways_with_different_values(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2("type Query { c(in: Color): Color } enum Color { RED GREEN }"),
        b=fed2("type Query { d: Color } enum Color { RED }"),
    )
    assert located(result) == {("ENUM_VALUE_MISMATCH", "b", "Color", None)}


def test_input_types_sharing_no_field(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2("type Query { f(i: I): Int } input I { a: Int }"),
        b=fed2("type Query { g(i: I): Int } input I { b: Int }"),
    )
    assert located(result) == {("EMPTY_MERGED_INPUT_TYPE", "a", "I", None)}


def test_required_input_field_missing_in_some_subgraph(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2("type Query { f(i: I): Int } input I { a: Int b: Int! }"),
        b=fed2("type Query { g(i: I): Int } input I { a: Int }"),
    )
    assert located(result) == {("REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH", "b", "I", "b")}


def test_type_kinds_that_differ(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2("type Query { t: T } type T @shareable { v: Int }"),
        b=fed2("type Query { u(t: T): Int } input T { v: Int }"),
    )
    assert located(result) == {("TYPE_KIND_MISMATCH", "b", "T", None)}


def test_override_of_a_field_that_is_overridden_itself(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! v: Int @override(from: "b") }'),
        b=fed2('type T @key(fields: "id") { id: ID! v: Int @override(from: "a") }'),
    )
    assert located(result) == {
        ("OVERRIDE_SOURCE_HAS_OVERRIDE", "a", "T", "v"),
        ("OVERRIDE_SOURCE_HAS_OVERRIDE", "b", "T", "v"),
    }


def test_override_from_itself(compose_sdl: Composer) -> None:
    result = compose_sdl(a=fed2(QUERY + 'type T @key(fields: "id") { id: ID! v: Int @override(from: "a") }'))
    assert located(result) == {("OVERRIDE_FROM_SELF_ERROR", "a", "T", "v")}


def test_compose_directive_of_an_undefined_directive(compose_sdl: Composer) -> None:
    sdl = fed2('extend schema @composeDirective(name: "@nowhere")\n' + QUERY + "type T { v: Int }")
    result = compose_sdl(a=sdl)
    assert located(result) == {("DIRECTIVE_COMPOSITION_ERROR", "a", None, None)}


def test_every_error_is_reported_at_once(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2('type Query { hello: String t: T } type T @key(fields: "nope") { id: ID! }'),
        b=fed2("type Query { hello: String }"),
        c="type Query {",
    )
    assert located(result) == {
        ("INVALID_GRAPHQL", "c", None, None),
        ("KEY_INVALID_FIELDS", "a", "T", "nope"),
        ("INVALID_FIELD_SHARING", "a", "Query", "hello"),
    }
    assert all(isinstance(e, CompositionError) and e.message for e in result.errors)


def test_errors_read_as_one_line_with_their_location() -> None:
    error = CompositionError("INVALID_FIELD_SHARING", "not shareable", "a", "T", "name")
    assert str(error) == "INVALID_FIELD_SHARING: [a] T.name: not shareable"
