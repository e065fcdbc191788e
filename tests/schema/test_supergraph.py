"""Loading supergraphs: join metadata, the API schema, and errors for what is not a supergraph."""

from __future__ import annotations

import gc
import hashlib
import re
from pathlib import Path

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, parse, print_schema, validate
from graphql.validation.validate import validate_sdl

from schema.errors import SupergraphError
from schema.fieldset import parse_fieldset
from schema.supergraph import Supergraph, load_supergraph

SUPERGRAPHS = Path(__file__).parents[1] / "planner" / "supergraphs"


@pytest.fixture(scope="module")
def shop() -> Supergraph:
    return load_supergraph((SUPERGRAPHS / "shop.graphql").read_text())


def test_subgraph_names_and_urls_come_from_join_graph(shop: Supergraph) -> None:
    assert set(shop.subgraph_urls) == {"products", "inventory", "reviews", "accounts"}
    assert all(url.startswith("http://") for url in shop.subgraph_urls.values())


def test_schema_hash_is_the_sha256_of_the_sdl(shop: Supergraph) -> None:
    assert shop.schema_hash == hashlib.sha256(shop.sdl.encode()).hexdigest()


def test_entity_keys_per_subgraph(shop: Supergraph) -> None:
    product = shop.type("Product")
    assert set(product.graphs) == {"products", "inventory", "reviews"}
    assert [key.fields for key in product.keys_in("inventory")] == ["id"]
    assert all(key.resolvable for key in product.keys_in("inventory"))


def test_requires_and_external_fields(shop: Supergraph) -> None:
    estimate = shop.field("Product", "shippingEstimate")
    assert estimate is not None
    assert estimate.graphs["inventory"].requires == "price weight"
    price = shop.field("Product", "price")
    assert price is not None
    assert price.graphs["inventory"].external
    assert price.resolving_graphs() == ("products",)


def test_provides_and_shareable(shop: Supergraph) -> None:
    author = shop.field("Review", "author")
    assert author is not None and author.graphs["reviews"].provides == "username"
    username = shop.field("User", "username")
    assert username is not None and username.graphs["reviews"].external
    plan = shop.field("User", "plan")
    assert plan is not None and not plan.shareable
    assert shop.field("Plan", "name") is not None


def test_override_and_progressive_override_labels() -> None:
    model = load_supergraph((SUPERGRAPHS / "override.graphql").read_text())
    likes = model.field("Post", "likes")
    assert likes is not None and likes.resolving_graphs() == ("b",)
    assert likes.graphs["b"].override == "a"
    shares = model.field("Post", "shares")
    assert shares is not None
    assert shares.graphs["b"].override_label == "percent(25)"
    # Below 100 percent the label is not active: the original subgraph keeps resolving the field.
    assert shares.resolving_graphs() == ("a",)


def test_interface_object_and_implementations_per_subgraph() -> None:
    model = load_supergraph((SUPERGRAPHS / "interface_object.graphql").read_text())
    media = model.type("Media")
    assert media.kind == "interface"
    assert media.is_interface_object_in("ratings")
    assert not media.is_interface_object_in("media")
    assert model.type("Book").implements["media"] == frozenset({"Media"})
    assert model.possible_types_in("Media", "media") == ("Book", "Movie")
    assert model.possible_types_in("Media", "ratings") == ()


def test_api_schema_drops_join_machinery_and_inaccessible_elements(shop: Supergraph) -> None:
    api = shop.api_schema
    printed = print_schema(api)
    assert "join__" not in printed and "link__" not in printed and "@link" not in printed
    product = api.get_type("Product")
    assert isinstance(product, GraphQLObjectType)
    assert "internalCode" not in product.fields
    assert product.description == "Products on sale."
    category = api.get_type("Category")
    assert isinstance(category, GraphQLEnumType)
    assert set(category.values) == {"BOOKS", "TOOLS"}
    assert validate(api, parse("{ products { internalCode } }"))
    assert not validate(api, parse("{ products { id name category } }"))


def test_planner_schema_keeps_inaccessible_fields(shop: Supergraph) -> None:
    product = shop.schema.get_type("Product")
    assert isinstance(product, GraphQLObjectType)
    assert "internalCode" in product.fields


def test_unparsable_sdl_is_a_supergraph_error() -> None:
    with pytest.raises(SupergraphError, match="not valid GraphQL SDL"):
        load_supergraph("type Query {")


def test_schema_without_join_spec_is_rejected() -> None:
    with pytest.raises(SupergraphError, match="no join spec"):
        load_supergraph("type Query { hello: String }")


def test_unsupported_join_version_is_rejected(shop: Supergraph) -> None:
    with pytest.raises(SupergraphError, match="unsupported join spec version"):
        load_supergraph(shop.sdl.replace("join/v0.3", "join/v0.9"))


def test_unknown_graph_in_join_type_is_rejected(shop: Supergraph) -> None:
    broken = shop.sdl.replace('@join__type(graph: INVENTORY, key: "id")', '@join__type(graph: NOWHERE, key: "id")')
    assert broken != shop.sdl
    with pytest.raises(SupergraphError):
        load_supergraph(broken)


def test_invalid_fieldset_is_rejected(shop: Supergraph) -> None:
    broken = shop.sdl.replace('requires: "price weight"', 'requires: "price {"')
    with pytest.raises(SupergraphError, match="invalid FieldSet"):
        load_supergraph(broken)


def test_fieldset_parsing_handles_nesting_and_fragments() -> None:
    selection = parse_fieldset("id organization { id } ... on Book { isbn }")
    assert len(selection.selections) == 3


# Each edit of the shop supergraph breaks one rule of GraphQL's SDL validation: the load refuses it with what is wrong,
# as graphql-core's own validate_sdl does (the load checks those rules itself, in one pass over the definitions).
INVALID_EDITS = {
    "duplicate type": ("type Review\n", "type Review { id: ID! }\n\ntype Review\n", "only one type named 'Review'"),
    "duplicate field": ("body: String!\n  author", "body: String!\n  body: String\n  author", "Review.body is defined"),
    "duplicate enum value": ("  TOOLS @join", "  BOOKS\n  TOOLS @join", "Category.BOOKS is defined more than once"),
    "duplicate argument": ("product(id: ID!)", "product(id: ID!, id: ID)", "'id' is defined more than once"),
    "duplicate directive definition": (
        "scalar join__FieldSet\n",
        "scalar join__FieldSet\n\ndirective @join__graph(name: String!, url: String!) on ENUM_VALUE\n",
        "only one directive named @join__graph",
    ),
    "second schema definition": ("type Review\n", "schema { query: Query }\n\ntype Review\n", "only one schema"),
    "unknown directive": ("body: String!\n  author", "body: String! @cached\n  author", "unknown directive @cached"),
    "directive in the wrong place": (
        "body: String!\n  author",
        "body: String! @join__type(graph: REVIEWS)\n  author",
        "@join__type may not be used on FIELD_DEFINITION",
    ),
    "unknown directive argument": (
        'provides: "username")',
        'provides: "username", cached: true)',
        "unknown argument 'cached' of @join__field",
    ),
    "argument given twice": ('provides: "username")', 'provides: "username", provides: "id")', "more than once"),
    "required argument missing": (
        "type Review\n  @join__type(graph: REVIEWS)",
        'type Review\n  @join__type(key: "id")',
        "lacks its required argument 'graph'",
    ),
    "non-repeatable directive repeated": (
        "SECRET @inaccessible",
        "SECRET @inaccessible @inaccessible",
        "@inaccessible can only be used once",
    ),
    "extension of a missing type": ("type Review\n", "extend type Nowhere { id: ID }\n\ntype Review\n", "no such type"),
    "unknown type": ("body: String!\n  author", "body: Text!\n  author", "Unknown type: 'Text'"),
}


@pytest.mark.parametrize("edit", INVALID_EDITS.values(), ids=list(INVALID_EDITS))
def test_a_supergraph_breaking_sdl_validation_is_refused_saying_what_is_wrong(
    shop: Supergraph, edit: tuple[str, str, str]
) -> None:
    old, new, says = edit
    assert shop.sdl.count(old) == 1
    broken = shop.sdl.replace(old, new)
    assert validate_sdl(parse(broken)), "graphql-core's own SDL validation refuses it too"
    with pytest.raises(SupergraphError, match=re.escape(says)):
        load_supergraph(broken)


def test_the_collector_runs_again_after_a_load_whether_it_succeeds_or_not(shop: Supergraph) -> None:
    load_supergraph(shop.sdl)
    with pytest.raises(SupergraphError):
        load_supergraph("type Query {")
    assert gc.isenabled()
