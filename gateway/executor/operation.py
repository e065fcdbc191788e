"""The client's operation compiled once for response shaping: selections, conditions, fragments, variable defaults.

:func:`prepare_operation` turns a validated ``DocumentNode`` and an operation name into a :class:`PreparedOperation`
and caches it (small LRU keyed by the identity of the document and of the API schema — parse caches hand out the
same document object for the same text). The prepared operation answers one question fast, many times per
request: *which fields, in which order and under which response keys, does this selection ask of an object of
concrete type T?* — GraphQL spec §6.3.2 CollectFields, with ``@skip``/``@include`` evaluated and fragment type
conditions matched against the API schema's possible types. Answers are memoized per selection, type name and the
values of the operation's condition variables.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    is_input_type,
    type_from_ast,
    value_from_ast,
)

from gateway.planner.helper_keys import data_key

__all__ = [
    "ABSTRACT",
    "ENUM",
    "LEAF",
    "LIST",
    "OBJECT",
    "CollectedField",
    "ObjectFields",
    "PreparedOperation",
    "SchemaIndex",
    "ValueShape",
    "prepare_operation",
    "value_shape",
]

# A condition of one selection: (is_skip, variable name or None, literal value when no variable).
_Condition: TypeAlias = tuple[bool, str | None, bool]


@dataclass(eq=False, slots=True)
class _Selection:
    """One compiled selection: a field (``response_key`` set) or a fragment (``type_condition`` may be None)."""

    conditions: tuple[_Condition, ...]
    response_key: str | None = None
    field_name: str = ""
    children: tuple[_Selection, ...] = ()
    type_condition: str | None = None


# What a position's type is, for shaping (the named type under its list and non-null wrappers). Final: compiled
# code (scripts/native.sh) reads them as constants.
LEAF: Final = 0
ENUM: Final = 1
OBJECT: Final = 2
ABSTRACT: Final = 3
LIST: Final = 4


@dataclass(frozen=True, slots=True)
class ValueShape:
    """A field's output type compiled for shaping: non-null or not, and a leaf (scalar), an enum (with the values
    the API schema has), an object type, an abstract type or a list of ``item``."""

    non_null: bool
    kind: int
    item: ValueShape | None = None  # LIST
    named: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType | GraphQLEnumType | None = None
    enum_values: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, eq=False)
class CollectedField:
    """A response key of an object: the field it reads, its type (None: ``__typename`` or not in the schema) and
    the selections below it (all occurrences of the key merged, in document order)."""

    response_key: str
    field_name: str
    type: GraphQLOutputType | None
    selections: tuple[_Selection, ...]
    scalar: int = 0  # 1: a nullable scalar, 2: a non-null scalar, 3: ``__typename``, 4: not in the schema; 0: other
    data_key: str = ""  # where the merged response tree holds it (the response key but for an alias "__typename")
    shape: ValueShape | None = None  # the type compiled, for ``scalar == 0``
    # the fields of the objects below, by concrete type name (filled while shaping operations without conditions)
    below: dict[str | None, ObjectFields] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class ObjectFields:
    """The fields a selection asks of an object of one concrete type; ``leaves`` when all of them are nullable
    scalars (response keys, then the keys the merged tree holds them under): then the object is one lookup each."""

    fields: tuple[CollectedField, ...]
    leaves: tuple[tuple[str, ...], tuple[str, ...]] | None


def value_shape(type_: GraphQLOutputType, index: SchemaIndex) -> ValueShape:
    """``type_`` compiled for shaping."""
    non_null = False
    if isinstance(type_, GraphQLNonNull):
        non_null = True
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return ValueShape(non_null, LIST, item=value_shape(type_.of_type, index))
    if isinstance(type_, GraphQLObjectType):
        return ValueShape(non_null, OBJECT, named=type_)
    if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
        return ValueShape(non_null, ABSTRACT, named=type_)
    if isinstance(type_, GraphQLEnumType):
        return ValueShape(non_null, ENUM, named=type_, enum_values=index.enum_values.get(type_.name, frozenset()))
    return ValueShape(non_null, LEAF)


@dataclass(slots=True)
class SchemaIndex:
    """What shaping needs from the API schema, precomputed: possible types of each abstract type, enum values."""

    schema: GraphQLSchema
    possible_types: dict[str, frozenset[str]]
    enum_values: dict[str, frozenset[str]]

    @staticmethod
    def build(schema: GraphQLSchema) -> SchemaIndex:
        possible: dict[str, frozenset[str]] = {}
        enums: dict[str, frozenset[str]] = {}
        # annotated as returning a list, it returns a tuple: typed Any so that compiled code does not check it
        possible_types: Any = schema.get_possible_types
        for name, named in schema.type_map.items():
            if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
                possible[name] = frozenset(t.name for t in possible_types(named))
            elif isinstance(named, GraphQLEnumType):
                enums[name] = frozenset(named.values)
        return SchemaIndex(schema, possible, enums)


@dataclass(eq=False, slots=True)
class PreparedOperation:
    """A client operation ready for shaping. Build with :func:`prepare_operation`."""

    index: SchemaIndex
    root_type: GraphQLObjectType
    root_selections: tuple[_Selection, ...]
    condition_variables: tuple[str, ...]  # variables used by @skip/@include, in a fixed order
    variable_defaults: tuple[tuple[str, Any], ...]  # (name, coerced default) for variables with a default
    _collected: dict[tuple[Any, ...], ObjectFields] = field(default_factory=dict)

    def with_defaults(self, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        """The client's variables plus the operation's defaults for those it left out (GraphQL spec §6.4.1)."""
        missing = [(name, value) for name, value in self.variable_defaults if name not in variables]
        if not missing:
            return variables
        merged = dict(variables)
        merged.update(missing)
        return merged

    def condition_key(self, variables: Mapping[str, Any]) -> tuple[bool, ...]:
        return tuple(variables.get(name) is True for name in self.condition_variables)

    def collect(
        self,
        selections: tuple[_Selection, ...],
        type_name: str | None,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        variables: Mapping[str, Any],
        condition_key: tuple[bool, ...],
    ) -> ObjectFields:
        """The fields ``selections`` ask of an object of concrete type ``type_name`` (None when the data does not
        say; then only fragments on ``parent`` itself apply), read from ``parent``'s field definitions."""
        key = (selections, type_name, parent.name, condition_key)
        found = self._collected.get(key)
        if found is None:
            found = self._collect(selections, type_name, parent, variables)
            if len(self._collected) > 4096:  # many condition combinations: start over rather than grow
                self._collected.clear()
            self._collected[key] = found
        return found

    def _collect(
        self,
        selections: tuple[_Selection, ...],
        type_name: str | None,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        variables: Mapping[str, Any],
    ) -> ObjectFields:
        grouped: dict[str, tuple[str, list[_Selection]]] = {}
        self._gather(selections, type_name, parent.name, variables, grouped)
        fields = getattr(parent, "fields", {})
        out: list[CollectedField] = []
        for key, (name, children) in grouped.items():
            definition = None if name == "__typename" else fields.get(name)
            type_ = definition.type if definition else None
            scalar = 0
            shape = None
            if type_ is None:
                scalar = 3 if name == "__typename" else 4
            elif isinstance(type_, GraphQLScalarType):
                scalar = 1
            elif isinstance(type_, GraphQLNonNull) and isinstance(type_.of_type, GraphQLScalarType):
                scalar = 2
            else:
                shape = value_shape(type_, self.index)
            out.append(CollectedField(key, name, type_, tuple(children), scalar, data_key(key, name), shape))
        leaves = None
        if all(f.scalar == 1 for f in out):
            leaves = (tuple(f.response_key for f in out), tuple(f.data_key for f in out))
        return ObjectFields(tuple(out), leaves)

    def _gather(
        self,
        selections: tuple[_Selection, ...],
        type_name: str | None,
        parent_name: str,
        variables: Mapping[str, Any],
        grouped: dict[str, tuple[str, list[_Selection]]],
    ) -> None:
        possible = self.index.possible_types
        for selection in selections:
            if selection.conditions and not _included(selection.conditions, variables):
                continue
            key = selection.response_key
            if key is not None:
                entry = grouped.get(key)
                if entry is None:
                    grouped[key] = (selection.field_name, list(selection.children))
                else:
                    entry[1].extend(selection.children)
                continue
            condition = selection.type_condition
            if (
                condition is not None
                and condition != parent_name
                and condition != type_name
                and (type_name is None or type_name not in possible.get(condition, ()))
            ):
                continue
            self._gather(selection.children, type_name, parent_name, variables, grouped)


def _included(conditions: tuple[_Condition, ...], variables: Mapping[str, Any]) -> bool:
    for is_skip, variable, literal in conditions:
        value = (variables.get(variable) is True) if variable is not None else literal
        if value is is_skip:
            return False
    return True


class _Compiler:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.compiled_fragments: dict[str, _Selection] = {}
        self.condition_variables: list[str] = []

    def selection_set(self, node: SelectionSetNode | None) -> tuple[_Selection, ...]:
        if node is None:
            return ()
        out: list[_Selection] = []
        for selection in node.selections:
            conditions = self.conditions(selection.directives or ())
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                children = self.selection_set(selection.selection_set)
                out.append(_Selection(conditions, key, selection.name.value, children))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                children = self.selection_set(selection.selection_set)
                out.append(_Selection(conditions, children=children, type_condition=condition))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragment(selection.name.value)
                out.append(
                    _Selection(conditions, children=fragment.children, type_condition=fragment.type_condition)
                    if conditions
                    else fragment
                )
        return tuple(out)

    def fragment(self, name: str) -> _Selection:
        compiled = self.compiled_fragments.get(name)
        if compiled is None:
            definition = self.fragments[name]
            children = self.selection_set(definition.selection_set)
            compiled = _Selection((), children=children, type_condition=definition.type_condition.name.value)
            self.compiled_fragments[name] = compiled
        return compiled

    def conditions(self, directives: Any) -> tuple[_Condition, ...]:
        out: list[_Condition] = []
        for directive in directives:
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            for argument in directive.arguments or ():
                if argument.name.value != "if":
                    continue
                value = argument.value
                if isinstance(value, VariableNode):
                    variable = value.name.value
                    if variable not in self.condition_variables:
                        self.condition_variables.append(variable)
                    out.append((name == "skip", variable, False))
                elif isinstance(value, BooleanValueNode):
                    out.append((name == "skip", None, value.value))
        return tuple(out)


def _select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise ValueError("the document must contain exactly one operation when no operation name is given")
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise ValueError(f"unknown operation {operation_name!r}")


def _build(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> PreparedOperation:
    operation = _select_operation(document, operation_name)
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        raise ValueError(f"the schema has no {operation.operation.value} type")
    defaults: list[tuple[str, Any]] = []
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None:
            input_type = type_from_ast(schema, definition.type)
            value = value_from_ast(definition.default_value, input_type) if is_input_type(input_type) else None
            defaults.append((definition.variable.name.value, value))
    compiler = _Compiler(document)
    selections = compiler.selection_set(operation.selection_set)
    return PreparedOperation(
        index=_schema_index(schema),
        root_type=root,
        root_selections=selections,
        condition_variables=tuple(compiler.condition_variables),
        variable_defaults=tuple(defaults),
    )


_CACHE_SIZE = 512
_lock = threading.Lock()
_operations: OrderedDict[tuple[int, str | None, int], tuple[DocumentNode, GraphQLSchema, PreparedOperation]] = (
    OrderedDict()
)
_indexes: dict[int, tuple[GraphQLSchema, SchemaIndex]] = {}


def _schema_index(schema: GraphQLSchema) -> SchemaIndex:
    entry = _indexes.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    index = SchemaIndex.build(schema)
    with _lock:
        if len(_indexes) > 16:  # a gateway holds one or two API schemas at a time (hot reload)
            _indexes.clear()
        _indexes[id(schema)] = (schema, index)
    return index


def prepare_operation(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> PreparedOperation:
    """The compiled form of ``operation_name`` in ``document`` (validated against ``schema``), cached.

    The cache holds the document and the schema it was built for, so keys by identity stay unambiguous.
    Raises ``ValueError`` when the operation cannot be selected (the request pipeline has ruled that out).
    """
    key = (id(document), operation_name, id(schema))
    entry = _operations.get(key)
    if entry is not None and entry[0] is document and entry[1] is schema:
        return entry[2]
    prepared = _build(schema, document, operation_name)
    with _lock:
        _operations[key] = (document, schema, prepared)
        while len(_operations) > _CACHE_SIZE:
            _operations.popitem(last=False)
    return prepared
