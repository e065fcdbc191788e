"""Merging one field of an object or interface type across the subgraphs that define the type.

Implements Apollo's rules: the supergraph type is the most general of the resolving subgraphs' types; an
``@external`` copy must accept it; a field resolved by several subgraphs must be ``@shareable`` in each
(``@override`` moves a field instead); arguments are the intersection; a ``@join__field`` is emitted only when
the field is not in every subgraph of its type, or differs by type, external, requires, provides or override.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schema.compose.directives import merge_description, merge_directives
from schema.compose.errors import CompositionError
from schema.compose.model import SubField, Subgraph, SubType
from schema.compose.supergraph_model import JoinField, MergedArgument, MergedField
from schema.compose.typerefs import Subtypes, merge_all, merge_input, merge_output

__all__ = ["FieldSource", "merge_arguments", "merge_field"]


@dataclass(frozen=True, slots=True)
class FieldSource:
    subgraph: Subgraph
    type: SubType
    field: SubField


def _overrides(
    type_name: str, entries: Sequence[FieldSource], errors: list[CompositionError], hints: list[str]
) -> dict[str, str | None]:
    """The subgraphs a field was taken from -> the progressive override label, if any."""
    by_name = {entry.subgraph.name: entry for entry in entries}
    overridden: dict[str, str | None] = {}
    for entry in entries:
        source = entry.field.override
        if source is None:
            continue
        where = (entry.subgraph.name, type_name, entry.field.name)
        if source == entry.subgraph.name:
            errors.append(
                CompositionError(
                    "OVERRIDE_FROM_SELF_ERROR", f'@override(from: "{source}") names its own subgraph', *where
                )
            )
            continue
        taken = by_name.get(source)
        if taken is None:
            hints.append(
                f'{type_name}.{entry.field.name}: @override(from: "{source}") names no subgraph defining the field'
            )
            continue
        if taken.field.override is not None:
            errors.append(
                CompositionError(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'"{type_name}.{entry.field.name}" is overridden from "{source}", where it has @override itself',
                    *where,
                )
            )
            continue
        if taken.field.external:
            hints.append(f'{type_name}.{entry.field.name}: the field overridden in "{source}" is @external there')
            continue
        overridden[source] = entry.field.override_label
    return overridden


def merge_arguments(
    type_name: str, field_name: str, entries: Sequence[FieldSource], errors: list[CompositionError]
) -> tuple[MergedArgument, ...]:
    names: list[str] = []
    for entry in entries:
        names.extend(arg.name for arg in entry.field.args if arg.name not in names)
    merged: list[MergedArgument] = []
    for name in names:
        found = [(entry, next((a for a in entry.field.args if a.name == name), None)) for entry in entries]
        present = [(entry, arg) for entry, arg in found if arg is not None]
        if len(present) < len(found):
            required = [entry for entry, arg in present if arg.type.endswith("!") and arg.default is None]
            if required:
                errors.append(
                    CompositionError(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'argument "{name}" is required in "{required[0].subgraph.name}" but missing in '
                        + ", ".join(f'"{entry.subgraph.name}"' for entry, arg in found if arg is None),
                        required[0].subgraph.name, type_name, field_name,
                    )
                )  # fmt: skip
            continue
        merged_type = merge_all([arg.type for _, arg in present], merge_input)
        if merged_type is None:
            errors.append(
                CompositionError(
                    "FIELD_ARGUMENT_TYPE_MISMATCH",
                    f'argument "{name}" has incompatible types: '
                    + ", ".join(f'{arg.type} in "{entry.subgraph.name}"' for entry, arg in present),
                    present[-1][0].subgraph.name, type_name, field_name,
                )
            )  # fmt: skip
            continue
        defaults = {arg.default for _, arg in present if arg.default is not None}
        if len(defaults) > 1:
            errors.append(
                CompositionError(
                    "FIELD_ARGUMENT_DEFAULT_MISMATCH",
                    f'argument "{name}" has different defaults: ' + ", ".join(sorted(defaults)),
                    present[-1][0].subgraph.name, type_name, field_name,
                )
            )  # fmt: skip
        merged.append(
            MergedArgument(
                name=name,
                type=merged_type,
                default=next(iter(defaults), None),
                description=merge_description(arg.description for _, arg in present),
                directives=merge_directives((arg.directives for _, arg in present), frozenset({"tag"})),
            )
        )
    return tuple(merged)


def merge_field(
    type_name: str,
    kind: str,
    sources: Sequence[tuple[Subgraph, SubType]],
    entries: Sequence[FieldSource],
    repeatable: frozenset[str],
    subtypes: Subtypes,
    errors: list[CompositionError],
    hints: list[str],
) -> MergedField | None:
    field_name = entries[0].field.name
    known_errors = len(errors)
    overridden = _overrides(type_name, entries, errors, hints)
    override_failed = len(errors) > known_errors  # sharing is moot until the override is fixed
    resolving = [e for e in entries if not e.field.external and e.subgraph.name not in overridden]
    defining = [e for e in entries if not e.field.external]
    if not defining:
        errors.append(
            CompositionError(
                "EXTERNAL_MISSING_ON_BASE",
                f'"{type_name}.{field_name}" is @external in every subgraph that defines it',
                entries[0].subgraph.name, type_name, field_name,
            )
        )  # fmt: skip
        return None
    merged_type = merge_all([e.field.type for e in defining], lambda a, b: merge_output(a, b, subtypes))
    if merged_type is None:
        errors.append(
            CompositionError(
                "FIELD_TYPE_MISMATCH",
                f'"{type_name}.{field_name}" has incompatible types: '
                + ", ".join(f'{e.field.type} in "{e.subgraph.name}"' for e in defining),
                next(e for e in defining if e.field.type != defining[0].field.type).subgraph.name, type_name, field_name,
            )
        )  # fmt: skip
        return None
    for entry in entries:
        if entry.field.external and merge_output(entry.field.type, merged_type, subtypes) != entry.field.type:
            errors.append(
                CompositionError(
                    "EXTERNAL_TYPE_MISMATCH",
                    f'"{type_name}.{field_name}" is @external with type {entry.field.type}, '
                    f"but the subgraphs defining it produce {merged_type}",
                    entry.subgraph.name, type_name, field_name,
                )
            )  # fmt: skip
    if kind == "object" and len(resolving) > 1 and type_name != "Subscription" and not override_failed:
        unshared = [e for e in resolving if not e.field.shareable]
        if unshared:
            errors.append(
                CompositionError(
                    "INVALID_FIELD_SHARING",
                    f'"{type_name}.{field_name}" is resolved by '
                    + ", ".join(f'"{e.subgraph.name}"' for e in resolving)
                    + " but is not @shareable in "
                    + ", ".join(f'"{e.subgraph.name}"' for e in unshared),
                    unshared[0].subgraph.name, type_name, field_name,
                )
            )  # fmt: skip
    all_equal = len({e.field.type for e in entries}) == 1
    joins: list[JoinField] = []
    for entry in entries:
        name = entry.subgraph.name
        label = overridden.get(name)
        used_overridden = name in overridden and label is None
        if used_overridden and (type_name, field_name) not in entry.subgraph.used:
            continue
        joins.append(
            JoinField(
                graph=entry.subgraph.graph,
                requires=entry.field.requires,
                provides=entry.field.provides,
                type=None if all_equal else entry.field.type,
                external=entry.field.external,
                override=entry.field.override,
                used_overridden=used_overridden,
                override_label=entry.field.override_label if entry.field.override else label,
            )
        )
    needs_join = (
        not all_equal
        or len(entries) < len(sources)
        or any(j.used_overridden or j.override_label or j.external or j.requires or j.provides for j in joins)
        or len(joins) < len(entries)
    )
    return MergedField(
        name=field_name,
        type=merged_type,
        args=merge_arguments(type_name, field_name, defining, errors),
        description=merge_description(e.field.description for e in entries),
        directives=merge_directives((e.field.directives for e in entries), repeatable),
        joins=tuple(joins) if needs_join else (),
        from_interface_object=any(e.type.interface_object for e in entries),
    )
