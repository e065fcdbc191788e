"""Type references as printed text (``[User!]!``) and the two ways of merging them across subgraphs.

Output positions merge to the most general type (a field nullable in one subgraph is nullable in the
supergraph); input positions (arguments, input fields) to the most specific (required anywhere, required in the
supergraph). Anything else — different named types, a list against a non-list — does not merge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["Subtypes", "merge_all", "merge_input", "merge_output", "named_type", "rename_type"]


def named_type(ref: str) -> str:
    return ref.strip("[]!")


def rename_type(ref: str, renames: Mapping[str, str]) -> str:
    name = named_type(ref)
    target = renames.get(name)
    if target is None:
        return ref
    start = ref.index(name)
    return ref[:start] + target + ref[start + len(name) :]


Subtypes = frozenset[tuple[str, str]]  # (named type, abstract type it belongs to)


def _merge(a: str, b: str, *, required_wins: bool, subtypes: Subtypes = frozenset()) -> str | None:
    if a == b:
        return a
    if (a, b) in subtypes:
        return b
    if (b, a) in subtypes:
        return a
    a_required, b_required = a.endswith("!"), b.endswith("!")
    if a_required or b_required:
        inner = _merge(a.removesuffix("!"), b.removesuffix("!"), required_wins=required_wins, subtypes=subtypes)
        if inner is None:
            return None
        return inner + "!" if required_wins or (a_required and b_required) else inner
    if a.startswith("[") and b.startswith("["):
        inner = _merge(a[1:-1], b[1:-1], required_wins=required_wins, subtypes=subtypes)
        return None if inner is None else f"[{inner}]"
    return None


def merge_output(a: str, b: str, subtypes: Subtypes = frozenset()) -> str | None:
    """The most general of two output types; ``subtypes`` lets an object merge into its union or interface."""
    return _merge(a, b, required_wins=False, subtypes=subtypes)


def merge_input(a: str, b: str) -> str | None:
    return _merge(a, b, required_wins=True)


def merge_all(refs: list[str], merge: Callable[[str, str], str | None]) -> str | None:
    merged: str | None = refs[0]
    for ref in refs[1:]:
        if merged is None:
            return None
        merged = merge(merged, ref)
    return merged
