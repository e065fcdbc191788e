"""Shrinking a failing operation: drop selections, directives and arguments one at a time while the operation stays
valid and still fails, until nothing more can go (a greedy delta debugging over the GraphQL AST)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
    print_ast,
    validate,
)
from graphql.language import REMOVE, Visitor, visit

from tests.differential.generator import Operation

__all__ = ["minimize"]


def _candidates(document: DocumentNode) -> Iterator[Node]:
    """Nodes that may go: selections in a selection set that keeps another one, directives, arguments."""
    found: list[Node] = []

    class Collect(Visitor):
        def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> None:
            if len(node.selections) > 1:
                found.extend(node.selections)

        def enter(self, node: Node, *_: Any) -> None:
            if isinstance(node, FieldNode | InlineFragmentNode | FragmentSpreadNode):
                found.extend(node.directives or ())
            if isinstance(node, FieldNode):
                found.extend(node.arguments or ())

    visit(document, Collect())
    # Larger cuts first: a selection before what it holds.
    return iter(found)


def _without(document: DocumentNode, target: Node) -> DocumentNode:
    class Remove(Visitor):
        def enter(self, node: Node, *_: Any) -> Any:
            return REMOVE if node is target else None

    return _tidy(visit(document, Remove()))


def _tidy(document: DocumentNode) -> DocumentNode:
    """Drop fragments no longer spread and variables no longer used, so the operation stays valid."""
    text = print_ast(document)
    for _ in range(5):
        tidied = _tidy_once(parse(text))
        if tidied == text:
            break
        text = tidied
    return parse(text)


def _tidy_once(document: DocumentNode) -> str:
    spread: set[str] = set()
    used = _used_outside_definitions(document)

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
            spread.add(node.name.value)

    visit(document, Spreads())

    class Drop(Visitor):
        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> Any:
            return REMOVE if node.name.value not in spread else None

        def enter_variable_definition(self, node: Any, *_: Any) -> Any:
            return REMOVE if node.variable.name.value not in used else None

    return print_ast(visit(document, Drop()))


def _used_outside_definitions(document: DocumentNode) -> set[str]:
    used: set[str] = set()
    for definition in document.definitions:
        selection_set = getattr(definition, "selection_set", None)
        if selection_set is None:
            continue

        class Uses(Visitor):
            def enter_variable(self, node: VariableNode, *_: Any) -> None:
                used.add(node.name.value)

        visit(selection_set, Uses())
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            for directive in definition.directives or ():
                visit(directive, Uses())
    return used


async def minimize(
    operation: Operation, schema: GraphQLSchema, still_fails: Callable[[Operation], Awaitable[bool]]
) -> Operation:
    """The smallest operation reachable from ``operation`` by removals for which ``still_fails`` holds."""
    document = parse(operation.query)
    progress = True
    while progress:
        progress = False
        for target in list(_candidates(document)):
            smaller = _without(document, target)
            if validate(schema, smaller):
                continue
            names = _used_outside_definitions(smaller)
            candidate = Operation(print_ast(smaller), {k: v for k, v in operation.variables.items() if k in names})
            if await still_fails(candidate):
                document, operation, progress = smaller, candidate, True
                break
    return operation
