"""Deep merge of subgraph answers into the response tree."""

from __future__ import annotations

from typing import Any

from gateway.executor.merge import deep_merge


def test_objects_merge_key_by_key_and_lists_item_by_item() -> None:
    target: dict[str, Any] = {"me": {"id": "u1", "reviews": [{"id": "r1"}, {"id": "r2"}]}}
    deep_merge(target, {"me": {"name": "Ada", "reviews": [{"body": "a"}, {"body": "b"}]}})
    assert target == {
        "me": {"id": "u1", "name": "Ada", "reviews": [{"id": "r1", "body": "a"}, {"id": "r2", "body": "b"}]}
    }


def test_a_null_does_not_erase_what_another_subgraph_answered() -> None:
    target: dict[str, Any] = {"me": {"name": "Ada"}, "top": [1, None]}
    deep_merge(target, {"me": None, "top": [None, 2], "extra": None})
    assert target == {"me": {"name": "Ada"}, "top": [1, 2], "extra": None}


def test_merging_keeps_the_identity_of_existing_objects() -> None:
    inner: dict[str, Any] = {"id": "u1"}
    target: dict[str, Any] = {"me": inner}
    deep_merge(target, {"me": {"name": "Ada"}})
    assert target["me"] is inner
    assert inner == {"id": "u1", "name": "Ada"}
