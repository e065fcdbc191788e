"""Plan snapshots over our own small supergraphs (tests/planner/supergraphs, composed from the Federation spec).

Each test also states the property the snapshot must keep, so a regenerated golden file cannot hide a regression.
"""

from __future__ import annotations

from tests.planner.snapshots import assert_plan_matches


def test_single_subgraph_query_is_one_fetch() -> None:
    text = assert_plan_matches("single_fetch", "shop", "{ products { id name price } }")
    assert text.count("Fetch(") == 1


def test_entity_jump_uses_the_key_under_a_flatten() -> None:
    text = assert_plan_matches("entity_jump", "shop", "{ products { name inStock } }")
    assert 'Flatten(path: "products.@")' in text
    assert 'Fetch(service: "inventory")' in text
    assert text.count("Fetch(") == 2


def test_independent_entity_fetches_run_in_parallel() -> None:
    text = assert_plan_matches("parallel_entities", "shop", "{ products { name inStock reviews { body } } }")
    assert "Parallel {" in text
    assert text.count("Fetch(") == 3


def test_independent_root_fields_run_in_parallel() -> None:
    text = assert_plan_matches("parallel_roots", "shop", "{ products { name } me { email } }")
    assert text.startswith("QueryPlan {\n  Parallel {")


def test_requires_fetches_the_required_fields_first() -> None:
    text = assert_plan_matches("requires_sequence", "shop", '{ product(id: "1") { shippingEstimate } }')
    assert "Sequence {" in text
    # The representation sent to inventory carries the required fields.
    assert "price\n" in text.split('Fetch(service: "inventory")')[1]


def test_provides_avoids_a_fetch() -> None:
    text = assert_plan_matches("provides", "shop", "{ latestReviews { body author { username } } }")
    assert text.count("Fetch(") == 1


def test_field_outside_provides_jumps() -> None:
    text = assert_plan_matches("provides_partial", "shop", "{ latestReviews { author { username email } } }")
    assert 'Fetch(service: "accounts")' in text


def test_shareable_field_stays_in_the_current_subgraph() -> None:
    text = assert_plan_matches("shareable", "shop", "{ me { username plan { name seats } } }")
    assert text.count("Fetch(") == 1


def test_override_resolves_only_in_the_overriding_subgraph() -> None:
    text = assert_plan_matches("override", "override", "{ feed { title likes } }")
    assert 'Fetch(service: "b")' in text


def test_progressive_override_below_100_percent_stays_in_the_original() -> None:
    text = assert_plan_matches("override_label", "override", "{ feed { title shares } }")
    assert text.count("Fetch(") == 1


def test_interface_object_fields_come_from_the_interface_object_subgraph() -> None:
    text = assert_plan_matches("interface_object", "interface_object", "{ library { title rating } }")
    assert 'Fetch(service: "ratings")' in text
    assert "rewrite" in text  # representations' __typename becomes the interface name


def test_interface_object_root_gets_typename_from_the_interface_subgraph() -> None:
    text = assert_plan_matches(
        "interface_object_typename",
        "interface_object",
        "{ topRated { rating __typename ... on Book { pages } } }",
    )
    assert 'Fetch(service: "media")' in text


def test_mutation_root_fields_run_in_series() -> None:
    text = assert_plan_matches(
        "mutation_serial",
        "shop",
        'mutation { login(username: "li") { id } addReview(productId: "1", body: "ok") { id } logout }',
    )
    assert text.startswith("QueryPlan {\n  Sequence {")
    assert text.count("Fetch(") == 3
    assert text.index('"accounts"') < text.index('"reviews"') < text.rindex('"accounts"')


def test_skip_and_include_on_variables_become_conditions() -> None:
    text = assert_plan_matches(
        "conditions",
        "shop",
        "query ($withStock: Boolean!) { products { name inStock @include(if: $withStock) } }",
    )
    assert "Include(if: $withStock)" in text


def test_literal_skip_removes_the_fetch() -> None:
    text = assert_plan_matches("literal_skip", "shop", "{ products { name inStock @skip(if: true) } }")
    assert text.count("Fetch(") == 1


def test_typename_only_query_needs_no_fetch() -> None:
    assert assert_plan_matches("typename_only", "shop", "{ __typename }") == "QueryPlan {\n}"


def test_named_fragments_are_inlined() -> None:
    text = assert_plan_matches(
        "fragments",
        "shop",
        "query Q { products { ...P } } fragment P on Product { name inStock }",
        "Q",
    )
    assert text.count("Fetch(") == 2
