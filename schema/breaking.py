"""Breaking and dangerous changes between two API schemas, phrased for the operator who runs ``minyi check``.

The detection is graphql-core's (``graphql.utilities.find_breaking_changes`` / ``find_dangerous_changes``, the
port of graphql-js's ``findBreakingChanges``): removed types and fields, changed field types (an output field that
may now be null, an argument or input field that must now be given), removed enum values, removed union members and
interfaces, removed or changed arguments, new required arguments and input fields. This module turns each finding
into a :class:`SchemaChange` with a stable ``code`` (graphql-core's change type name), a ``severity`` and a message
that says what changed and what it does to clients.

A rename done the recommended way — the new name added, the old one kept with ``@deprecated(reason: "Use X.")`` —
is neither: it is reported as a deprecation (severity ``deprecated``, code ``FIELD_DEPRECATED``,
``ARG_DEPRECATED``, ``INPUT_FIELD_DEPRECATED`` or ``ENUM_VALUE_DEPRECATED``), so the operator sees what clients
should move off before the old name is removed in a later release.

Compare API schemas (``Supergraph.api_schema``), not supergraphs: the join metadata and ``@inaccessible`` elements
are not part of the contract with clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)
from graphql.utilities import BreakingChangeType, DangerousChangeType, find_breaking_changes, find_dangerous_changes

__all__ = ["SchemaChange", "Severity", "find_deprecations", "find_schema_changes", "format_changes"]

Severity = Literal["breaking", "dangerous", "deprecated"]

# What each kind of change does to the clients already written against the old schema.
_CONSEQUENCES: dict[str, str] = {
    BreakingChangeType.TYPE_REMOVED.name: "operations that name it (in fragments or variables) stop validating",
    BreakingChangeType.TYPE_CHANGED_KIND.name: "operations that select from it or pass it may stop validating",
    BreakingChangeType.TYPE_REMOVED_FROM_UNION.name: "fragments on it inside the union stop validating",
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM.name: "clients sending it are refused, clients expecting it break",
    BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED.name: "clients that do not send it are refused",
    BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED.name: "fragments on the interface no longer match it",
    BreakingChangeType.FIELD_REMOVED.name: "operations selecting it stop validating",
    BreakingChangeType.FIELD_CHANGED_KIND.name: "clients may receive values (or nulls) they do not expect",
    BreakingChangeType.REQUIRED_ARG_ADDED.name: "operations that do not pass it stop validating",
    BreakingChangeType.ARG_REMOVED.name: "operations passing it stop validating",
    BreakingChangeType.ARG_CHANGED_KIND.name: "values clients send today may be refused",
    BreakingChangeType.DIRECTIVE_REMOVED.name: "operations using it stop validating",
    BreakingChangeType.DIRECTIVE_ARG_REMOVED.name: "operations passing it stop validating",
    BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED.name: "operations that do not pass it stop validating",
    BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED.name: "operations repeating it stop validating",
    BreakingChangeType.DIRECTIVE_LOCATION_REMOVED.name: "operations using it there stop validating",
    DangerousChangeType.VALUE_ADDED_TO_ENUM.name: "clients with an exhaustive switch over the enum may not handle it",
    DangerousChangeType.TYPE_ADDED_TO_UNION.name: "clients may receive a member type they do not handle",
    DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED.name: "harmless unless clients validate inputs strictly",
    DangerousChangeType.OPTIONAL_ARG_ADDED.name: "harmless unless clients rely on the argument list",
    DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED.name: "fragments on the interface now match it too",
    DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE.name: "clients that omit it get different results",
    DangerousChangeType.INPUT_FIELD_DEFAULT_VALUE_CHANGE.name: "clients that omit it get different results",
}


@dataclass(frozen=True, slots=True)
class SchemaChange:
    """One change. ``code`` is graphql-core's change type (``FIELD_REMOVED``, ``ARG_CHANGED_KIND``…); ``change``
    is what changed (graphql-core's description); ``message`` adds what it does to clients."""

    severity: Severity
    code: str
    change: str

    @property
    def message(self) -> str:
        consequence = _CONSEQUENCES.get(self.code)
        statement = self.change.rstrip(".")
        return f"{statement}: {consequence}." if consequence else f"{statement}."


_ORDER = {"breaking": 0, "dangerous": 1, "deprecated": 2}


def _newly(old_reason: str | None, new_reason: str | None) -> bool:
    return new_reason is not None and old_reason is None


def find_deprecations(old: GraphQLSchema, new: GraphQLSchema) -> list[SchemaChange]:
    """Fields, arguments, input fields and enum values that ``old`` has and ``new`` newly deprecates."""
    found: list[SchemaChange] = []
    for name, new_type in new.type_map.items():
        old_type = old.type_map.get(name)
        if name.startswith("__") or old_type is None or type(old_type) is not type(new_type):
            continue
        if isinstance(new_type, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(old_type, GraphQLObjectType | GraphQLInterfaceType)
            for field_name, field in new_type.fields.items():
                before = old_type.fields.get(field_name)
                if before is None:
                    continue
                if _newly(before.deprecation_reason, field.deprecation_reason):
                    found.append(
                        SchemaChange(
                            "deprecated",
                            "FIELD_DEPRECATED",
                            f"{name}.{field_name} is deprecated ({field.deprecation_reason})",
                        )
                    )
                for arg_name, arg in field.args.items():
                    old_arg = before.args.get(arg_name)
                    if old_arg is not None and _newly(old_arg.deprecation_reason, arg.deprecation_reason):
                        found.append(
                            SchemaChange(
                                "deprecated",
                                "ARG_DEPRECATED",
                                f"{name}.{field_name}({arg_name}:) is deprecated ({arg.deprecation_reason})",
                            )
                        )
        elif isinstance(new_type, GraphQLInputObjectType):
            assert isinstance(old_type, GraphQLInputObjectType)
            for field_name, input_field in new_type.fields.items():
                before_input = old_type.fields.get(field_name)
                if before_input is not None and _newly(before_input.deprecation_reason, input_field.deprecation_reason):
                    found.append(
                        SchemaChange(
                            "deprecated",
                            "INPUT_FIELD_DEPRECATED",
                            f"{name}.{field_name} is deprecated ({input_field.deprecation_reason})",
                        )
                    )
        elif isinstance(new_type, GraphQLEnumType):
            assert isinstance(old_type, GraphQLEnumType)
            for value_name, value in new_type.values.items():
                before_value = old_type.values.get(value_name)
                if before_value is not None and _newly(before_value.deprecation_reason, value.deprecation_reason):
                    found.append(
                        SchemaChange(
                            "deprecated",
                            "ENUM_VALUE_DEPRECATED",
                            f"{name}.{value_name} is deprecated ({value.deprecation_reason})",
                        )
                    )
    return found


def find_schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> tuple[SchemaChange, ...]:
    """Every breaking, then every dangerous change from ``old`` to ``new``, then every new deprecation; each group
    sorted by code then text."""
    changes = [SchemaChange("breaking", c.type.name, c.description) for c in find_breaking_changes(old, new)]
    changes += [SchemaChange("dangerous", c.type.name, c.description) for c in find_dangerous_changes(old, new)]
    changes += find_deprecations(old, new)
    return tuple(sorted(changes, key=lambda c: (_ORDER[c.severity], c.code, c.change)))


def format_changes(changes: tuple[SchemaChange, ...] | list[SchemaChange]) -> str:
    """A readable report: breaking changes first, then dangerous ones, then deprecations (renames kept working);
    ``"no breaking changes"`` when none break."""
    breaking = [c for c in changes if c.severity == "breaking"]
    dangerous = [c for c in changes if c.severity == "dangerous"]
    deprecated = [c for c in changes if c.severity == "deprecated"]
    lines: list[str] = []
    if breaking:
        lines.append(f"{len(breaking)} breaking change{'s' if len(breaking) != 1 else ''}:")
        lines += [f"  ✗ [{c.code}] {c.message}" for c in breaking]
    else:
        lines.append("no breaking changes")
    if dangerous:
        lines.append(f"{len(dangerous)} dangerous change{'s' if len(dangerous) != 1 else ''} (not blocking):")
        lines += [f"  ! [{c.code}] {c.message}" for c in dangerous]
    if deprecated:
        lines.append(
            f"{len(deprecated)} deprecation{'s' if len(deprecated) != 1 else ''} (still answering; not blocking):"
        )
        lines += [f"  ~ [{c.code}] {c.message}" for c in deprecated]
    return "\n".join(lines)
