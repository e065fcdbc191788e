"""The supergraph model: a parsed supergraph SDL, its join metadata and its API schema.

``load_supergraph(sdl)`` accepts the supergraphs current composers emit: ``@link(url: ".../link/v1.0")`` with
``join/v0.2``–``v0.5`` (Fed 2, and Fed 1 subgraphs composed with ``extension: true``), and the older
``@core(feature: ".../join/v0.1")`` form. See :mod:`schema.join` for the ownership rules.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ConstArgumentNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    parse,
    print_ast,
    value_from_ast_untyped,
)

from schema.api_schema import build_api_schema
from schema.errors import SupergraphError
from schema.fieldset import parse_fieldset
from schema.join import FieldInGraph, FieldMeta, Key, TypeInGraph, TypeMeta
from schema.sdl_checks import check_sdl

__all__ = ["Supergraph", "load_supergraph"]

_SPEC = re.compile(r"/(?P<name>[A-Za-z_][A-Za-z0-9_]*)/v(?P<major>\d+)\.(?P<minor>\d+)/?$")
_JOIN_VERSIONS = {(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)}


@dataclass(frozen=True, slots=True, eq=False)
class Supergraph:
    sdl: str
    schema_hash: str
    api_schema: GraphQLSchema
    subgraph_urls: Mapping[str, str]
    schema: GraphQLSchema  # the whole supergraph, @inaccessible elements included (the planner plans on it)
    types: Mapping[str, TypeMeta]
    join_version: str = "0.3"
    query_type: str = "Query"
    mutation_type: str | None = None
    subscription_type: str | None = None
    _possible: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def graphs(self) -> tuple[str, ...]:
        return tuple(self.subgraph_urls)

    def type(self, name: str) -> TypeMeta:
        return self.types[name]

    def field(self, type_name: str, field_name: str) -> FieldMeta | None:
        meta = self.types.get(type_name)
        return meta.fields.get(field_name) if meta is not None else None

    def is_abstract(self, name: str) -> bool:
        meta = self.types.get(name)
        return meta is not None and meta.kind in ("interface", "union")

    def possible_types(self, name: str) -> tuple[str, ...]:
        """Object types of the supergraph that ``name`` covers (itself for an object type), in schema order."""
        cached = self._possible.get(name)
        if cached is not None:
            return cached
        meta = self.types.get(name)
        result: tuple[str, ...]
        if meta is None:
            result = ()
        elif meta.kind == "object":
            result = (name,)
        else:
            named = self.schema.get_type(name)
            result = tuple(t.name for t in self.schema.get_possible_types(named)) if named is not None else ()  # type: ignore[arg-type]
        self._possible[name] = result
        return result

    def possible_types_in(self, name: str, graph: str) -> tuple[str, ...]:
        """Object types that ``graph`` itself may return where it declares ``name``."""
        meta = self.types.get(name)
        if meta is None:
            return ()
        if meta.kind == "object":
            return (name,) if graph in meta.graphs else ()
        result = []
        for candidate in self.possible_types(name):
            candidate_meta = self.types[candidate]
            if graph not in candidate_meta.graphs:
                continue
            if meta.kind == "union":
                members = meta.union_members.get(graph)
                if members is not None and candidate not in members:
                    continue
            elif self.join_version != "0.1" and name not in candidate_meta.implements.get(graph, frozenset()):
                continue
            result.append(candidate)
        return tuple(result)


def load_supergraph(sdl: str) -> Supergraph:
    """Parse and read a supergraph SDL (raises :class:`SupergraphError` with what is wrong).

    The cyclic garbage collector is paused meanwhile: the load allocates hundreds of thousands of AST nodes and
    schema objects that stay alive, and collections that walked them again and again as they grew found next to
    nothing to free. One full collection at the end frees the lexer's tokens and moves what stays to the oldest
    generation, so that the next requests do not pay for walking it (``bench/planning_peers.py``). The pause is
    process-wide: during a reload (loaded in a thread) the serving thread's collections wait too, for the load's
    second or so."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(sdl)
    finally:
        if enabled:
            gc.enable()
            gc.collect()


def _load(sdl: str) -> Supergraph:
    try:
        document = parse(sdl, no_location=True)
    except GraphQLSyntaxError as error:
        raise SupergraphError(f"supergraph is not valid GraphQL SDL: {error.message}") from error
    specs = _linked_specs(document)
    join = specs.get("join")
    if join is None:
        raise SupergraphError('not a supergraph: the schema links no join spec (@link(url: ".../join/v0.x"))')
    join_prefix, join_version = join
    major, minor = (int(part) for part in join_version.split("."))
    if (major, minor) not in _JOIN_VERSIONS:
        raise SupergraphError(f"unsupported join spec version v{join_version} (supported: v0.1–v0.5)")
    prefixes = {prefix for prefix, _ in specs.values() if prefix not in ("inaccessible", "tag")}
    prefixes |= {"link", "core", join_prefix}
    if "cost" in specs:  # demand control's directives stay in the supergraph's schema, out of the API schema
        prefixes |= {"listSize"}
    inaccessible = specs.get("inaccessible", ("inaccessible", ""))[0]
    check_sdl(document)  # what graphql-core's validate_sdl checks, in one pass; unknown types fail the build
    try:
        schema = build_ast_schema(document, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"supergraph SDL does not build a schema: {error}") from error
    graph_names, urls = _graphs(document, join_prefix)
    types = _read_types(document, join_prefix, graph_names)
    api_schema = build_api_schema(document, prefixes, inaccessible)
    query_type = schema.query_type.name if schema.query_type is not None else "Query"
    return Supergraph(
        sdl=sdl,
        schema_hash=hashlib.sha256(sdl.encode()).hexdigest(),
        api_schema=api_schema,
        subgraph_urls=urls,
        schema=schema,
        types=types,
        join_version=join_version,
        query_type=query_type,
        mutation_type=schema.mutation_type.name if schema.mutation_type is not None else None,
        subscription_type=schema.subscription_type.name if schema.subscription_type is not None else None,
    )


def _arguments(directive: DirectiveNode) -> dict[str, Any]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _raw_argument(directive: DirectiveNode, name: str) -> ConstArgumentNode | None:
    for arg in directive.arguments or ():
        if arg.name.value == name:
            return arg  # type: ignore[return-value]
    return None


def _linked_specs(document: DocumentNode) -> dict[str, tuple[str, str]]:
    """spec name → (local prefix, version) from ``@link(url:, as:)`` or ``@core(feature:, as:)`` on the schema."""
    specs: dict[str, tuple[str, str]] = {}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = _arguments(directive)
            url = args.get("url") or args.get("feature")
            if not isinstance(url, str):
                continue
            match = _SPEC.search(url)
            if match is None:
                continue
            name = match["name"]
            prefix = args.get("as") or name
            specs[name] = (str(prefix), f"{match['major']}.{match['minor']}")
    return specs


def _graphs(document: DocumentNode, join: str) -> tuple[dict[str, str], dict[str, str]]:
    enum_name = f"{join}__Graph"
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == enum_name:
            names: dict[str, str] = {}
            urls: dict[str, str] = {}
            for value in definition.values or ():
                for directive in value.directives or ():
                    if directive.name.value == f"{join}__graph":
                        args = _arguments(directive)
                        name = str(args.get("name", value.name.value))
                        names[value.name.value] = name
                        urls[name] = str(args.get("url", ""))
            if not names:
                raise SupergraphError(f"enum {enum_name} lists no @{join}__graph")
            return names, urls
    raise SupergraphError(f"not a supergraph: no enum {enum_name}")


def _named(type_node: TypeNode) -> str:
    while isinstance(type_node, ListTypeNode | NonNullTypeNode):
        type_node = type_node.type
    assert isinstance(type_node, NamedTypeNode)
    return type_node.name.value


_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    UnionTypeDefinitionNode: "union",
    EnumTypeDefinitionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
}


def _read_types(document: DocumentNode, join: str, graph_names: Mapping[str, str]) -> dict[str, TypeMeta]:
    def graph_of(args: Mapping[str, Any], where: str) -> str | None:
        value = args.get("graph")
        if value is None:
            return None
        if value not in graph_names:
            raise SupergraphError(f"{where}: unknown graph {value!r} (not a value of {join}__Graph)")
        return graph_names[value]

    types: dict[str, TypeMeta] = {}
    for definition in document.definitions:
        kind = _KINDS.get(type(definition))
        if kind is None:
            continue
        assert isinstance(
            definition,
            ObjectTypeDefinitionNode
            | InterfaceTypeDefinitionNode
            | UnionTypeDefinitionNode
            | EnumTypeDefinitionNode
            | InputObjectTypeDefinitionNode
            | ScalarTypeDefinitionNode,
        )
        name = definition.name.value
        if name.startswith(join + "__") or name.startswith("link__") or name.startswith("core__"):
            continue
        graphs: dict[str, TypeInGraph] = {}
        keys: dict[str, list[Key]] = {}
        flags: dict[str, tuple[bool, bool]] = {}
        implements: dict[str, set[str]] = {}
        members: dict[str, set[str]] = {}
        owner: str | None = None
        for directive in definition.directives or ():
            dname = directive.name.value
            where = f"@{dname} on {name}"
            args = _arguments(directive)
            if dname == f"{join}__type":
                graph = graph_of(args, where)
                if graph is None:
                    raise SupergraphError(f"{where}: missing graph argument")
                keys.setdefault(graph, [])
                previous = flags.get(graph, (False, False))
                flags[graph] = (
                    previous[0] or bool(args.get("extension", False)),
                    previous[1] or bool(args.get("isInterfaceObject", False)),
                )
                key = args.get("key")
                if key is not None:
                    parse_fieldset(str(key))
                    keys[graph].append(Key(graph, str(key), bool(args.get("resolvable", True))))
            elif dname == f"{join}__owner":
                owner = graph_of(args, where)
                if owner is not None:
                    keys.setdefault(owner, [])
                    flags.setdefault(owner, (False, False))
            elif dname == f"{join}__implements":
                graph = graph_of(args, where)
                if graph is not None:
                    implements.setdefault(graph, set()).add(str(args["interface"]))
            elif dname == f"{join}__unionMember":
                graph = graph_of(args, where)
                if graph is not None:
                    members.setdefault(graph, set()).add(str(args["member"]))
        for graph, graph_keys in keys.items():
            extension, interface_object = flags.get(graph, (False, False))
            graphs[graph] = TypeInGraph(graph, tuple(graph_keys), extension, interface_object)

        fields: dict[str, FieldMeta] = {}
        if isinstance(
            definition, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | InputObjectTypeDefinitionNode
        ):
            for field_node in definition.fields or ():
                fname = field_node.name.value
                entries: dict[str, FieldInGraph] = {}
                saw_join_field = False
                for directive in field_node.directives or ():
                    if directive.name.value != f"{join}__field":
                        continue
                    saw_join_field = True
                    args = _arguments(directive)
                    graph = graph_of(args, f"@{join}__field on {name}.{fname}")
                    if graph is None:
                        continue
                    for fieldset_arg in ("requires", "provides"):
                        if args.get(fieldset_arg) is not None:
                            parse_fieldset(str(args[fieldset_arg]))
                    override = args.get("override")
                    entries[graph] = FieldInGraph(
                        graph=graph,
                        type=args.get("type"),
                        requires=args.get("requires"),
                        provides=args.get("provides"),
                        external=bool(args.get("external") or False),
                        override=_graph_name(str(override), graph_names) if override else None,
                        override_label=args.get("overrideLabel"),
                        used_overridden=bool(args.get("usedOverridden") or False),
                    )
                if not saw_join_field:
                    owners = [owner] if owner is not None else list(graphs)
                    entries = {graph: FieldInGraph(graph) for graph in owners}
                fields[fname] = FieldMeta(
                    name=fname,
                    type=print_ast(field_node.type),
                    named_type=_named(field_node.type),
                    graphs=entries,
                )
        enum_values: dict[str, frozenset[str]] = {}
        if isinstance(definition, EnumTypeDefinitionNode):
            for value in definition.values or ():
                known = {
                    graph_of(_arguments(d), f"{name}.{value.name.value}")
                    for d in value.directives or ()
                    if d.name.value == f"{join}__enumValue"
                }
                enum_values[value.name.value] = frozenset(g for g in known if g) if known else frozenset(graphs)
        types[name] = TypeMeta(
            name=name,
            kind=kind,
            graphs=graphs,
            fields=fields,
            implements={graph: frozenset(values) for graph, values in implements.items()},
            union_members={graph: frozenset(values) for graph, values in members.items()},
            enum_values=enum_values,
        )
    return types


def _graph_name(value: str, graph_names: Mapping[str, str]) -> str:
    """``override: "a"`` names a subgraph; accept the enum value too."""
    if value in graph_names.values():
        return value
    return graph_names.get(value, value)
