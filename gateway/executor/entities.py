"""Entity fetch helpers: find the objects under a Flatten path, build and deduplicate their representations,
apply ``__typename`` rewrites and key renames (the semantics are in :mod:`gateway.planner.plan`).

Pure functions over the response tree (plain dicts and lists as decoded from JSON); no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

import orjson

from gateway.executor.merge import deep_merge
from gateway.planner.helper_keys import ESCAPED_TYPENAME
from gateway.planner.plan import KeyRename, RequiresField, RequiresFragment, RequiresSelection, TypenameRewrite

__all__ = [
    "EntityBatch",
    "collect_entities",
    "collect_entities_at",
    "find_objects",
    "objects_at",
    "path_before_lists",
    "rename_keys",
    "rename_path",
    "rewrite_typenames",
]

ClientPath = tuple[str | int, ...]

_MISSING: Final = object()
_Possible = Mapping[str, frozenset[str]]


# A client path while walking: a cons list (key or index, parent), built in O(1) per step and turned into a tuple
# only when a path is needed (an error to place, a failure to cover).
_Where = tuple[str | int, Any] | None


def _client_path(where: _Where) -> ClientPath:
    """The tuple form of a path built while walking."""
    steps: list[str | int] = []
    while where is not None:
        steps.append(where[0])
        where = where[1]
    steps.reverse()
    return tuple(steps)


def objects_at(root: Any, path: tuple[str, ...], prefix: ClientPath = ()) -> list[tuple[dict[str, Any], ClientPath]]:
    """The objects at ``path`` under ``root`` with their client paths. ``"@"`` steps into every item of a list;
    a list met where a key or the end of the path is expected is stepped into as well (nested lists)."""
    found: list[tuple[dict[str, Any], _Where]] = []
    _walk(root, path, 0, None, found)
    return [(obj, (*prefix, *_client_path(where))) for obj, where in found]


def _walk(
    value: Any, path: tuple[str, ...], at: int, where: _Where, found: list[tuple[dict[str, Any], _Where]]
) -> None:
    end = len(path)
    while True:  # keys step in a loop; only lists recurse
        # isinstance, not type(value) is ...: the same for decoded JSON, and it lets compiled code (scripts/native.sh)
        # index the list and look the key up without generic calls
        if isinstance(value, list):
            if at < end and path[at] == "@":
                at += 1
            for position, item in enumerate(value):
                if item is not None:
                    _walk(item, path, at, (position, where), found)
            return
        if not isinstance(value, dict):
            return
        while at < end and path[at] == "@":  # "@" over an object: nothing to step into
            at += 1
        if at == end:
            found.append((value, where))
            return
        key = path[at]
        value = value.get(key)
        if value is None:
            return
        where = (key, where)
        at += 1


_LISTS: Final = {list}
_OBJECTS: Final = {dict}


def find_objects(root: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The objects :func:`objects_at` finds, in the same order, without their paths: one level of the tree at a
    time, each level one comprehension. Answers shaped as planned take only these; anything else (nested lists,
    nulls in lists, scalars where objects belong) takes the general step."""
    level: list[Any] = [root]
    for key in path:
        if key == "@":
            if set(map(type, level)) <= _LISTS:
                level = [item for items in level for item in items if item is not None]
            else:
                level = _flattened(level)  # "@" over an object: nothing to step into
            continue
        try:
            level = [child for value in level if (child := value.get(key)) is not None]
        except AttributeError:  # a list (nested lists are stepped into) or a scalar in the way
            level = [
                child for value in _flattened(level) if type(value) is dict and (child := value.get(key)) is not None
            ]
    if set(map(type, level)) <= _OBJECTS:
        return level
    return [value for value in _flattened(level) if type(value) is dict]


def _flattened(level: list[Any]) -> list[Any]:
    """``level`` with every list in it (at any depth) replaced by its items, nulls left out."""
    out: list[Any] = []
    for value in level:
        if type(value) is list:
            out += _flattened(value)
        elif value is not None:
            out.append(value)
    return out


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


class EntityBatch:
    """The deduplicated representations of one entity fetch and, for each, the objects that produced it:
    ``objects[i]`` (for merging) and ``targets[i]`` (the same objects with their client paths, found again on first
    use: only errors and failures need the paths)."""

    __slots__ = ("_paths", "_root", "_targets", "objects", "representations")

    def __init__(self, root: Any = None, paths: tuple[tuple[str, ...], ...] = ()) -> None:
        self.representations: list[dict[str, Any]] = []
        self.objects: list[list[dict[str, Any]]] = []
        self._root = root
        self._paths = paths
        self._targets: list[list[tuple[dict[str, Any], ClientPath]]] | None = None

    @property
    def targets(self) -> list[list[tuple[dict[str, Any], ClientPath]]]:
        if self._targets is None:
            self._targets = self._find_targets()
        return self._targets

    def _find_targets(self) -> list[list[tuple[dict[str, Any], ClientPath]]]:
        """Each object's client path, by walking the paths again: the objects are found in the order they were
        collected in, so an object reached more than once takes its paths in turn. An object no longer in the tree
        (a later answer replaced a list it was in) stands at its fetch path's keys before the first list."""
        wheres: dict[int, list[_Where]] = {}
        found: list[tuple[dict[str, Any], _Where]] = []
        for path in self._paths:
            _walk(self._root, path, 0, None, found)
        for obj, where in found:
            wheres.setdefault(id(obj), []).append(where)
        fallback = path_before_lists(self._paths[0]) if self._paths else ()
        taken: dict[int, int] = {}
        targets: list[list[tuple[dict[str, Any], ClientPath]]] = []
        for objects in self.objects:
            placed: list[tuple[dict[str, Any], ClientPath]] = []
            for obj in objects:
                paths = wheres.get(id(obj), [])
                turn = taken.get(id(obj), 0)
                taken[id(obj)] = turn + 1
                placed.append((obj, _client_path(paths[turn]) if turn < len(paths) else fallback))
            targets.append(placed)
        return targets


def path_before_lists(path: tuple[str, ...]) -> tuple[str, ...]:
    """The part of a Flatten path that is a client path: the keys before the first list step."""
    for position, key in enumerate(path):
        if key == "@":
            return path[:position]
    return path


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
    abstract type matches the concrete types ``schema_types`` (the API schema's possible types) gives it.

    Equal representations are sent once. When ``requires`` reads only leaves (keys such as ``__typename id``), an
    object whose values for those fields equal an earlier object's gets that object's representation (or none)
    without building and encoding its own: the same entity is typically reached many times in a deep answer."""
    return collect_entities_at(root, (path,), requires, input_rewrites, schema_types)


def collect_entities_at(
    root: dict[str, Any],
    paths: tuple[tuple[str, ...], ...],
    requires: tuple[RequiresSelection, ...],
    input_rewrites: tuple[TypenameRewrite, ...],
    schema_types: _Possible,
) -> EntityBatch:
    """:func:`collect_entities` over several paths at once, deduplicated together."""
    batch = EntityBatch(root, paths)
    found = [obj for path in paths for obj in find_objects(root, path)]
    if not found:
        return batch
    seen: dict[bytes, int] = {}
    objects = batch.objects
    reads = _flat_reads(requires)
    if reads is None:
        for obj in found:
            _represent(batch, seen, obj, requires, input_rewrites, schema_types)
        return batch
    # Only leaves are read, at the entity itself, where an absent field and a null one both mean "no
    # representation": the leaves read stand for the representation. While every leaf is a string (or null), their
    # tuple is the key; a number, a boolean or a JSON object among them starts over keyed by their JSON, since 1,
    # 1.0 and True are equal keys in Python and different ones in JSON (a key that is only ever a string never
    # meets them: each distinct key enters ``strings`` first, where it is checked).
    strings: dict[tuple[Any, ...], int] = {}  # leaves read → representation index, -1 for none
    try:
        for obj in found:
            leaves = tuple(map(obj.get, reads))
            index = strings.get(leaves)
            if index is None:
                if not all(type(leaf) is str or leaf is None for leaf in leaves):
                    raise TypeError("not only strings")
                strings[leaves] = _represent(batch, seen, obj, requires, input_rewrites, schema_types)
            elif index >= 0:
                objects[index].append(obj)
        return batch
    except TypeError:  # a leaf that is not a string, or that cannot be hashed (a JSON object or list)
        batch.representations.clear()
        objects.clear()
        seen.clear()
    known: dict[bytes, int] = {}  # JSON of the leaves read → representation index, -1 for none
    dumps = orjson.dumps
    for obj in found:
        encoded = dumps(tuple(map(obj.get, reads)))
        index = known.get(encoded)
        if index is None:
            known[encoded] = _represent(batch, seen, obj, requires, input_rewrites, schema_types)
        elif index >= 0:
            objects[index].append(obj)
    return batch


def _represent(
    batch: EntityBatch,
    seen: dict[bytes, int],
    obj: dict[str, Any],
    requires: tuple[RequiresSelection, ...],
    input_rewrites: tuple[TypenameRewrite, ...],
    schema_types: _Possible,
) -> int:
    """Add ``obj``'s representation to ``batch`` (or ``obj`` to an equal one's) and return its index; -1 when the
    object has none."""
    representation = _select(obj, requires, True, schema_types)
    if representation is _MISSING or "__typename" not in representation:
        return -1  # a key is missing, or no type condition matched: this object is not for this subgraph
    if input_rewrites:
        rewrite_typenames(representation, input_rewrites)
    canonical = orjson.dumps(representation, option=orjson.OPT_SORT_KEYS)
    index = seen.get(canonical)
    if index is None:
        index = seen[canonical] = len(batch.representations)
        batch.representations.append(representation)
        batch.objects.append([obj])
    else:
        batch.objects[index].append(obj)
    return index


@lru_cache(maxsize=1024)  # plans are cached; a bounded memo of their requires
def _flat_reads(requires: tuple[RequiresSelection, ...]) -> tuple[str, ...] | None:
    """The response keys ``requires`` reads (``__typename`` always, for its fragments), when it reads only leaves;
    None when a field has selections of its own."""
    keys: dict[str, None] = {"__typename": None}

    def gather(selections: tuple[RequiresSelection, ...]) -> bool:
        for selection in selections:
            if type(selection) is RequiresField:
                if selection.selections:
                    return False
                keys[selection.alias or selection.name] = None
            elif not gather(selection.selections):
                return False
        return True

    return tuple(keys) if gather(requires) else None
