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


def test_entity_reached_by_one_key_leaves_by_another_with_one_fetch_per_subgraph() -> None:
    # shelf knows Volume by "isbn edition"; shipping needs "id" plus fields catalog resolves: one catalog fetch
    # (reached by the composite key) answers both the id and the required fields.
    text = assert_plan_matches("key_switch", "keys", "{ shelf { label postage } }")
    assert text.count('Fetch(service: "catalog")') == 1
    assert text.count("Fetch(") == 3


def test_provides_on_a_union_member_chooses_the_providing_root_subgraph() -> None:
    # index and picks both serve `feed`; only picks provides Article.headline: one fetch, no entity jump
    text = assert_plan_matches(
        "provides_union", "provides_union", "{ feed { ... on Article { id headline } ... on Video { id } } }"
    )
    assert text.count("Fetch(") == 1
    assert 'Fetch(service: "picks")' in text


def test_provides_on_a_union_member_jumps_only_for_the_member_not_provided() -> None:
    text = assert_plan_matches(
        "provides_union_partial",
        "provides_union",
        "{ feed { ... on Article { id headline } ... on Video { id headline } } }",
    )
    assert text.count("Fetch(") == 2
    assert 'Fetch(service: "picks")' in text
    texts_fetch = text.split('Fetch(service: "texts")')[1]
    assert "Article" not in texts_fetch


def test_one_response_key_with_different_subgraph_types_in_sibling_fragments_is_aliased() -> None:
    # Member.code is ID! in parties but Guest.code is ID: parties would reject them under one response key
    text = assert_plan_matches(
        "alias_conflict",
        "aliases",
        "{ parties { ... on Member { code contacts { ... on Member { code } ... on Guest { code label } } } "
        "... on Guest { code contacts { ... on Member { code } } } } }",
    )
    assert text.count("Fetch(") == 1
    assert "code__alias_1: code" in text
    # innermost first, so the outer path still finds the aliased objects
    assert text.index("(rename parties.@.contacts.@.code__alias_1 to 'code')") < text.index(
        "(rename parties.@.code__alias_1 to 'code')"
    )


def test_same_response_key_with_the_same_subgraph_type_needs_no_alias() -> None:
    text = assert_plan_matches(
        "alias_none", "aliases", "{ parties { ... on Member { label } ... on Guest { label } } }"
    )
    assert "__alias_" not in text


CARDS = "cards { __typename ... on Note { text } ... on Sketch { strokes } ... on Photo { pixels } }"


def test_union_under_a_shareable_value_keeps_only_members_every_producing_subgraph_knows() -> None:
    # Board.lane may come from north or south (Board is an entity): a Card there is a Note for both; Sketch is
    # north's own and is left out (its objects keep their __typename, its fields come back null)
    text = assert_plan_matches("partial_union_shared", "partial_union", "{ northBoard { lane { " + CARDS + " } } }")
    assert text.count("Fetch(") == 1
    assert "... on Note" in text
    assert "Sketch" not in text and "Photo" not in text


def test_union_under_a_field_only_one_subgraph_resolves_keeps_that_subgraphs_members() -> None:
    text = assert_plan_matches("partial_union_own", "partial_union", "{ northBoard { southLane { " + CARDS + " } } }")
    assert 'Fetch(service: "south")' in text
    assert "... on Photo" in text
    assert "Sketch" not in text


def test_conditions_that_meet_on_one_field_print_as_valid_directives() -> None:
    # Planned through tests.planner.snapshots, which validates every subgraph operation against its subgraph.
    text = assert_plan_matches(
        "conditions_meet",
        "shop",
        "query ($a: Boolean!, $b: Boolean = true) "
        "{ products { reviews { author { ... on User @include(if: $a) { username @include(if: $b) } } } } }",
    )
    assert "@include(if: $a) @include(if: $b)" not in text
    assert "... @include(if: $b) {" in text  # the second condition wraps the field in a fragment of its own


def test_helper_fields_take_response_keys_no_client_alias_uses() -> None:
    text = assert_plan_matches(
        "alias_helpers",
        "shop",
        '{ me { id: username reviews { body } } product(id: "1") { price: name weight: id shippingEstimate } }',
    )
    assert "id__key: id" in text
    assert "price__key: price" in text
    assert "weight__key: weight" in text


def test_a_helper_alias_steps_around_a_client_key_of_the_same_name() -> None:
    text = assert_plan_matches("alias_helpers_taken", "shop", "{ me { id: username id__key: email reviews { body } } }")
    assert "id__key2: id" in text
