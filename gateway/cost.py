"""Demand control: the estimated cost of an operation, from ``@cost`` and ``@listSize``, before it is planned.

The rules are the IBM GraphQL Cost Directive specification's (ibm.github.io/graphql-specs/cost-spec.html), with the
defaults Apollo's demand control documents:

- An operation costs its type's weight (a mutation 10, a query 0) plus the cost of its root fields.
- A field costs ``count × (weight + cost of its selections) + cost of its arguments``, where ``weight`` is the
  field's ``@cost(weight:)``, else its type's ``@cost``, else 1 for an object, interface or union and 0 for a scalar
  or enum; introspection fields cost nothing. Arguments cost the ``@cost`` of each argument given (and of each input
  field given inside it).
- ``count`` is 1 for a field that is not a list. For a list it is the list size: the value of the field's
  ``@listSize(slicingArguments:)`` the request gives (as a literal, a variable or the argument's default; the largest
  if several), else ``@listSize(assumedSize:)``, else the configured default list size. A list of lists multiplies
  the size once per level.
- With ``@listSize(sizedFields: ["edges", "nodes"])`` the slicing argument sizes those child fields rather than the
  field itself (a connection is one object holding a list); nested lists multiply.
- ``requireOneSlicingArgument`` (true unless set false): a request that gives more than one of the slicing
  arguments is refused (``BAD_USER_INPUT``).
- ``@skip``/``@include`` with a known condition count the field only when it is included. Fragments count every
  field they hold: on an abstract type, the estimate is an upper bound.

:func:`cost_model` reads the directives once per schema (by name: ``@cost``, ``@listSize``, or the linked spec's
``@cost__cost``/``@cost__listSize``); :func:`operation_cost` is pure and runs per request (the variables decide
slicing arguments). Refusals name the computed cost and the limit in ``extensions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)

__all__ = ["CostModel", "CostRefusal", "ListSize", "cost_model", "operation_cost"]

OPERATION_WEIGHTS = {"query": 0, "mutation": 10, "subscription": 0}
_COST = frozenset({"cost", "cost__cost"})
_LIST_SIZE = frozenset({"listSize", "cost__listSize"})


@dataclass(frozen=True, slots=True)
class ListSize:
    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()
    require_one_slicing_argument: bool = True


@dataclass(frozen=True, slots=True)
class CostModel:
    """The directives of one schema: weights of fields, types, arguments and input fields, and list sizes."""

    schema: GraphQLSchema
    field_weights: Mapping[tuple[str, str], int]
    type_weights: Mapping[str, int]
    argument_weights: Mapping[tuple[str, str, str], int]  # (type, field, argument)
    input_weights: Mapping[tuple[str, str], int]  # (input type, input field)
    list_sizes: Mapping[tuple[str, str], ListSize]
    default_list_size: int = 10


class CostRefusal(Exception):
    """A request whose cost cannot be estimated as given (``BAD_USER_INPUT``)."""


def _argument(directive: DirectiveNode, name: str) -> Any:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value)
    return None


def _weight(node: Any) -> int | None:
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value in _COST:
            weight = _argument(directive, "weight")
            if isinstance(weight, str):  # @cost(weight: "2.5") in the spec's first drafts
                weight = float(weight)
            if isinstance(weight, int | float):
                return int(weight)
    return None


def _list_size(node: Any) -> ListSize | None:
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value in _LIST_SIZE:
            assumed = _argument(directive, "assumedSize")
            require = _argument(directive, "requireOneSlicingArgument")
            return ListSize(
                assumed if isinstance(assumed, int) else None,
                tuple(_argument(directive, "slicingArguments") or ()),
                tuple(_argument(directive, "sizedFields") or ()),
                require is not False,
            )
    return None


def cost_model(schema: GraphQLSchema, *, default_list_size: int = 10) -> CostModel:
    """Read ``@cost``/``@listSize`` off ``schema``'s definitions (a supergraph's, where the directives are kept)."""
    fields: dict[tuple[str, str], int] = {}
    types: dict[str, int] = {}
    arguments: dict[tuple[str, str, str], int] = {}
    inputs: dict[tuple[str, str], int] = {}
    sizes: dict[tuple[str, str], ListSize] = {}
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        nodes = [named.ast_node, *(named.extension_ast_nodes or ())]
        for node in nodes:
            weight = _weight(node)
            if weight is not None:
                types[name] = weight
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, definition in named.fields.items():
                weight = _weight(definition.ast_node)
                if weight is not None:
                    fields[(name, field_name)] = weight
                size = _list_size(definition.ast_node)
                if size is not None:
                    sizes[(name, field_name)] = size
                for argument_name, argument in definition.args.items():
                    weight = _weight(argument.ast_node)
                    if weight is not None:
                        arguments[(name, field_name, argument_name)] = weight
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                weight = _weight(input_field.ast_node)
                if weight is not None:
                    inputs[(name, field_name)] = weight
    return CostModel(schema, fields, types, arguments, inputs, sizes, default_list_size)


def _default_of(argument: GraphQLArgument) -> Any:
    """An argument's default (from its definition when the schema was built from SDL)."""
    if argument.default_value is not Undefined:
        return argument.default_value
    node = argument.ast_node
    return value_from_ast_untyped(node.default_value) if node is not None and node.default_value else None


def _unwrap(type_: Any) -> tuple[GraphQLNamedType, int]:
    """The named type and how many list levels wrap it."""
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            depth += 1
        type_ = type_.of_type
    return type_, depth


class _Walk:
    def __init__(self, model: CostModel, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]):
        self.model = model
        self.fragments = fragments
        self.variables = variables

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return value_from_ast_untyped(node, dict(self.variables))

    def included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        for directive in node.directives or ():
            if directive.name.value in ("skip", "include"):
                condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
                if isinstance(condition, BooleanValueNode | VariableNode):
                    value = self.value(condition)
                    if isinstance(value, bool) and value == (directive.name.value == "skip"):
                        return False
        return True

    def selections(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        sized: Mapping[str, int],
        seen: frozenset[str],
    ) -> float:
        if selection_set is None:
            return 0.0
        total = 0.0
        for selection in selection_set.selections:
            if not self.included(selection):  # type: ignore[arg-type]
                continue
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, sized.get(selection.name.value), seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = parent
                if selection.type_condition is not None:
                    condition = self.model.schema.get_type(selection.type_condition.name.value) or parent
                total += self.selections(condition, selection.selection_set, sized, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation refuses both; never loop
                    continue
                condition = self.model.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selections(condition, fragment.selection_set, sized, seen | {name})
        return total

    def field(self, parent: GraphQLNamedType, node: FieldNode, sized_count: int | None, seen: frozenset[str]) -> float:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0.0
        definition = parent.fields.get(name)
        if definition is None:
            return 0.0
        model = self.model
        named, depth = _unwrap(definition.type)
        weight = model.field_weights.get((parent.name, name))
        if weight is None:
            weight = model.type_weights.get(named.name)
        if weight is None:
            weight = 0 if isinstance(named, GraphQLScalarType | GraphQLEnumType) else 1
        size = self.size_of(parent.name, name, definition, node)
        list_size = model.list_sizes.get((parent.name, name))
        sized: Mapping[str, int] = {}
        if list_size is not None and list_size.sized_fields and size is not None:
            sized = {child: size for child in list_size.sized_fields}
            size = None  # the size belongs to the sized children, not to this field
        if sized_count is not None:
            count = float(sized_count) ** max(depth, 1)
        elif depth:
            count = float(size if size is not None else model.default_list_size) ** depth
        else:
            count = 1.0
        children = self.selections(named, node.selection_set, sized, seen)
        return count * (weight + children) + self.arguments(parent.name, definition, node)

    def size_of(self, parent: str, name: str, definition: GraphQLField, node: FieldNode) -> int | None:
        list_size = self.model.list_sizes.get((parent, name))
        if list_size is None:
            return None
        given: list[int] = []
        defaults: list[int] = []
        for argument in node.arguments or ():
            if argument.name.value in list_size.slicing_arguments:
                value = self.value(argument.value)
                if isinstance(value, int) and not isinstance(value, bool):
                    given.append(max(value, 0))
        if list_size.require_one_slicing_argument and len(given) > 1:
            names = ", ".join(f"`{a}`" for a in list_size.slicing_arguments)
            raise CostRefusal(f"`{parent}.{name}` takes exactly one of {names}.")
        if not given:
            for argument_name in list_size.slicing_arguments:
                declared = definition.args.get(argument_name)
                default = _default_of(declared) if declared is not None else None
                if isinstance(default, int) and not isinstance(default, bool):
                    defaults.append(default)
        if given or defaults:
            return max(given or defaults)
        return list_size.assumed_size

    def arguments(self, parent: str, definition: GraphQLField, node: FieldNode) -> float:
        total = 0.0
        for argument in node.arguments or ():
            name = argument.name.value
            total += self.model.argument_weights.get((parent, node.name.value, name), 0)
            declared = definition.args.get(name)
            if declared is not None:
                total += self.input_cost(declared.type, argument.value)
        return total

    def input_cost(self, type_: Any, value: ValueNode) -> float:
        named, _ = _unwrap(type_)
        if not isinstance(named, GraphQLInputObjectType) or not self.model.input_weights:
            return 0.0
        if isinstance(value, ListValueNode):
            return sum(self.input_cost(named, item) for item in value.values)
        if not isinstance(value, ObjectValueNode):
            return 0.0
        total = 0.0
        for field in value.fields:
            total += self.model.input_weights.get((named.name, field.name.value), 0)
            declared = named.fields.get(field.name.value)
            if declared is not None:
                total += self.input_cost(declared.type, field.value)
        return total


def operation_cost(
    model: CostModel,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> int:
    """The estimated cost of ``operation`` (of the validated ``document``) with ``variables``, rounded up.

    Raises :class:`CostRefusal` for a request that gives more than one slicing argument where one is required."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    kind = operation.operation.value
    root = model.schema.get_root_type(operation.operation)
    if root is None:
        return OPERATION_WEIGHTS.get(kind, 0)
    walk = _Walk(model, fragments, variables)
    total = OPERATION_WEIGHTS.get(kind, 0) + walk.selections(root, operation.selection_set, {}, frozenset())
    whole = int(total)
    return whole if whole == total else whole + 1
