"""Random valid operations from an API schema, reproducible from a seed.

What it mixes in, because that is where a federation gateway goes wrong: aliases that reuse the names of other
fields of the same type (``id: name``, ``name: id``) and the name ``__typename``; ``__typename`` at any depth;
inline fragments and named fragments on object types, interfaces and unions (also on types other than the
position's own); ``@skip``/``@include`` on fields and fragments with variables (``Boolean!`` and ``Boolean = true``,
sometimes left out), several conditions meeting on one field; arguments from per-graph value lists; nesting to a
depth limit. Every operation is checked with graphql-core's ``validate``; one that is not valid (fields that cannot
merge under one response key) is drawn again.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)

__all__ = ["Operation", "OperationGenerator"]

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
_DEFAULT_LITERALS: Mapping[str, Sequence[str]] = {
    "Int": ("1", "2", "3"),
    "Float": ("1.5",),
    "Boolean": ("true", "false"),
    "String": ('"a"',),
    "ID": ('"1"',),
}


@dataclass(frozen=True, slots=True)
class Operation:
    query: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Draft:
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name → (definition, value or _LEFT_OUT)
    fragments: dict[str, str] = field(default_factory=dict)


_LEFT_OUT = object()


class OperationGenerator:
    """Draws operations for ``schema``. ``arguments`` maps ``"Type.field.argument"`` to GraphQL literals to use."""

    def __init__(
        self,
        schema: GraphQLSchema,
        arguments: Mapping[str, Sequence[str]],
        rng: random.Random,
        *,
        max_depth: int = 6,
    ) -> None:
        self.schema = schema
        self.arguments = arguments
        self.rng = rng
        self.max_depth = max_depth

    def operation(self) -> Operation:
        for _ in range(50):
            draft = _Draft()
            query_type = self.schema.query_type
            assert query_type is not None
            body = self._selection_set(query_type, 0, draft, root=True)
            definitions = [f"${name}: {definition}" for name, (definition, _) in draft.variables.items()]
            header = "query" + (f"({', '.join(definitions)})" if definitions else "")
            text = "\n".join([f"{header} {body}", *draft.fragments.values()])
            if not validate(self.schema, parse(text)):
                values = {n: v for n, (_, v) in draft.variables.items() if v is not _LEFT_OUT}
                return Operation(text, values)
        raise RuntimeError("no valid operation drawn in 50 tries")

    # selections --------------------------------------------------------------------------------------------------

    def _selection_set(self, parent: _Composite, depth: int, draft: _Draft, root: bool = False) -> str:
        rng = self.rng
        parts: list[str] = []
        keys: dict[str, str] = {}  # response key → field name at this position (aliases must not clash)
        if not isinstance(parent, GraphQLUnionType):
            for _ in range(rng.randint(1, 3 if depth else 2)):
                part = self._field(parent, depth, draft, keys, root)
                if part:
                    parts.append(part)
        if not root and rng.random() < 0.3:
            parts.append(self._typename(keys))
        if depth < self.max_depth and (
            isinstance(parent, GraphQLUnionType | GraphQLInterfaceType) or rng.random() < 0.25
        ):
            for condition in self._fragment_types(parent):
                if rng.random() < 0.6 or isinstance(parent, GraphQLUnionType):
                    parts.append(self._fragment(condition, depth, draft))
        if not parts:
            parts.append("__typename")
        rng.shuffle(parts)
        return "{ " + " ".join(parts) + " }"

    def _typename(self, keys: dict[str, str]) -> str:
        if self.rng.random() < 0.3:
            alias = self.rng.choice(["kind", "typename", "t"])
            if keys.get(alias, "__typename") == "__typename":
                keys[alias] = "__typename"
                return f"{alias}: __typename"
        keys["__typename"] = "__typename"
        return "__typename"

    def _field(
        self,
        parent: GraphQLObjectType | GraphQLInterfaceType,
        depth: int,
        draft: _Draft,
        keys: dict[str, str],
        root: bool,
    ) -> str:
        rng = self.rng
        names = list(parent.fields)
        if depth >= self.max_depth:
            names = [n for n in names if is_leaf_type(get_named_type(parent.fields[n].type))] or names[:0]
            if not names:
                return ""
        name = rng.choice(names)
        definition = parent.fields[name]
        response_key = name
        if rng.random() < 0.35:
            candidates = [n for n in parent.fields if n != name] + ["__typename", "id", "name"]
            alias = rng.choice(candidates)
            if keys.get(alias, name) == name:
                response_key = alias
        if keys.get(response_key, name) != name:
            return ""
        keys[response_key] = name
        text = name if response_key == name else f"{response_key}: {name}"
        text += self._arguments(parent.name, name, definition)
        text += self._conditions(draft, root)
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            text += " " + self._selection_set(named, depth + 1, draft)
        return text

    def _arguments(self, type_name: str, field_name: str, definition: GraphQLField) -> str:
        rng = self.rng
        parts = []
        for name, argument in definition.args.items():
            required = isinstance(argument.type, GraphQLNonNull)
            if not required and rng.random() < 0.5:
                continue
            literals = self.arguments.get(f"{type_name}.{field_name}.{name}")
            if literals is None:
                named = get_named_type(argument.type)
                if isinstance(named, GraphQLEnumType):
                    literals = list(named.values)
                else:
                    literals = _DEFAULT_LITERALS.get(named.name, ())
            if not literals:
                if required:
                    raise RuntimeError(f"no values for the argument {type_name}.{field_name}({name}:)")
                continue
            parts.append(f"{name}: {rng.choice(list(literals))}")
        return f"({', '.join(parts)})" if parts else ""

    def _conditions(self, draft: _Draft, root: bool) -> str:
        rng = self.rng
        text = ""
        for directive in ("include", "skip"):
            if rng.random() < (0.1 if root else 0.15):
                text += f" @{directive}(if: ${self._variable(draft)})"
        return text

    def _variable(self, draft: _Draft) -> str:
        rng = self.rng
        if draft.variables and rng.random() < 0.4:
            return rng.choice(list(draft.variables))
        name = f"v{len(draft.variables)}"
        if rng.random() < 0.5:
            draft.variables[name] = ("Boolean!", rng.random() < 0.6)
        else:
            value: Any = _LEFT_OUT if rng.random() < 0.4 else rng.random() < 0.6
            draft.variables[name] = ("Boolean = true", value)
        return name

    # fragments ---------------------------------------------------------------------------------------------------

    def _fragment_types(self, parent: _Composite) -> list[GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType]:
        """Type conditions that may apply at a position of type ``parent``: its possible types, itself, the
        interfaces they implement and the unions they belong to."""
        schema = self.schema
        possible = list(schema.get_possible_types(parent)) if not isinstance(parent, GraphQLObjectType) else [parent]
        related: list[GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType] = [*possible, parent]
        for member in possible:
            related.extend(member.interfaces)
        for named in schema.type_map.values():
            if isinstance(named, GraphQLUnionType) and any(m in named.types for m in possible):
                related.append(named)
        unique: dict[str, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType] = {t.name: t for t in related}
        chosen = list(unique.values())
        self.rng.shuffle(chosen)
        return chosen[: self.rng.randint(1, 3)]

    def _fragment(self, condition: _Composite, depth: int, draft: _Draft) -> str:
        rng = self.rng
        body = self._selection_set(condition, depth + 1, draft)
        conditions = self._conditions(draft, False)
        if rng.random() < 0.3:
            name = f"F{len(draft.fragments)}"
            draft.fragments[name] = f"fragment {name} on {condition.name} {body}"
            return f"...{name}{conditions}"
        if rng.random() < 0.15 and conditions:
            return f"...{conditions} {body}"  # no type condition: conditions only
        return f"... on {condition.name}{conditions} {body}"
