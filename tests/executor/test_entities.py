"""Finding objects under Flatten paths and building their representations."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gateway.executor.entities import (
    collect_entities,
    collect_entities_at,
    find_objects,
    objects_at,
    rename_keys,
    rename_path,
    rewrite_typenames,
)
from gateway.planner.plan import KeyRename, RequiresField, RequiresFragment, TypenameRewrite


def test_each_at_sign_steps_into_one_list_level_and_paths_carry_indices() -> None:
    data: dict[str, Any] = {"grid": [[{"id": 1}, None], [{"id": 2}]]}
    found = objects_at(data, ("grid", "@", "@"))
    assert [(obj["id"], path) for obj, path in found] == [(1, ("grid", 0, 0)), (2, ("grid", 1, 0))]
    # a single "@" over nested lists reaches the same objects
    assert [path for _, path in objects_at(data, ("grid", "@"))] == [("grid", 0, 0), ("grid", 1, 0)]


def test_missing_and_null_steps_yield_nothing() -> None:
    assert objects_at({"a": None}, ("a", "b")) == []
    assert objects_at({}, ("a",)) == []
    assert objects_at({"a": [1, "x"]}, ("a", "@")) == []


def test_representations_pick_fields_by_response_key_and_recurse_into_lists() -> None:
    requires = (
        RequiresField("__typename"),
        RequiresField("id"),
        RequiresField("dims", (RequiresField("w"),)),
        RequiresField("tags", (RequiresField("name"),)),
    )
    data = {
        "item": {
            "__typename": "Box",
            "id": "b1",
            "extra": 1,
            "dims": {"w": 2, "h": 3},
            "tags": [{"name": "a", "x": 0}, {"name": "b"}],
        }
    }
    batch = collect_entities(data, ("item",), requires, (), {})
    assert batch.representations == [
        {"__typename": "Box", "id": "b1", "dims": {"w": 2}, "tags": [{"name": "a"}, {"name": "b"}]}
    ]


def test_fragments_apply_by_typename_or_listed_possible_types() -> None:
    requires = (
        RequiresField("__typename"),
        RequiresFragment("Media", (RequiresField("id"),), possible_types=("Book", "Movie")),
        RequiresFragment("Book", (RequiresField("isbn"),)),
    )
    data = {"m": [{"__typename": "Book", "id": 1, "isbn": "x"}, {"__typename": "Movie", "id": 2, "isbn": "y"}]}
    batch = collect_entities(data, ("m", "@"), requires, (), {})
    assert batch.representations == [{"__typename": "Book", "id": 1, "isbn": "x"}, {"__typename": "Movie", "id": 2}]


def test_a_null_or_absent_field_of_the_entity_skips_it_but_a_nested_null_is_sent() -> None:
    requires = (RequiresField("__typename"), RequiresField("id"), RequiresField("meta", (RequiresField("a"),)))
    data = {
        "xs": [
            {"__typename": "T", "id": None, "meta": {"a": 1}},
            {"__typename": "T", "id": 1, "meta": None},
            {"__typename": "T", "id": 2},
            {"__typename": "T", "id": 3, "meta": {"a": None}},
        ]
    }
    batch = collect_entities(data, ("xs", "@"), requires, (), {})
    assert batch.representations == [{"__typename": "T", "id": 3, "meta": {"a": None}}]


def test_equal_representations_are_sent_once_and_remember_every_path() -> None:
    requires = (RequiresField("__typename"), RequiresField("id"))
    data = {"xs": [{"id": 1, "__typename": "T"}, {"__typename": "T", "id": 2}, {"__typename": "T", "id": 1}]}
    batch = collect_entities(data, ("xs", "@"), requires, (), {})
    assert batch.representations == [{"__typename": "T", "id": 1}, {"__typename": "T", "id": 2}]
    assert [[path for _, path in targets] for targets in batch.targets] == [[("xs", 0), ("xs", 2)], [("xs", 1)]]


def test_keys_equal_in_python_but_not_in_json_are_different_representations() -> None:
    requires = (RequiresField("__typename"), RequiresField("id"))
    data = {"xs": [{"__typename": "T", "id": v} for v in (1, True, 1.0, 1, "1", True)]}
    batch = collect_entities(data, ("xs", "@"), requires, (), {})
    assert batch.representations == [
        {"__typename": "T", "id": 1},
        {"__typename": "T", "id": True},
        {"__typename": "T", "id": 1.0},
        {"__typename": "T", "id": "1"},
    ]
    assert [type(r["id"]) for r in batch.representations] == [int, bool, float, str]
    assert [[path for _, path in targets] for targets in batch.targets] == [
        [("xs", 0), ("xs", 3)],
        [("xs", 1), ("xs", 5)],
        [("xs", 2)],
        [("xs", 4)],
    ]


def test_every_object_of_a_repeated_entity_is_a_target_and_those_without_keys_none() -> None:
    requires = (RequiresFragment("User", (RequiresField("__typename"), RequiresField("id"))),)
    data = {
        "posts": [
            {"author": {"__typename": "User", "id": "u1"}},
            {"author": {"__typename": "User"}},
            {"author": {"__typename": "User", "id": None}},
            {"author": {"__typename": "Bot", "id": "u1"}},
            {"author": {"__typename": "User", "id": "u1", "name": "Ada"}},
        ]
    }
    batch = collect_entities(data, ("posts", "@", "author"), requires, (), {})
    assert batch.representations == [{"__typename": "User", "id": "u1"}]
    assert batch.objects == [[data["posts"][0]["author"], data["posts"][4]["author"]]]
    assert [path for _, path in batch.targets[0]] == [("posts", 0, "author"), ("posts", 4, "author")]


def test_typename_rewrites_replace_only_the_listed_types_at_their_path() -> None:
    value: dict[str, Any] = {"__typename": "Book", "items": [{"__typename": "Book"}, {"__typename": "Pen"}]}
    rewrite_typenames(value, (TypenameRewrite(("items", "@"), "Media", ("Book",)),))
    assert value == {"__typename": "Book", "items": [{"__typename": "Media"}, {"__typename": "Pen"}]}
    rewrite_typenames(value, (TypenameRewrite((), "Item"),))
    assert value["__typename"] == "Item"


def test_an_aliased_requires_field_is_read_by_its_alias_and_sent_by_its_name() -> None:
    requires = (RequiresField("__typename"), RequiresField("comments", (RequiresField("id"),), alias="comments__1"))
    data = {"post": {"__typename": "Post", "comments": [{"id": "mine"}], "comments__1": [{"id": "c1"}, {"id": "c2"}]}}
    batch = collect_entities(data, ("post",), requires, (), {})
    assert batch.representations == [{"__typename": "Post", "comments": [{"id": "c1"}, {"id": "c2"}]}]


def test_key_renames_apply_in_order_innermost_first_and_skip_objects_without_the_alias() -> None:
    value: dict[str, Any] = {
        "xs": [{"k__alias_1": {"v__alias_1": 1}}, {"k": {"v": 2}}, None],
    }
    rename_keys(
        value,
        (
            KeyRename(("xs", "@", "k__alias_1"), "v__alias_1", "v"),
            KeyRename(("xs", "@"), "k__alias_1", "k"),
        ),
    )
    assert value == {"xs": [{"k": {"v": 1}}, {"k": {"v": 2}}, None]}


def test_error_paths_through_aliased_fields_name_the_client_response_keys() -> None:
    renames = (
        KeyRename(("xs", "@", "k__alias_1"), "v__alias_1", "v"),
        KeyRename(("xs", "@"), "k__alias_1", "k"),
    )
    assert rename_path(["xs", 3, "k__alias_1", "v__alias_1"], renames) == ["xs", 3, "k", "v"]
    assert rename_path(["xs", 0, "k"], renames) == ["xs", 0, "k"]
    assert rename_path(["ys", 0, "k__alias_1"], renames) == ["ys", 0, "k__alias_1"]


json_trees = st.recursive(
    st.none() | st.integers(0, 3) | st.sampled_from(["a", "b"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
    max_leaves=12,
)


@given(tree=json_trees, path=st.lists(st.sampled_from(["a", "b", "@"]), max_size=4))
def test_objects_are_found_level_by_level_as_the_walk_with_paths_finds_them(tree: Any, path: list[str]) -> None:
    walked = [obj for obj, _ in objects_at(tree, tuple(path))]
    found = find_objects(tree, tuple(path))
    assert [id(obj) for obj in found] == [id(obj) for obj in walked]


def test_an_object_reached_twice_takes_its_paths_in_turn() -> None:
    shared = {"__typename": "T", "id": 1}
    data = {"a": {"x": shared}, "b": [{"x": shared}]}
    requires = (RequiresField("__typename"), RequiresField("id"))
    batch = collect_entities_at(data, (("a", "x"), ("b", "@", "x")), requires, (), {})
    assert batch.objects == [[shared, shared]]
    assert [path for _, path in batch.targets[0]] == [("a", "x"), ("b", 0, "x")]


def test_an_object_a_later_answer_replaced_stands_at_the_fetch_paths_keys() -> None:
    requires = (RequiresField("__typename"), RequiresField("id"))
    data: dict[str, Any] = {"xs": [{"__typename": "T", "id": 1}, {"__typename": "T", "id": 2}]}
    batch = collect_entities(data, ("xs", "@"), requires, (), {})
    kept = data["xs"][1]
    data["xs"] = [{"__typename": "T", "id": 1}, kept]  # a parallel answer's list of another length replaced it
    assert [[path for _, path in targets] for targets in batch.targets] == [[("xs",)], [("xs", 1)]]


def test_keys_that_are_json_objects_are_compared_as_json() -> None:
    requires = (RequiresField("__typename"), RequiresField("key"))
    data = {
        "xs": [
            {"__typename": "T", "key": {"a": 1}},
            {"__typename": "T", "key": "k"},
            {"__typename": "T", "key": {"a": 1}},
        ]
    }
    batch = collect_entities(data, ("xs", "@"), requires, (), {})
    assert batch.representations == [{"__typename": "T", "key": {"a": 1}}, {"__typename": "T", "key": "k"}]
    assert [[path for _, path in targets] for targets in batch.targets] == [[("xs", 0), ("xs", 2)], [("xs", 1)]]
