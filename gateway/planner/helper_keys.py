"""Response keys for the fields the planner adds itself, so that a client's alias can never stand in for them.

The planner adds *helper fields* to subgraph operations: entity keys, ``@requires`` inputs and ``__typename``. The
executor merges every fetch's answer into one response tree by response key and reads the helpers back from it, so
a helper must not share a response key with a client field that holds something else. A client may alias anything
to anything (``id: username``, ``price: name``, even ``__typename: username``), at any depth and in any fragment.

:class:`ClientKeys` records, for the whole client document, every response key it uses and the keys it uses for
something other than the plain, argument-free field of that name (*foreign* keys). A helper field keeps its own name
as its response key only when that key is not foreign: then any client field under that key is the same field, and
sharing it saves a field. Otherwise (and always for a helper with arguments) it gets an alias that no client field
uses. The rule is per document, not per position: an alias where none was needed costs one field, never an answer.

A client field aliased ``__typename`` is the one case turned the other way round: the executor reads ``__typename``
(to pick fragments and build representations), so the client's field travels under an alias of its own and is kept
in the response tree under :data:`ESCAPED_TYPENAME`, a key no GraphQL name can equal, from where shaping reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from graphql import ArgumentNode, DocumentNode, FieldNode, SelectionSetNode, print_ast
from graphql.language import ExecutableDefinitionNode

from gateway.planner.operation import Field, Selection

__all__ = ["ESCAPED_TYPENAME", "ClientKeys", "data_key"]

ESCAPED_TYPENAME = "@__typename"  # where the response tree keeps a client field aliased "__typename"


def data_key(response_key: str, field_name: str) -> str:
    """The key under which the response tree holds a client field (its response key, but for an alias
    ``__typename`` on another field)."""
    if response_key == "__typename" and field_name != "__typename":
        return ESCAPED_TYPENAME
    return response_key


@dataclass(frozen=True, slots=True)
class ClientKeys:
    """The response keys of a client document (see the module docstring)."""

    taken: frozenset[str] = frozenset()
    foreign: frozenset[str] = frozenset()

    @staticmethod
    def of(document: DocumentNode) -> ClientKeys:
        taken: set[str] = set()
        foreign: set[str] = set()

        def walk(selection_set: SelectionSetNode | None) -> None:
            if selection_set is None:
                return
            for node in selection_set.selections:
                if isinstance(node, FieldNode):
                    key = node.alias.value if node.alias else node.name.value
                    taken.add(key)
                    if key != node.name.value or node.arguments:
                        foreign.add(key)
                walk(getattr(node, "selection_set", None))

        for definition in document.definitions:
            if isinstance(definition, ExecutableDefinitionNode):
                walk(definition.selection_set)
        return ClientKeys(frozenset(taken), frozenset(foreign))

    def free(self, base: str) -> str:
        """``base``, or ``base`` numbered (``2``, ``3``, ...) until no client field uses it."""
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}{number}"
        return candidate

    def helper_alias(self, name: str, arguments: tuple[ArgumentNode, ...] = ()) -> str | None:
        """The alias of a helper field ``name(arguments)``; None when its own name is safe as the response key."""
        if arguments:
            digest = hashlib.sha1(" ".join(print_ast(a) for a in arguments).encode()).hexdigest()[:8]
            return self.free(f"{name}__{digest}")
        if name not in self.foreign:
            return None
        return self.free(f"{name}__key")

    def helpers(self, selections: Iterable[Selection]) -> tuple[Selection, ...]:
        """A FieldSet (keys or ``@requires``, parsed) with every field given its helper response key."""
        result: list[Selection] = []
        for item in selections:
            inner = self.helpers(item.selections)
            if isinstance(item, Field) and item.name != "__typename":
                result.append(replace(item, alias=self.helper_alias(item.name, item.arguments), selections=inner))
            else:
                result.append(replace(item, selections=inner))
        return tuple(result)

    def escaped_typename(self) -> str:
        """The alias a client field aliased ``__typename`` travels under in subgraph operations."""
        return self.free("typename__client")
