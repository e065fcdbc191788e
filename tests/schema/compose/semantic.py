"""Semantic comparison of SDL documents: the same definitions, fields, arguments, values and directives,
whatever their order."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, Node, parse, print_ast

__all__ = ["canonical_definitions"]

_SORTED = ("directives", "fields", "arguments", "values", "interfaces", "types", "operation_types")


def _canonical(node: Any) -> Any:
    if isinstance(node, tuple | list):
        return [_canonical(item) for item in node]
    if not isinstance(node, Node):
        return node
    values: dict[str, Any] = {}
    for key in node.keys:
        if key == "loc":
            continue
        value = _canonical(getattr(node, key))
        if key in _SORTED and isinstance(value, list):
            value = sorted(value, key=print_ast)
        values[key] = tuple(value) if isinstance(value, list) else value
    return type(node)(**values)


def canonical_definitions(sdl: str | DocumentNode) -> dict[str, str]:
    """Each definition printed after sorting everything whose order carries no meaning, keyed by name."""
    document = parse(sdl, no_location=True) if isinstance(sdl, str) else sdl
    result: dict[str, str] = {}
    for definition in document.definitions:
        name = getattr(getattr(definition, "name", None), "value", None) or "schema"
        result[name] = print_ast(_canonical(definition))
    return result
