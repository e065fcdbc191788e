"""Deep merge of subgraph answers into the response tree, by response key (after Apollo Router's ``deep_merge``).

Objects merge key by key, lists of the same length item by item; anything else is replaced by the newer value,
except that a null never erases a value another subgraph already supplied (a subgraph that nulled a field because
of its own error should not undo what the rest of the graph answered). Merging happens in place into ``target``;
values taken from ``source`` are not copied, so a deduplicated entity answer merged into several objects shares its
sub-objects between them — harmless, since the tree is only read afterwards and shaping builds fresh objects.
"""

from __future__ import annotations

from typing import Any

__all__ = ["deep_merge"]


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    if target.keys().isdisjoint(source):  # typical of an entity answer: only new fields
        target.update(source)
        return
    for key, value in source.items():
        current = target.get(key)
        if current is None:
            if value is not None or key not in target:
                target[key] = value
        elif value is None:
            continue
        elif type(current) is dict and type(value) is dict:
            if current is not value:
                deep_merge(current, value)
        elif type(current) is list and type(value) is list and len(current) == len(value):
            _merge_lists(current, value)
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any]) -> None:
    for position, value in enumerate(source):
        current = target[position]
        if current is None:
            target[position] = value
        elif value is None:
            continue
        elif type(current) is dict and type(value) is dict:
            if current is not value:
                deep_merge(current, value)
        elif type(current) is list and type(value) is list and len(current) == len(value):
            _merge_lists(current, value)
        else:
            target[position] = value
