"""The selection sets of subgraph operations, built up while planning and printed as GraphQL text.

Mutable on purpose: the planner adds fields to a fetch's selection as it walks the client operation, then prints it
once. Fields merge by response key; inline fragments by type condition and conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import ArgumentNode, VariableNode, print_ast
from graphql.language import Visitor, visit

from gateway.planner.operation import NO_CONDITIONS, Conditions

__all__ = ["OutField", "OutFragment", "OutSelectionSet", "print_selection_set"]


@dataclass(slots=True)
class OutField:
    name: str
    alias: str | None = None
    arguments: tuple[ArgumentNode, ...] = ()
    conditions: Conditions = NO_CONDITIONS
    selections: OutSelectionSet | None = None

    @property
    def response_key(self) -> str:
        return self.alias or self.name


@dataclass(slots=True)
class OutFragment:
    type_condition: str
    conditions: Conditions = NO_CONDITIONS
    selections: OutSelectionSet = field(default_factory=lambda: OutSelectionSet())


@dataclass(slots=True)
class OutSelectionSet:
    items: dict[tuple[str, ...], OutField | OutFragment] = field(default_factory=dict)

    def add_field(
        self,
        name: str,
        alias: str | None = None,
        arguments: tuple[ArgumentNode, ...] = (),
        conditions: Conditions = NO_CONDITIONS,
        composite: bool = False,
    ) -> OutField:
        if alias == name:
            alias = None
        key = ("f", alias or name)
        existing = self.items.get(key)
        if isinstance(existing, OutField):
            existing.conditions = existing.conditions & conditions
            if composite and existing.selections is None:
                existing.selections = OutSelectionSet()
            return existing
        added = OutField(name, alias, arguments, conditions, OutSelectionSet() if composite else None)
        self.items[key] = added
        return added

    def add_fragment(self, type_condition: str, conditions: Conditions = NO_CONDITIONS) -> OutFragment:
        key = ("i", type_condition, *sorted(f"{v}:{w}" for v, w in conditions))
        existing = self.items.get(key)
        if isinstance(existing, OutFragment):
            return existing
        added = OutFragment(type_condition, conditions)
        self.items[key] = added
        return added

    def has_typename(self) -> bool:
        return ("f", "__typename") in self.items

    def __iter__(self) -> Iterator[OutField | OutFragment]:
        return iter(self.items.values())

    def is_empty(self) -> bool:
        return not self.items


def _layers(conditions: Conditions) -> list[str]:
    """The conditions as directive lists, each valid on one selection: GraphQL allows ``@include`` and ``@skip``
    once each per location, so ``{(a, True), (b, True)}`` takes two layers (the element itself and a wrapping
    inline fragment without a type condition); the first layer goes on the element."""
    includes = [variable for variable, include in sorted(conditions) if include]
    skips = [variable for variable, include in sorted(conditions) if not include]
    layers: list[str] = []
    for position in range(max(len(includes), len(skips))):
        text = f" @include(if: ${includes[position]})" if position < len(includes) else ""
        text += f" @skip(if: ${skips[position]})" if position < len(skips) else ""
        layers.append(text)
    return layers


def _conditioned(head: str, conditions: Conditions, body: str) -> str:
    """``head`` with its first layer of conditions, then ``body``; further layers wrap it in inline fragments."""
    layers = _layers(conditions) or [""]
    text = head + layers[0] + body
    for layer in layers[1:]:
        text = f"...{layer} {{ {text} }}"
    return text


def print_selection_set(selection_set: OutSelectionSet) -> str:
    """Compact GraphQL text: ``{ user { __typename id } }``."""
    parts: list[str] = []
    for item in selection_set:
        if isinstance(item, OutField):
            head = f"{item.alias}: {item.name}" if item.alias else item.name
            if item.arguments:
                head += "(" + ", ".join(print_ast(argument) for argument in item.arguments) + ")"
            body = ""
            if item.selections is not None:
                inner = item.selections if not item.selections.is_empty() else None
                body = " " + (print_selection_set(inner) if inner is not None else "{ __typename }")
            parts.append(_conditioned(head, item.conditions, body))
        else:
            if item.selections.is_empty():
                continue
            parts.append(
                _conditioned(
                    f"... on {item.type_condition}", item.conditions, " " + print_selection_set(item.selections)
                )
            )
    return "{ " + " ".join(parts) + " }"


def variables_used(selection_set: OutSelectionSet) -> set[str]:
    names: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, node: VariableNode, *_: object) -> None:
            names.add(node.name.value)

    def walk(items: OutSelectionSet) -> None:
        for item in items:
            names.update(variable for variable, _ in item.conditions)
            if isinstance(item, OutField):
                for argument in item.arguments:
                    visit(argument, Collect())
                if item.selections is not None:
                    walk(item.selections)
            else:
                walk(item.selections)

    walk(selection_set)
    return names
