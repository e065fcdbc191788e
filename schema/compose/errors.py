"""What composition reports: located, coded errors (never raised — :func:`schema.compose.compose` returns them).

There is no exception tree here on purpose: composition is a pure function of its inputs and every problem it
finds is data in :class:`CompositionResult`. The codes follow Apollo's composer (`@apollo/composition` error
codes) so that a message can be looked up in the Federation documentation:

    INVALID_GRAPHQL                      a subgraph SDL that does not parse or references unknown types
    TYPE_KIND_MISMATCH                   a type is an object in one subgraph and an enum (…) in another
    INVALID_FIELD_SHARING                a field resolved by several subgraphs without @shareable everywhere
    FIELD_TYPE_MISMATCH                  incompatible field types across subgraphs
    FIELD_ARGUMENT_TYPE_MISMATCH         incompatible argument types across subgraphs
    FIELD_ARGUMENT_DEFAULT_MISMATCH      different argument defaults
    REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH
    EXTERNAL_MISSING_ON_BASE             @external with no subgraph defining the field
    EXTERNAL_TYPE_MISMATCH               an @external field whose type the defining subgraphs do not produce
    KEY_INVALID_FIELDS / REQUIRES_INVALID_FIELDS / PROVIDES_INVALID_FIELDS   field sets that do not select
    KEY_FIELDS_SELECT_INVALID_TYPE       a key over a list, interface or union field
    KEY_FIELDS_HAS_ARGS                  a key over a field with arguments
    REQUIRES_FIELDS_MISSING_EXTERNAL / PROVIDES_FIELDS_MISSING_EXTERNAL   (Federation 2 subgraphs)
    PROVIDES_ON_NON_OBJECT_FIELD         @provides on a field of leaf type
    ENUM_VALUE_MISMATCH                  an enum used as input and output with different values per subgraph
    EMPTY_MERGED_ENUM_TYPE / EMPTY_MERGED_INPUT_TYPE   intersections that leave nothing
    REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH
    INPUT_FIELD_DEFAULT_MISMATCH
    OVERRIDE_FROM_SELF_ERROR / OVERRIDE_SOURCE_HAS_OVERRIDE
    DIRECTIVE_COMPOSITION_ERROR          @composeDirective of a directive the subgraph does not define
    INVALID_SUBGRAPH_NAME                empty or duplicate subgraph names
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CompositionError"]


@dataclass(frozen=True, slots=True)
class CompositionError:
    code: str
    message: str
    subgraph: str | None = None
    type_name: str | None = None
    field_name: str | None = None

    def __str__(self) -> str:
        where = ".".join(part for part in (self.type_name, self.field_name) if part)
        place = f"[{self.subgraph}] " if self.subgraph else ""
        return f"{self.code}: {place}{where + ': ' if where else ''}{self.message}"
