"""Merging the directives composition carries to the supergraph (``@tag``, ``@inaccessible``, ``@authenticated``,
``@requiresScopes``, ``@policy``, ``@deprecated``, composed directives) and picking descriptions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from graphql import parse_value, print_ast
from graphql.type import GraphQLList, GraphQLNonNull, GraphQLString
from graphql.utilities import ast_from_value, value_from_ast_untyped

__all__ = ["merge_description", "merge_directives"]

_SCOPED = ("requiresScopes", "policy")
_SCOPE_TYPE = GraphQLList(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))


def merge_description(descriptions: Iterable[str | None]) -> str | None:
    """The most common description (the first seen among equals), as Apollo's composer picks it."""
    present = [d for d in descriptions if d]
    if not present:
        return None
    counts = Counter(present)
    return max(counts, key=lambda d: (counts[d], -present.index(d)))


def _name(printed: str) -> str:
    return printed[1:].split("(", 1)[0]


def _conjunction(printed: Sequence[str]) -> str:
    """``@requiresScopes``/``@policy`` from several subgraphs: every subgraph's condition must hold."""
    name = _name(printed[0])
    argument = "scopes" if name == "requiresScopes" else "policies"
    merged: list[frozenset[str]] = [frozenset()]
    for one in printed:
        value: Any = value_from_ast_untyped(parse_value(one.split(":", 1)[1].rsplit(")", 1)[0]))
        alternatives = [frozenset(group) for group in value or []]
        merged = [a | b for a in merged for b in alternatives] if alternatives else merged
    unique: list[list[str]] = []
    for group in merged:
        ordered = sorted(group)
        if ordered not in unique:
            unique.append(ordered)
    node = ast_from_value(unique, _SCOPE_TYPE)
    assert node is not None
    return f"@{name}({argument}: {print_ast(node)})"


def merge_directives(groups: Iterable[Sequence[str]], repeatable: frozenset[str]) -> tuple[str, ...]:
    merged: list[str] = []
    scoped: dict[str, list[str]] = {}
    for group in groups:
        for printed in group:
            name = _name(printed)
            if name in _SCOPED:
                if printed not in scoped.setdefault(name, []):
                    scoped[name].append(printed)
                continue
            if printed in merged:
                continue
            if name not in repeatable and any(_name(other) == name for other in merged):
                continue
            merged.append(printed)
    for name in _SCOPED:
        if name in scoped:
            merged.append(scoped[name][0] if len(scoped[name]) == 1 else _conjunction(scoped[name]))
    return tuple(merged)
