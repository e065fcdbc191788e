"""How subgraphs merge: each supergraph is checked for the join metadata Apollo's composer emits, and loaded
back with :func:`schema.supergraph.load_supergraph` (the round trip the gateway makes)."""

from __future__ import annotations

from graphql import parse

from schema.compose import CompositionResult
from schema.supergraph import Supergraph, load_supergraph
from tests.schema.compose.conftest import Composer, fed2


def supergraph_of(result: CompositionResult) -> tuple[dict[str, str], Supergraph]:
    """Each definition's text as printed (keyed by name, the schema as "schema"), and the loaded supergraph."""
    assert result.errors == ()
    sdl = result.supergraph_sdl
    assert sdl is not None
    texts: dict[str, str] = {}
    for definition in parse(sdl).definitions:
        assert definition.loc is not None
        name = getattr(getattr(definition, "name", None), "value", None) or "schema"
        texts[name] = sdl[definition.loc.start : definition.loc.end]
    return texts, load_supergraph(sdl)


def test_shareable_value_type_needs_no_join_field(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            a=fed2("type Query { a: Loc } type Loc @shareable { x: Int y: Int }"),
            b=fed2("type Query { b: Loc } type Loc @shareable { x: Int y: Int }"),
        )
    )
    assert "@join__field" not in types["Loc"]
    assert set(supergraph.type("Loc").graphs) == {"a", "b"}
    assert supergraph.field("Loc", "x") is not None and supergraph.field("Loc", "x").shareable  # type: ignore[union-attr]


def test_entity_fields_split_over_subgraphs(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            users=fed2(
                'type Query { me: User } type User @key(fields: "id") @key(fields: "email", resolvable: false) { id: ID! email: String! name: String }'
            ),
            reviews=fed2('type User @key(fields: "id") { id: ID! reviewCount: Int }'),
        )
    )
    assert '@join__type(graph: USERS, key: "email", resolvable: false)' in types["User"]
    assert "reviewCount: Int @join__field(graph: REVIEWS)" in types["User"]
    assert "name: String @join__field(graph: USERS)" in types["User"]
    assert "  id: ID!\n" in types["User"]
    assert supergraph.field("User", "reviewCount").resolving_graphs() == ("reviews",)  # type: ignore[union-attr]
    assert [(k.fields, k.resolvable) for k in supergraph.type("User").keys_in("users")] == [
        ("id", True),
        ("email", False),
    ]


def test_output_enum_is_the_union_and_input_enum_the_intersection(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            a=fed2("type Query { c: Color f(s: Size): Int } enum Color { RED GREEN } enum Size { S M L }"),
            b=fed2("type Query { d: Color g(s: Size): Int } enum Color { RED BLUE } enum Size { M L XL }"),
        )
    )
    assert "BLUE @join__enumValue(graph: B)" in types["Color"]
    assert "RED @join__enumValue(graph: A) @join__enumValue(graph: B)" in types["Color"]
    assert set(supergraph.type("Size").enum_values) == {"M", "L"}
    assert set(supergraph.type("Color").enum_values) == {"RED", "GREEN", "BLUE"}


def test_input_type_is_the_intersection_of_its_fields(compose_sdl: Composer) -> None:
    types, _ = supergraph_of(
        compose_sdl(
            a=fed2("type Query { f(i: Filter): Int } input Filter { q: String limit: Int }"),
            b=fed2("type Query { g(i: Filter): Int } input Filter { q: String! since: String }"),
        )
    )
    assert "q: String!" in types["Filter"] and "limit" not in types["Filter"] and "since" not in types["Filter"]
    assert '@join__field(graph: A, type: "String")' in types["Filter"]


def test_interfaces_and_unions_spread_over_subgraphs(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            a=fed2(
                'type Query { s: [Result] } union Result = Book interface Node { id: ID! } type Book implements Node @key(fields: "id") { id: ID! }'
            ),
            b=fed2(
                'union Result = Movie interface Node { id: ID! } type Movie implements Node @key(fields: "id") { id: ID! } type Query { m: Movie }'
            ),
        )
    )
    assert '@join__unionMember(graph: A, member: "Book")' in types["Result"]
    assert '@join__unionMember(graph: B, member: "Movie")' in types["Result"]
    assert '@join__implements(graph: B, interface: "Node")' in types["Movie"]
    assert set(supergraph.possible_types("Node")) == {"Book", "Movie"}


def test_override_with_a_label_uses_join_v04(compose_sdl: Composer) -> None:
    result = compose_sdl(
        a=fed2(
            'type Query { t: T } type T @key(fields: "id") { id: ID! v: Int @override(from: "b", label: "percent(25)") }',
            "2.7",
        ),
        b=fed2('type T @key(fields: "id") { id: ID! v: Int }', "2.7"),
    )
    types, supergraph = supergraph_of(result)
    assert "https://specs.apollo.dev/join/v0.4" in types["schema"]
    assert '@join__field(graph: A, override: "b", overrideLabel: "percent(25)")' in types["T"]
    assert '@join__field(graph: B, overrideLabel: "percent(25)")' in types["T"]
    assert supergraph.field("T", "v").resolving_graphs() == ("b",)  # type: ignore[union-attr]


def test_override_moves_the_field_and_keeps_a_used_copy(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            a=fed2(
                'type Query { t: T } type T @key(fields: "id") { id: ID! v: Int @override(from: "b") w: Int @override(from: "b") }'
            ),
            b=fed2('type T @key(fields: "id") { id: ID! v: Int w: Int @external x: Int @requires(fields: "w") }'),
        )
    )
    assert "join/v0.3" in types["schema"]
    assert 'v: Int @join__field(graph: A, override: "b")\n' in types["T"]
    assert supergraph.field("T", "v").resolving_graphs() == ("a",)  # type: ignore[union-attr]


def test_interface_object_fields_reach_every_implementation(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            a=fed2(
                'type Query { n: [Node] } interface Node @key(fields: "id") { id: ID! } type User implements Node @key(fields: "id") { id: ID! }'
            ),
            b=fed2('type Node @key(fields: "id") @interfaceObject { id: ID! tags: [String] }'),
        )
    )
    assert '@join__type(graph: B, key: "id", isInterfaceObject: true)' in types["Node"]
    assert "tags: [String] @join__field(graph: B)" in types["Node"]
    assert "tags: [String] @join__field\n" in types["User"]
    assert supergraph.type("Node").is_interface_object_in("b")


def test_federation_1_extends_and_externals(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(
        compose_sdl(
            a='type Query { me: User @provides(fields: "name") } type User @key(fields: "id") @extends { id: ID! @external name: String @external age: Int @external rid: ID }',
            b='type Query { u: User } type User @key(fields: "id") { id: ID! name: String age: Int }',
        )
    )
    assert '@join__type(graph: A, key: "id", extension: true)' in types["User"]
    assert "name: String @join__field(graph: A, external: true) @join__field(graph: B)" in types["User"]
    assert "age: Int @join__field(graph: B)" in types["User"]  # the unused @external is dropped
    assert supergraph.type("User").graphs["a"].extension


def test_custom_root_names_and_renamed_imports(compose_sdl: Composer) -> None:
    a = (
        'schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "@id"}]) '
        "{ query: RootQuery }\n"
        'type RootQuery { t: T } type T @id(fields: "id") { id: ID! }'
    )
    b = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed")\ntype T @fed__key(fields: "id") @fed__shareable { id: ID! v: Int }'
    types, supergraph = supergraph_of(compose_sdl(a=a, b=b))
    assert "RootQuery" not in types and "t: T @join__field(graph: A)" in types["Query"]
    assert [k.fields for k in supergraph.type("T").keys_in("a")] == ["id"]
    assert [k.fields for k in supergraph.type("T").keys_in("b")] == ["id"]


def test_security_directives_are_carried_with_their_links(compose_sdl: Composer) -> None:
    a = fed2(
        'type Query { t: T @authenticated @requiresScopes(scopes: [["read"]]) @tag(name: "public") }\n'
        'type T @key(fields: "id") @policy(policies: [["staff"]]) { id: ID! secret: String @inaccessible }'
    )
    b = fed2('type T @key(fields: "id") { id: ID! note: String @requiresScopes(scopes: [["write"]]) }')
    types, supergraph = supergraph_of(compose_sdl(a=a, b=b))
    for spec in ("inaccessible/v0.2", "tag/v0.3", "authenticated/v0.1", "requiresScopes/v0.1", "policy/v0.1"):
        assert spec in types["schema"]
    assert {"inaccessible", "tag", "authenticated", "requiresScopes", "policy"} <= set(types)
    assert "secret: String @inaccessible @join__field(graph: A)" in types["T"] or "@inaccessible" in types["T"]
    assert "secret" not in supergraph.api_schema.get_type("T").fields  # type: ignore[union-attr]


def test_composed_directive_is_linked_defined_and_applied(compose_sdl: Composer) -> None:
    a = fed2(
        'extend schema @link(url: "https://example.test/cache/v1.0", import: ["@cached"]) @composeDirective(name: "@cached")\n'
        "directive @cached(ttl: Int) on FIELD_DEFINITION\n"
        "type Query { t: Int @cached(ttl: 5) }"
    )
    types, _ = supergraph_of(compose_sdl(a=a))
    assert '@link(url: "https://example.test/cache/v1.0", import: ["@cached"])' in types["schema"]
    assert "cached" in types and "@cached(ttl: 5)" in types["Query"]


def test_subgraph_names_become_graph_enum_values(compose_sdl: Composer) -> None:
    types, supergraph = supergraph_of(compose_sdl(**{"all-products": fed2("type Query { p: Int }")}))
    assert (
        'ALL_PRODUCTS @join__graph(name: "all-products", url: "http://all-products.test/graphql")'
        in types["join__Graph"]
    )
    assert supergraph.graphs == ("all-products",)
