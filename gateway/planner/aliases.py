"""Aliases that keep a subgraph operation valid when sibling fragments select one response key with different types.

GraphQL's "fields in set can merge" rule lets ``... on User { id }`` and ``... on Admin { id }`` share a response key
only when both fields have the same response shape. The supergraph may agree (both ``ID``) while a subgraph does not
(``ID!`` there for ``User``): the subgraph would reject the operation. Like Apollo's planner, every variant of a
response key after the first gets an alias of its own in the subgraph operation, and the fetch carries a
:class:`~gateway.planner.plan.KeyRename` that moves the value back to the client's response key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from gateway.planner.groups import FetchGroup
from gateway.planner.helper_keys import ClientKeys
from gateway.planner.plan import KeyRename
from gateway.planner.selection import OutField, OutSelectionSet
from schema.supergraph import Supergraph

__all__ = ["alias_conflicting_fields"]

_Member = tuple[str, OutField, OutSelectionSet]  # parent type, field, the selection set holding it


def alias_conflicting_fields(
    supergraph: Supergraph, groups: Iterable[FetchGroup], root_type: str, client_keys: ClientKeys
) -> None:
    """Alias conflicting fields in every group's selection (in place) and record the renames on the group (after
    them, the group's escapes of client fields aliased ``__typename``, whose paths are the client's keys)."""
    for group in groups:
        renames: list[KeyRename] = []
        _level(supergraph, group.subgraph, [(root_type, group.selections)], (), renames, client_keys)
        group.output_renames = renames + group.escapes


def _members(parent: str, selection_set: OutSelectionSet) -> Iterator[_Member]:
    """Fields of a selection set and of its inline fragments, which all land in the same response object."""
    for item in selection_set:
        if isinstance(item, OutField):
            yield parent, item, selection_set
        else:
            yield from _members(item.type_condition, item.selections)


def _type_in(supergraph: Supergraph, subgraph: str, parent: str, field: OutField) -> str:
    if field.name == "__typename":
        return "String!"
    meta = supergraph.field(parent, field.name)
    if meta is None:
        return ""
    entry = meta.graphs.get(subgraph)
    return entry.type if entry is not None and entry.type else meta.type


def _named(type_text: str) -> str:
    return type_text.replace("[", "").replace("]", "").replace("!", "").strip()


def _same_shape(supergraph: Supergraph, first: str, second: str) -> bool:
    """GraphQL's SameResponseShape at one level: the same list and non-null wrapping, and the same leaf type
    (composite types may differ; their selections are compared one level down)."""
    first_named, second_named = _named(first), _named(second)
    if first.replace(first_named, "") != second.replace(second_named, ""):
        return False
    if first_named == second_named:
        return True
    return all(_is_composite(supergraph, name) for name in (first_named, second_named))


def _is_composite(supergraph: Supergraph, name: str) -> bool:
    meta = supergraph.types.get(name)
    return meta is not None and meta.kind in ("object", "interface", "union")


def _realias(container: OutSelectionSet, field: OutField, alias: str) -> None:
    old = ("f", field.response_key)
    field.alias = alias
    container.items = {(("f", alias) if key == old else key): item for key, item in container.items.items()}


def _level(
    supergraph: Supergraph,
    subgraph: str,
    sets: list[tuple[str, OutSelectionSet]],
    path: tuple[str, ...],
    renames: list[KeyRename],
    client_keys: ClientKeys,
) -> None:
    """One response object level (the selection sets that merge into it); renames come out innermost first."""
    by_key: dict[str, list[_Member]] = {}
    for parent, selection_set in sets:
        for member in _members(parent, selection_set):
            by_key.setdefault(member[1].response_key, []).append(member)
    own: list[KeyRename] = []
    final: dict[str, list[tuple[str, OutField]]] = {}
    for key, members in by_key.items():
        variants: list[str] = []
        for parent, field, container in members:
            type_text = _type_in(supergraph, subgraph, parent, field)
            chosen = next((i for i, seen in enumerate(variants) if _same_shape(supergraph, seen, type_text)), None)
            if chosen is None:
                chosen = len(variants)
                variants.append(type_text)
            if chosen:
                alias = client_keys.free(f"{key}__alias_{chosen}")
                _realias(container, field, alias)
                rename = KeyRename(path, alias, key)
                if rename not in own:
                    own.append(rename)
            final.setdefault(field.response_key, []).append((type_text, field))
    for key, fields in final.items():
        inner = [(_named(t), f.selections) for t, f in fields if f.selections is not None]
        if inner:
            depth = fields[0][0].count("[")
            _level(supergraph, subgraph, inner, (*path, key, *(["@"] * depth)), renames, client_keys)
    renames.extend(own)
