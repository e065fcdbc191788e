"""FieldSet strings (``@key(fields:)``, ``@requires``, ``@provides``) parsed into selection ASTs.

A FieldSet is a selection set without its outer braces (Federation spec, "Scalar FieldSet"); we parse it by
wrapping it in braces and reading the single anonymous operation graphql-core gives back.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import FieldNode, GraphQLSyntaxError, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse

from schema.errors import SupergraphError

__all__ = ["fieldset_names", "parse_fieldset"]


@lru_cache(maxsize=4096)
def parse_fieldset(fields: str) -> SelectionSetNode:
    """Parse ``"id organization { id }"`` into a :class:`SelectionSetNode` (raises :class:`SupergraphError`)."""
    try:
        document = parse("{" + fields + "}", no_location=True)
    except GraphQLSyntaxError as error:
        raise SupergraphError(f"invalid FieldSet {fields!r}: {error.message}") from error
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def fieldset_names(fields: str) -> frozenset[str]:
    """The top-level field names of a FieldSet (inline fragments looked through)."""
    names: set[str] = set()

    def walk(selection_set: SelectionSetNode) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)

    walk(parse_fieldset(fields))
    return frozenset(names)
