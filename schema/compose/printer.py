"""Printing the supergraph SDL the way Apollo's composer lays it out: the schema with its ``@link``s, directive
definitions, then every type in name order with its ``@join__*`` directives."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graphql import StringValueNode, print_ast

from schema.compose.model import Subgraph
from schema.compose.supergraph_model import JoinField, JoinType, MergedArgument, MergedField, MergedType

__all__ = ["FEATURES", "Feature", "print_supergraph"]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    url: str
    purpose: str | None
    definition: str
    scalars: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()  # directives linked by their bare names (``import: ["@cost", "@listSize"]``)


_ALL = "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
_AUTH = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
FEATURES = (
    Feature("tag", "https://specs.apollo.dev/tag/v0.3", None, f"directive @tag(name: String!) repeatable on {_ALL} | SCHEMA"),
    Feature("inaccessible", "https://specs.apollo.dev/inaccessible/v0.2", "SECURITY", f"directive @inaccessible on {_ALL}"),
    Feature("authenticated", "https://specs.apollo.dev/authenticated/v0.1", "SECURITY", f"directive @authenticated on {_AUTH}"),
    Feature(
        "requiresScopes", "https://specs.apollo.dev/requiresScopes/v0.1", "SECURITY",
        f"directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on {_AUTH}", ("requiresScopes__Scope",),
    ),
    Feature(
        "policy", "https://specs.apollo.dev/policy/v0.1", "SECURITY",
        f"directive @policy(policies: [[policy__Policy!]!]!) on {_AUTH}", ("policy__Policy",),
    ),
    Feature(
        "cost", "https://specs.apollo.dev/cost/v0.1", None,
        "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION"
        " | OBJECT | SCALAR\n\ndirective @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],"
        " requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION",
        imports=("cost", "listSize"),
    ),
)  # fmt: skip

_JOIN_FIELD_ARGS = {
    3: "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean",
    4: "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String",
}
_JOIN_DEFINITIONS = [
    "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE",
    "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
    "directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE",
    "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR",
    "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION",
    "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA",
]
_LINK_PURPOSE = '''enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''


def _string(value: str) -> str:
    return print_ast(StringValueNode(value=value))


def _description(text: str | None, indent: str) -> str:
    if not text:
        return ""
    printed = print_ast(StringValueNode(value=text, block=True))
    return "".join(indent + line + "\n" if line else "\n" for line in printed.split("\n"))


def _join_type(join: JoinType) -> str:
    args = [f"graph: {join.graph}"]
    if join.key is not None:
        args.append(f"key: {_string(join.key)}")
    if join.extension:
        args.append("extension: true")
    if join.resolvable is not None:
        args.append(f"resolvable: {'true' if join.resolvable else 'false'}")
    if join.interface_object:
        args.append("isInterfaceObject: true")
    return f"@join__type({', '.join(args)})"


def _join_field(join: JoinField) -> str:
    if join.graph is None:
        return "@join__field"
    args = [f"graph: {join.graph}"]
    for name, value in (("requires", join.requires), ("provides", join.provides), ("type", join.type)):
        if value is not None:
            args.append(f"{name}: {_string(value)}")
    if join.external:
        args.append("external: true")
    if join.override is not None:
        args.append(f"override: {_string(join.override)}")
    if join.used_overridden:
        args.append("usedOverridden: true")
    if join.override_label is not None:
        args.append(f"overrideLabel: {_string(join.override_label)}")
    return f"@join__field({', '.join(args)})"


def _suffix(directives: Iterable[str]) -> str:
    return "".join(" " + d for d in directives)


def _arguments(args: Sequence[MergedArgument]) -> str:
    if not args:
        return ""

    def one(arg: MergedArgument) -> str:
        default = f" = {arg.default}" if arg.default is not None else ""
        return f"{arg.name}: {arg.type}{default}{_suffix(arg.directives)}"

    if not any(arg.description for arg in args):
        return "(" + ", ".join(one(arg) for arg in args) + ")"
    lines = _block(_description(arg.description, "    ") + "    " + one(arg) for arg in args)
    return "(\n" + lines + "\n  )"


def _field(field: MergedField) -> str:
    default = f" = {field.default}" if field.default is not None else ""
    directives = [_join_field(j) for j in field.joins] + list(field.directives)
    return (
        _description(field.description, "  ")
        + f"  {field.name}{_arguments(field.args)}: {field.type}{default}{_suffix(directives)}"
    )


def _type(merged: MergedType) -> str:
    keyword = {
        "object": "type",
        "interface": "interface",
        "union": "union",
        "enum": "enum",
        "input": "input",
        "scalar": "scalar",
    }
    head = f"{keyword[merged.kind]} {merged.name}"
    if merged.interfaces:
        head += " implements " + " & ".join(merged.interfaces)
    directives = [f'@join__implements(graph: {g}, interface: "{i}")' for g, i in merged.implements]
    directives += [_join_type(j) for j in merged.join_types]
    directives += [f'@join__unionMember(graph: {g}, member: "{m}")' for g, m in merged.union_members]
    directives += list(merged.directives)
    text = _description(merged.description, "") + head + "".join("\n  " + d for d in directives)
    if merged.kind == "union":
        return text + ("\n" if directives else "") + " = " + " | ".join(merged.members)
    if merged.kind == "scalar":
        return text
    if merged.kind == "enum":
        body = _block(
            _description(v.description, "  ")
            + f"  {v.name}{_suffix(v.directives)}"
            + "".join(f" @join__enumValue(graph: {g})" for g in v.graphs)
            for v in merged.values
        )
    else:
        body = _block(_field(f) for f in merged.fields)
    return text + ("\n{\n" if directives else " {\n") + body + "\n}"


def _block(items: Iterable[str]) -> str:
    """graphql-js layout: one item a line, a blank line before a described item that is not the first."""
    printed = list(items)
    return "\n".join(
        ("\n" + item if index and item.lstrip().startswith('"') else item) for index, item in enumerate(printed)
    )


def _used(types: Iterable[MergedType]) -> set[str]:
    names: set[str] = set()

    def add(directives: Iterable[str]) -> None:
        names.update(d[1:].split("(", 1)[0] for d in directives)

    for merged in types:
        add(merged.directives)
        for f in merged.fields:
            add(f.directives)
            for arg in f.args:
                add(arg.directives)
        for v in merged.values:
            add(v.directives)
    return names


def print_supergraph(
    subgraphs: Sequence[Subgraph], types: Mapping[str, MergedType], join_minor: int, roots: Sequence[str]
) -> str:
    used = _used(types.values())
    features = [f for f in FEATURES if f.name in used or used.intersection(f.imports)]
    links = [
        '@link(url: "https://specs.apollo.dev/link/v1.0")',
        f'@link(url: "https://specs.apollo.dev/join/v0.{join_minor}", for: EXECUTION)',
    ]
    links += [
        f'@link(url: "{f.url}"'
        + (", import: [" + ", ".join(f'"@{name}"' for name in f.imports) + "]" if f.imports else "")
        + (f", for: {f.purpose})" if f.purpose else ")")
        for f in features
    ]
    definitions = [f.definition for f in features] + list(_JOIN_DEFINITIONS)
    definitions.append(
        f"directive @join__field({_JOIN_FIELD_ARGS[min(join_minor, 4)]}) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION"
    )
    extra_types = ["scalar join__FieldSet", "scalar link__Import", _LINK_PURPOSE]
    if join_minor >= 4:
        definitions.append(
            "directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
        )
        extra_types.append("scalar join__DirectiveArguments")
    extra_types += [f"scalar {s}" for f in features for s in f.scalars]
    composed_links: list[str] = []
    for subgraph in subgraphs:
        for name in subgraph.composed:
            definition = subgraph.directive_definitions.get(name)
            if definition is None or name not in used:
                continue
            printed = print_ast(definition)
            if printed not in definitions:
                definitions.append(printed)
            link = next((lk for lk in subgraph.names.links if name in lk.imports), None)
            if link is not None:
                text = f'@link(url: "{link.url}", import: ["@{name}"])'
                if text not in composed_links:
                    composed_links.append(text)
    links += composed_links
    graphs = "\n".join(
        f"  {sg.graph} @join__graph(name: {_string(sg.name)}, url: {_string(sg.url)})" for sg in subgraphs
    )
    extra_types.append("enum join__Graph {\n" + graphs + "\n}")
    root_lines = "".join(
        f"  {op}: {name}\n" for op, name in zip(("query", "mutation", "subscription"), roots, strict=False) if name
    )
    blocks = ["schema\n" + "".join(f"  {link}\n" for link in links) + "{\n" + root_lines + "}"]
    blocks += sorted(definitions, key=lambda d: d.split("(", 1)[0].split(" ")[1].lower())
    printed_types = [(name, _type(t)) for name, t in types.items()]
    printed_types += [(text.split(" ", 2)[1], text) for text in extra_types]
    blocks += [text for _, text in sorted(printed_types, key=lambda item: item[0].lower())]
    return "\n\n".join(blocks)
