"""Entity fetch helpers: find the objects under a Flatten path, build and deduplicate their representations,
apply ``__typename`` rewrites and key renames (the semantics are in :mod:`gateway.planner.plan`).

Pure functions over the response tree (plain dicts and lists as decoded from JSON); no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.executor.merge import deep_merge
from gateway.planner.helper_keys import ESCAPED_TYPENAME
from gateway.planner.plan import KeyRename, RequiresField, RequiresFragment, RequiresSelection, TypenameRewrite

__all__ = [
    "EntityBatch",
    "collect_entities",
    "collect_entities_at",
    "objects_at",
    "rename_keys",
    "rename_path",
    "rewrite_typenames",
]

ClientPath = tuple[str | int, ...]

_MISSING = object()
_Possible = Mapping[str, frozenset[str]]


def objects_at(root: Any, path: tuple[str, ...], prefix: ClientPath = ()) -> list[tuple[dict[str, Any], ClientPath]]:
    """The objects at ``path`` under ``root`` with their client paths. ``"@"`` steps into every item of a list;
    a list met where a key or the end of the path is expected is stepped into as well (nested lists)."""
    found: list[tuple[dict[str, Any], ClientPath]] = []
    _walk(root, path, 0, prefix, found)
    return found


def _walk(
    value: Any, path: tuple[str, ...], at: int, where: ClientPath, found: list[tuple[dict[str, Any], ClientPath]]
) -> None:
    if type(value) is list:
        if at < len(path) and path[at] == "@":
            at += 1
        for position, item in enumerate(value):
            if item is not None:
                _walk(item, path, at, (*where, position), found)
        return
    if type(value) is not dict:
        return
    while at < len(path) and path[at] == "@":  # "@" over an object: nothing to step into
        at += 1
    if at == len(path):
        found.append((value, where))
        return
    key = path[at]
    child = value.get(key)
    if child is not None:
        _walk(child, path, at + 1, (*where, key), found)


def _select(value: Any, selections: tuple[RequiresSelection, ...], top: bool, schema_types: _Possible) -> Any:
    """``selections`` applied to ``value``; _MISSING when a required field is absent (or null on the entity
    itself: a representation needs its keys)."""
    if type(value) is list:
        items = []
        for item in value:
            picked = _select(item, selections, False, schema_types)
            if picked is _MISSING:
                return _MISSING
            items.append(picked)
        return items
    if type(value) is not dict:
        return value  # null (nested) or a scalar where objects were expected: passed as is
    out: dict[str, Any] = {}
    if not _apply(value, selections, out, top, schema_types):
        return _MISSING
    return out


def _apply(
    value: dict[str, Any],
    selections: tuple[RequiresSelection, ...],
    out: dict[str, Any],
    top: bool,
    schema_types: _Possible,
) -> bool:
    for selection in selections:
        if type(selection) is RequiresField:
            picked = value.get(selection.alias or selection.name, _MISSING)  # read by alias, sent by name
            if picked is _MISSING or (picked is None and top):
                return False
            if selection.selections and picked is not None:
                picked = _select(picked, selection.selections, False, schema_types)
                if picked is _MISSING:
                    return False
            existing = out.get(selection.name)
            if type(existing) is dict and type(picked) is dict:
                existing.update(picked)  # the same field selected twice (e.g. in two fragments)
            else:
                out[selection.name] = picked
        else:
            assert isinstance(selection, RequiresFragment)
            type_name = value.get("__typename")
            condition = selection.type_condition
            applies = (
                type_name == condition
                or type_name in selection.possible_types
                or (not selection.possible_types and type_name in schema_types.get(condition, ()))
            )
            if applies and not _apply(value, selection.selections, out, top, schema_types):
                return False
    return True


def rewrite_typenames(value: Any, rewrites: Iterable[TypenameRewrite]) -> None:
    """Apply ``rewrites`` in place to ``value`` (a representation or an ``_entities`` item)."""
    for rewrite in rewrites:
        for target, _ in objects_at(value, rewrite.path):
            current = target.get("__typename")
            if current is not None and (not rewrite.from_types or current in rewrite.from_types):
                target["__typename"] = rewrite.to_type


@dataclass(slots=True)
class EntityBatch:
    """The deduplicated representations of one entity fetch and, for each, the objects (with their client paths)
    that produced it."""

    representations: list[dict[str, Any]] = field(default_factory=list)
    targets: list[list[tuple[dict[str, Any], ClientPath]]] = field(default_factory=list)


def rename_keys(value: Any, renames: Iterable[KeyRename]) -> None:
    """Apply ``renames`` in place, in order, to ``value`` (a root fetch's data or an ``_entities`` item): the
    planner's aliases go back to the client's response keys."""
    for rename in renames:
        for target, _ in objects_at(value, rename.path):
            if rename.from_key not in target:
                continue
            moved = target.pop(rename.from_key)
            current = target.get(rename.to_key)
            if type(current) is dict and type(moved) is dict:
                deep_merge(current, moved)
            elif current is None or moved is not None:
                target[rename.to_key] = moved


def rename_path(path: list[str | int], renames: Iterable[KeyRename]) -> list[str | int]:
    """An error path inside an answer with the planner's aliases replaced by the client's response keys."""
    result = list(path)
    for rename in renames:
        depth = len(rename.path)
        if len(result) > depth and result[depth] == rename.from_key and _path_matches(result, rename.path):
            result[depth] = "__typename" if rename.to_key == ESCAPED_TYPENAME else rename.to_key
    return result


def _path_matches(path: list[str | int], pattern: tuple[str, ...]) -> bool:
    return all((step == "@" and type(path[i]) is int) or path[i] == step for i, step in enumerate(pattern))


def collect_entities(
    root: dict[str, Any],
    path: tuple[str, ...],
    requires: tuple[RequiresSelection, ...],
    input_rewrites: tuple[TypenameRewrite, ...],
    schema_types: _Possible,
) -> EntityBatch:
    """Representations for the objects at ``path``. A fragment in ``requires`` without ``possible_types`` on an
    abstract type matches the concrete types ``schema_types`` (the API schema's possible types) gives it."""
    return collect_entities_at(root, (path,), requires, input_rewrites, schema_types)


def collect_entities_at(
    root: dict[str, Any],
    paths: tuple[tuple[str, ...], ...],
    requires: tuple[RequiresSelection, ...],
    input_rewrites: tuple[TypenameRewrite, ...],
    schema_types: _Possible,
) -> EntityBatch:
    """:func:`collect_entities` over several paths at once, deduplicated together."""
    batch = EntityBatch()
    seen: dict[bytes, int] = {}
    for path in paths:
        for obj, where in objects_at(root, path):
            representation = _select(obj, requires, True, schema_types)
            if representation is _MISSING or "__typename" not in representation:
                continue  # a key is missing, or no type condition matched: this object is not for this subgraph
            if input_rewrites:
                rewrite_typenames(representation, input_rewrites)
            canonical = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
            index = seen.get(canonical)
            if index is None:
                seen[canonical] = len(batch.representations)
                batch.representations.append(representation)
                batch.targets.append([(obj, where)])
            else:
                batch.targets[index].append((obj, where))
    return batch
