"""Every element of the public schema is described, for client developers: a lint over an API schema.

:func:`find_description_problems` walks the types a client can see — objects, interfaces, unions, enums, input
objects, custom scalars — with their fields, arguments, enum values and input fields, and reports each one without
a description, and each description that cites something a client does not have: a file (``DOMAIN.md``,
``schema.py``), a section sign (``§``), or a repository path. Introspection types, the built-in scalars and the
Federation plumbing (``_Service``, ``_Any``, ``join__*``, ``link__*``) are not the schema's own and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    is_introspection_type,
    is_specified_scalar_type,
)

__all__ = ["DescriptionProblem", "find_description_problems"]

# what a description must not cite: files, section signs, our documents by name, repository paths
_CITATION = re.compile(
    r"\b[\w./-]+\.(?:md|py|graphql|toml|json|ya?ml|txt)\b|§|\bDOMAIN\b|\bDESIGN\b|\bREADME\b|\b(?:resolvers|subgraphs|legacy|gateway)/"
)
_PLUMBING = re.compile(r"^(?:_|join__|link__|federation__|core__)")


@dataclass(frozen=True, slots=True)
class DescriptionProblem:
    """``element`` is a schema coordinate (``Type``, ``Type.field``, ``Type.field(arg:)``, ``Enum.VALUE``)."""

    element: str
    problem: str  # "missing" or "cites <what>"

    def __str__(self) -> str:
        return f"{self.element}: {self.problem}"


def _check(element: str, description: str | None) -> list[DescriptionProblem]:
    if description is None or not description.strip():
        return [DescriptionProblem(element, "missing")]
    cited = _CITATION.search(description)
    return [DescriptionProblem(element, f"cites {cited.group(0)!r}")] if cited else []


def _own(named: GraphQLNamedType) -> bool:
    return not (is_introspection_type(named) or is_specified_scalar_type(named) or _PLUMBING.match(named.name))


def find_description_problems(schema: GraphQLSchema) -> tuple[DescriptionProblem, ...]:
    """Every undescribed or file-citing element of ``schema``'s own types, sorted by coordinate."""
    found: list[DescriptionProblem] = []
    for named in schema.type_map.values():
        if not _own(named):
            continue
        found += _check(named.name, named.description)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in named.fields.items():
                if _PLUMBING.match(name):
                    continue
                found += _check(f"{named.name}.{name}", field.description)
                for arg_name, arg in field.args.items():
                    found += _check(f"{named.name}.{name}({arg_name}:)", arg.description)
        elif isinstance(named, GraphQLInputObjectType):
            for name, input_field in named.fields.items():
                found += _check(f"{named.name}.{name}", input_field.description)
        elif isinstance(named, GraphQLEnumType):
            for name, value in named.values.items():
                found += _check(f"{named.name}.{name}", value.description)
        elif isinstance(named, GraphQLScalarType | GraphQLUnionType):
            pass  # described as a whole above
    return tuple(sorted(found, key=lambda p: p.element))
