"""The GraphQL executor a subgraph runs its operations with: Strawberry's, without the reference cycle that kept
every finished operation alive until the garbage collector came by, and with a short way to its plain fields.

graphql-core's executor hands resolvers ``info.async_helpers``, which it builds from its own bound methods: the
executor refers to the helpers and the helpers to the executor. Everything the executor holds when an operation
ends (the request's context with its DataLoaders, the collected fields, the variables) is then freed by a cycle
collection instead of at once: about 60 objects per subgraph request, and the collector's walk over them was about
a sixth of a subgraph's CPU under load. Here the helpers reach the executor through weak references. The executor
is alive for as long as any of its work runs (every frame of that work holds it), so a helper called by a resolver
always finds it; the result is the same in every other respect.

A plain field (one Strawberry answers with the attribute of the same Python name: no resolver, arguments,
permission classes, extensions or exception handlers) whose type is a scalar or an enum is read and serialized
directly, without building its resolve info and calling Strawberry's wrapper; what the record holds was already
masked when it was built (:mod:`subgraphs.common.visibility`), so nothing is skipped but the call. Anything
unusual on the way (a null for a non-null field, a value that does not serialize, an awaitable, an exception
instead of a value) goes the ordinary way, which answers it, error and path included, as before.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from functools import partial
from typing import Any, NamedTuple

from graphql import GraphQLLeafType, GraphQLObjectType, GraphQLSchema, is_leaf_type, is_non_null_type, is_object_type
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

__all__ = ["SubgraphExecutor"]


class SubgraphExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor whose ``async_helpers`` hold it weakly (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _weak_helpers(self)
        self._plain = None if self.middleware_manager else plain_fields(self.schema)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        plain = (
            None if self._plain is None else self._plain.get((parent_type.name, field_details_list[0].node.name.value))
        )
        if plain is not None:
            try:
                value = getattr(source, plain.attribute)
                if value is None:
                    if not plain.non_null:
                        return None
                elif not isinstance(value, Exception) and not self.is_awaitable(value):
                    coerced = plain.type.coerce_output_value(value)
                    if coerced is not Undefined and coerced is not None:
                        return coerced
            except Exception:
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


class PlainField(NamedTuple):
    """A field read as ``getattr(source, attribute)`` and serialized by its leaf ``type``."""

    attribute: str
    type: GraphQLLeafType
    non_null: bool


_plain_fields: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], PlainField]] = weakref.WeakKeyDictionary()


def plain_fields(schema: GraphQLSchema) -> dict[tuple[str, str], PlainField]:
    """The plain scalar and enum fields of ``schema`` by (object type, field name), found once per schema."""
    found = _plain_fields.get(schema)
    if found is None:
        found = _plain_fields[schema] = {
            (type_name, name): plain
            for type_name, graphql_type in schema.type_map.items()
            if is_object_type(graphql_type)
            for name, field in graphql_type.fields.items()
            for plain in (_plain(field),)
            if plain is not None
        }
    return found


def _plain(field: Any) -> PlainField | None:
    definition = field.extensions.get("strawberry-definition") if field.extensions else None
    resolve = field.resolve
    if (
        not isinstance(definition, StrawberryField)
        or field.args
        or resolve is None
        or getattr(resolve, "__name__", "") != "_get_basic_result"  # Strawberry's for a basic field, nothing else
        or not getattr(resolve, "_is_default", False)
        or definition.default_resolver is not getattr
        or not definition.is_basic_field
    ):
        return None
    graphql_type = field.type
    non_null = is_non_null_type(graphql_type)
    leaf = graphql_type.of_type if non_null else graphql_type
    if not is_leaf_type(leaf):
        return None
    return PlainField(definition.python_name, leaf, non_null)


def _weak_helpers(executor: StrawberryGraphQLCoreExecutionContext) -> GraphQLResolveInfoHelpers:
    held = weakref.ref(executor)
    return GraphQLResolveInfoHelpers(gather=partial(_gather, held), track=partial(_track, held))


def _gather(held: weakref.ref[Any], values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    gathered: Awaitable[list[Any]] = _alive(held).gather_async_work(values)
    return gathered


def _track(held: weakref.ref[Any], values: Sequence[Any]) -> None:
    _alive(held).track_async_work(values)


def _alive(held: weakref.ref[Any]) -> Any:
    executor = held()
    if executor is None:  # pragma: no cover - the executor outlives its work (module docstring)
        raise RuntimeError("the operation's executor is gone")
    return executor
