"""Merging the subgraphs' types into supergraph types (Apollo Federation 2 composition rules).

- objects and interfaces: fields merged by :mod:`schema.compose.fields`; an ``@interfaceObject`` type merges into
  the interface of that name, and the fields it adds appear on every implementation with a bare ``@join__field``;
- unions: the union of members, ``@join__unionMember`` per subgraph;
- enums: the union of values when only used in output positions (or unused), the intersection when only used in
  input positions, and the same values everywhere when used in both (``ENUM_VALUE_MISMATCH``);
- input objects: the intersection of fields, with the most specific type per field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from schema.compose.directives import merge_description, merge_directives
from schema.compose.errors import CompositionError
from schema.compose.fields import FieldSource, merge_field
from schema.compose.model import Subgraph, SubType
from schema.compose.supergraph_model import JoinField, JoinType, MergedEnumValue, MergedField, MergedType
from schema.compose.typerefs import Subtypes, merge_all, merge_input, named_type

__all__ = ["merge_types"]

Sources = Sequence[tuple[Subgraph, SubType]]


def _join_types(sources: Sources) -> tuple[JoinType, ...]:
    joins: list[JoinType] = []
    for subgraph, sub in sources:
        if not sub.keys:
            joins.append(JoinType(subgraph.graph, interface_object=sub.interface_object))
        for key in sub.keys:
            joins.append(JoinType(subgraph.graph, key.fields, key.extension, key.resolvable, sub.interface_object))
    return tuple(joins)


def _type_directives(sources: Sources, repeatable: frozenset[str]) -> tuple[str, ...]:
    return merge_directives((sub.directives for _, sub in sources), repeatable)


def _merge_composite(
    name: str,
    kind: str,
    sources: Sources,
    repeatable: frozenset[str],
    subtypes: Subtypes,
    errors: list[CompositionError],
    hints: list[str],
) -> MergedType:
    field_names: list[str] = []
    for _, sub in sources:
        field_names.extend(f for f in sub.fields if f not in field_names)
    fields: list[MergedField] = []
    for field_name in field_names:
        entries = [FieldSource(sg, sub, sub.fields[field_name]) for sg, sub in sources if field_name in sub.fields]
        merged = merge_field(name, kind, sources, entries, repeatable, subtypes, errors, hints)
        if merged is not None:
            fields.append(merged)
    interfaces: list[str] = []
    implements: list[tuple[str, str]] = []
    for subgraph, sub in sources:
        for interface in sub.interfaces:
            implements.append((subgraph.graph, interface))
            if interface not in interfaces:
                interfaces.append(interface)
    return MergedType(
        name=name,
        kind=kind,
        join_types=_join_types(sources),
        description=merge_description(sub.description for _, sub in sources),
        directives=_type_directives(sources, repeatable),
        fields=tuple(fields),
        interfaces=tuple(interfaces),
        implements=tuple(implements),
    )


def _merge_union(name: str, sources: Sources, repeatable: frozenset[str]) -> MergedType:
    members: list[str] = []
    for _, sub in sources:
        members.extend(m for m in sub.members if m not in members)
    return MergedType(
        name=name,
        kind="union",
        join_types=_join_types(sources),
        description=merge_description(sub.description for _, sub in sources),
        directives=_type_directives(sources, repeatable),
        members=tuple(members),
        union_members=tuple((sg.graph, m) for sg, sub in sources for m in sub.members),
    )


def _enum_usage(subgraphs: Sequence[Subgraph]) -> tuple[set[str], set[str]]:
    inputs: set[str] = set()
    outputs: set[str] = set()
    for subgraph in subgraphs:
        for sub in subgraph.types.values():
            for f in sub.fields.values():
                (inputs if sub.kind == "input" else outputs).add(named_type(f.type))
                inputs.update(named_type(arg.type) for arg in f.args)
    return inputs, outputs


def _merge_enum(
    name: str,
    sources: Sources,
    as_input: bool,
    as_output: bool,
    repeatable: frozenset[str],
    errors: list[CompositionError],
) -> MergedType | None:
    names: list[str] = []
    for _, sub in sources:
        names.extend(v.name for v in sub.values if v.name not in names)
    present = {value: [sg for sg, sub in sources if any(v.name == value for v in sub.values)] for value in names}
    partial = [value for value in names if len(present[value]) < len(sources)]
    hidden = {
        value
        for value in partial
        if all("@inaccessible" in v.directives for _, sub in sources for v in sub.values if v.name == value)
    }
    mismatched = [value for value in partial if value not in hidden]
    if as_input and as_output and mismatched:
        missing = next(sg for sg, _ in sources if sg not in present[mismatched[0]])
        errors.append(
            CompositionError(
                "ENUM_VALUE_MISMATCH",
                f'enum "{name}" is used as both input and output, so every subgraph must define the same values; '
                f'value "{mismatched[0]}" is missing in "{missing.name}"',
                missing.name, name, None,
            )
        )  # fmt: skip
        return None
    if as_input and not as_output:
        names = [value for value in names if value not in partial]
        if not names:
            errors.append(
                CompositionError(
                    "EMPTY_MERGED_ENUM_TYPE",
                    f'enum "{name}" is only used as input and its subgraphs share no value',
                    sources[0][0].name, name, None,
                )
            )  # fmt: skip
            return None
    values = []
    for value in names:
        defined = [v for _, sub in sources for v in sub.values if v.name == value]
        values.append(
            MergedEnumValue(
                name=value,
                graphs=tuple(sg.graph for sg in present[value]),
                description=merge_description(v.description for v in defined),
                directives=merge_directives((v.directives for v in defined), repeatable),
            )
        )
    return MergedType(
        name=name,
        kind="enum",
        join_types=_join_types(sources),
        description=merge_description(sub.description for _, sub in sources),
        directives=_type_directives(sources, repeatable),
        values=tuple(values),
    )


def _merge_input(
    name: str, sources: Sources, repeatable: frozenset[str], errors: list[CompositionError]
) -> MergedType | None:
    names: list[str] = []
    for _, sub in sources:
        names.extend(f for f in sub.fields if f not in names)
    fields: list[MergedField] = []
    for field_name in names:
        defined = [(sg, sub.fields[field_name]) for sg, sub in sources if field_name in sub.fields]
        if len(defined) < len(sources):
            required = [sg for sg, f in defined if f.type.endswith("!") and f.default is None]
            if required:
                missing = next(sg for sg, sub in sources if field_name not in sub.fields)
                errors.append(
                    CompositionError(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'input field "{name}.{field_name}" is required in "{required[0].name}" but missing in "{missing.name}"',
                        missing.name, name, field_name,
                    )
                )  # fmt: skip
            continue
        merged_type = merge_all([f.type for _, f in defined], merge_input)
        if merged_type is None:
            errors.append(
                CompositionError(
                    "FIELD_TYPE_MISMATCH",
                    f'input field "{name}.{field_name}" has incompatible types: '
                    + ", ".join(f'{f.type} in "{sg.name}"' for sg, f in defined),
                    defined[-1][0].name, name, field_name,
                )
            )  # fmt: skip
            continue
        defaults = {f.default for _, f in defined if f.default is not None}
        if len(defaults) > 1:
            errors.append(
                CompositionError(
                    "INPUT_FIELD_DEFAULT_MISMATCH",
                    f'input field "{name}.{field_name}" has different defaults: ' + ", ".join(sorted(defaults)),
                    defined[-1][0].name, name, field_name,
                )
            )  # fmt: skip
        all_equal = len({f.type for _, f in defined}) == 1
        fields.append(
            MergedField(
                name=field_name,
                type=merged_type,
                description=merge_description(f.description for _, f in defined),
                directives=merge_directives((f.directives for _, f in defined), repeatable),
                default=next(iter(defaults), None),
                joins=() if all_equal else tuple(JoinField(sg.graph, type=f.type) for sg, f in defined),
            )
        )
    if not fields:
        errors.append(
            CompositionError(
                "EMPTY_MERGED_INPUT_TYPE",
                f'input type "{name}" has no field defined in every subgraph that defines it',
                sources[0][0].name, name, None,
            )
        )  # fmt: skip
        return None
    return MergedType(
        name=name,
        kind="input",
        join_types=_join_types(sources),
        description=merge_description(sub.description for _, sub in sources),
        directives=_type_directives(sources, repeatable),
        fields=tuple(fields),
    )


def _spread_interface_objects(types: dict[str, MergedType]) -> None:
    """Fields an ``@interfaceObject`` adds to an interface also exist on each implementation (bare @join__field)."""
    for interface in list(types.values()):
        if interface.kind != "interface" or not any(j.interface_object for j in interface.join_types):
            continue
        added = [f for f in interface.fields if f.from_interface_object]
        for implementation in list(types.values()):
            if implementation.kind != "object" or interface.name not in implementation.interfaces:
                continue
            have = {f.name for f in implementation.fields}
            extra = tuple(
                replace(f, joins=(JoinField(None),), from_interface_object=False) for f in added if f.name not in have
            )
            if extra:
                types[implementation.name] = replace(implementation, fields=implementation.fields + extra)


def merge_types(
    subgraphs: Sequence[Subgraph], repeatable: frozenset[str], errors: list[CompositionError], hints: list[str]
) -> dict[str, MergedType]:
    names: list[str] = []
    for subgraph in subgraphs:
        names.extend(name for name in subgraph.types if name not in names)
    inputs, outputs = _enum_usage(subgraphs)
    subtypes = frozenset(
        (sub.name, parent) for sg in subgraphs for sub in sg.types.values() for parent in sub.interfaces
    ) | frozenset((member, sub.name) for sg in subgraphs for sub in sg.types.values() for member in sub.members)
    merged: dict[str, MergedType] = {}
    for name in names:
        sources = [(sg, sg.types[name]) for sg in subgraphs if name in sg.types]
        kinds = {("interface" if sub.interface_object else sub.kind) for _, sub in sources}
        if len(kinds) > 1:
            first = sources[0][1]
            odd = next(sg for sg, sub in sources if ("interface" if sub.interface_object else sub.kind) != first.kind)
            errors.append(
                CompositionError(
                    "TYPE_KIND_MISMATCH",
                    f'"{name}" is defined as ' + ", ".join(f'{sub.kind} in "{sg.name}"' for sg, sub in sources),
                    odd.name, name, None,
                )
            )  # fmt: skip
            continue
        kind = kinds.pop()
        result: MergedType | None
        if kind in ("object", "interface"):
            result = _merge_composite(name, kind, sources, repeatable, subtypes, errors, hints)
        elif kind == "union":
            result = _merge_union(name, sources, repeatable)
        elif kind == "enum":
            result = _merge_enum(name, sources, name in inputs, name in outputs, repeatable, errors)
        elif kind == "input":
            result = _merge_input(name, sources, repeatable, errors)
        else:
            result = MergedType(
                name=name,
                kind=kind,
                join_types=_join_types(sources),
                description=merge_description(sub.description for _, sub in sources),
                directives=_type_directives(sources, repeatable),
            )
        if result is not None:
            merged[name] = result
    _spread_interface_objects(merged)
    return merged
