"""The query plan: a small tree the planner builds and the executor walks (after Apollo Router's QueryPlan).

Nodes are frozen dataclasses. Semantics, which the executor implements and the planner relies on:

- :class:`Fetch` at the root (not under a Flatten) sends ``operation`` to ``subgraph`` with the client's values for
  ``variable_usages``; its ``data`` is deep-merged into the response by response key (aliases included).
- :class:`Flatten` ``path`` addresses objects already in the response: each element is a response key, or ``"@"``
  to step into every item of a list (nested lists step again). The Fetch under a Flatten is an *entity fetch*: for
  each object at the path, its representation is ``requires`` applied to the object (fields picked by response
  key; an inline fragment applies when the object's ``__typename`` is its type condition or one of its possible
  types). Objects whose representation misses a required field (absent or null) are skipped. Representations are
  deduplicated; ``operation`` is sent once with ``$representations`` (plus ``variable_usages``), and item ``i`` of
  ``_entities`` is deep-merged into every object that produced representation ``i``. Subgraph error paths
  ``["_entities", i, *rest]`` become ``[*client path of each such object, *rest]``.
- ``input_rewrites`` change a representation before it is sent (``@interfaceObject``: the ``__typename`` becomes the
  interface name); ``output_rewrites`` change values in the answer before it is merged (the concrete type name back).
- ``output_renames`` move a value in the answer (the root fetch's ``data`` or each ``_entities`` item), before it is
  merged, from an alias the planner gave it in the subgraph operation back to the client's response key, in order:
  at every object at ``path`` holding ``from_key``, the value moves to ``to_key`` (deep-merged into a value already
  there). The planner aliases a field when two fields of one response key in sibling fragments have different types
  in the subgraph, which the subgraph's validation would reject ("fields conflict").
- ``output_types`` (entity fetches to an ``@interfaceObject`` subgraph only) limit where a top-level response key of
  an ``_entities`` item goes: ``(key, types)`` merges ``key`` only into objects whose ``__typename`` is one of
  ``types``. Such a subgraph answers every implementation alike, so a field the client asked for in a fragment on
  one implementation (``... on Call { title: stage }``) must not land in the others (a ``Message``'s ``title``).
- :class:`BatchFetch` sends entity fetches to one subgraph that run at the same time (its ``parts``, each a Flatten
  over an entity Fetch, as above) as ONE request. Its ``operation`` holds one aliased ``_entities`` field per
  distinct fetch, ``_<k>: _entities(representations: $<representations[k]>)``; ``fields[i]`` is part ``i``'s ``k``.
  Parts whose fetches are equal (apart from ``id``) share a field: their representations are collected over all
  their paths and deduplicated together, as one entity fetch over several paths. The operation declares the
  variables of all parts (``variable_usages``, the client's). Otherwise every field keeps the semantics of an entity
  fetch: response key ``_<k>`` is its ``_entities``, subgraph error paths ``["_<k>", j, *rest]`` become the client
  paths of the objects that produced representation ``j``; a field without representations is sent an empty list,
  and when no field has one nothing is sent.
- :class:`Sequence` runs its nodes one after another; :class:`Parallel` runs them concurrently.
- :class:`Condition` runs ``if_clause`` when the boolean variable ``variable`` is true, else ``else_clause``
  (``@skip``/``@include`` on variables).
- :class:`Defer` is not used. A plan with ``node=None`` needs no fetch (e.g. ``{ __typename }``).

Plans print as stable text (:func:`gateway.planner.printer.print_plan`) for snapshot tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = [
    "BatchFetch",
    "Condition",
    "Fetch",
    "Flatten",
    "KeyRename",
    "Parallel",
    "PlanNode",
    "QueryPlan",
    "RequiresField",
    "RequiresFragment",
    "RequiresSelection",
    "Sequence",
    "TypenameRewrite",
]


@dataclass(frozen=True, slots=True)
class RequiresField:
    """Pick the value at response key ``name``; with ``selections``, recurse into it (objects and lists).

    With ``alias``, the value is read from response key ``alias`` of the object and sent as ``name`` in the
    representation (the planner aliases ``@requires`` fields with arguments so they never collide with the client's
    own selection of the same field, e.g. ``comments(limit: 1)`` next to a required ``comments(limit: 3)``)."""

    name: str
    selections: tuple[RequiresSelection, ...] = ()
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class RequiresFragment:
    """Apply ``selections`` only when the object's ``__typename`` is ``type_condition`` or one of its
    ``possible_types`` (the concrete types the condition covers; empty means just the name itself)."""

    type_condition: str
    selections: tuple[RequiresSelection, ...]
    possible_types: tuple[str, ...] = ()


RequiresSelection: TypeAlias = RequiresField | RequiresFragment


@dataclass(frozen=True, slots=True)
class TypenameRewrite:
    """At ``path`` (response keys, ``"@"`` for list items) inside a representation or an answer, replace a
    ``__typename`` in ``from_types`` (empty: any) with ``to_type``."""

    path: tuple[str, ...]
    to_type: str
    from_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyRename:
    """At ``path`` (response keys, ``"@"`` for list items) inside an answer, move ``from_key`` to ``to_key``."""

    path: tuple[str, ...]
    from_key: str
    to_key: str


@dataclass(frozen=True, slots=True)
class Fetch:
    subgraph: str
    operation: str  # the GraphQL document sent to the subgraph
    operation_kind: str = "query"  # query | mutation
    operation_name: str | None = None
    variable_usages: tuple[str, ...] = ()
    requires: tuple[RequiresSelection, ...] = ()  # non-empty exactly for entity fetches
    input_rewrites: tuple[TypenameRewrite, ...] = ()
    output_rewrites: tuple[TypenameRewrite, ...] = ()
    output_renames: tuple[KeyRename, ...] = ()
    output_types: tuple[tuple[str, tuple[str, ...]], ...] = ()
    id: int = 0  # unique within a plan; for printing and tracing


@dataclass(frozen=True, slots=True)
class Flatten:
    path: tuple[str, ...]
    node: Fetch


@dataclass(frozen=True, slots=True)
class BatchFetch:
    subgraph: str
    operation: str  # one aliased _entities field per part: _0, _1, ...
    parts: tuple[Flatten, ...]
    representations: tuple[str, ...]  # per _entities field: the variable carrying its representations
    fields: tuple[int, ...]  # per part: the index of its _entities field
    variable_usages: tuple[str, ...] = ()  # the client's variables any part uses
    id: int = 0  # the first part's fetch id


@dataclass(frozen=True, slots=True)
class Sequence:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Condition:
    variable: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None


PlanNode: TypeAlias = Fetch | Flatten | BatchFetch | Sequence | Parallel | Condition


@dataclass(frozen=True, slots=True)
class QueryPlan:
    node: PlanNode | None
