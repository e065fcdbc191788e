"""A tiny Federation subgraph toolkit for the gateway's end-to-end tests (graphql-core + Starlette, real loopback HTTP).

:func:`build_subgraph_schema` does what ``@apollo/subgraph``'s ``buildSubgraphSchema`` does, written from the
Federation subgraph specification (https://www.apollographql.com/docs/graphos/reference/federation/subgraph-spec):

- the federation directive definitions the SDL uses are added: Fed 2 SDLs name them through
  ``@link(url: "https://specs.apollo.dev/federation/v2.x", import: [...])`` (imported names, ``as`` renames, and the
  ``federation__`` prefix for what is not imported); an SDL without a federation ``@link`` is Fed 1
  (``@key``/``@external``/``@requires``/``@provides``/``@extends``, ``scalar _FieldSet``);
- ``extend type X`` without a definition of ``X`` becomes the definition (Fed 1 entities owned elsewhere);
- ``scalar _Any``, ``type _Service { sdl: String }`` and ``Query._service`` answering the original SDL;
- ``union _Entity`` of the object types with ``@key``, and ``Query._entities(representations: [_Any!]!)``, which
  calls the type's ``__resolve_reference(representation, info)`` for each representation (default: the
  representation itself). For an entity interface (``@key`` on an interface, representations typed with the
  interface's name) the interface's ``__resolve_reference`` must answer the concrete type in ``__typename``.

Resolvers are a dict ``{"Type": {"field": fn, "__resolve_reference": fn}}`` with graphql-core signatures
(``fn(parent, info, **args)``, sync or async); a field without a resolver reads the parent dict's key. Abstract types
resolve by the ``__typename`` key of the value.

:class:`Subgraph` serves the schema as an ASGI app (POST ``/graphql``) and, for the tests, records every request it
receives, can be slowed down (``delay``), made to fail (``fail``: ``"status500"``, ``"close"`` — the connection is
dropped mid-response — or ``"garbage"`` — a 200 that is not JSON), and can take part in a concurrency probe: with
``probe`` set to a :class:`threading.Barrier` shared by N subgraphs, each request waits at the barrier, so the request
succeeds only if N requests were in flight at the same time; if the gateway serialised them the barrier breaks and
the subgraph answers a GraphQL error. The probe proves concurrency without measuring time.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    build_ast_schema,
    graphql,
    parse,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

__all__ = [
    "Journal",
    "RecordedRequest",
    "Resolvers",
    "Subgraph",
    "build_subgraph_schema",
]

Resolvers = Mapping[str, Mapping[str, Callable[..., Any]]]

# Fed 2 directive definitions, written with the placeholder ``{X}`` for the local name of each federation element.
_FED2_DIRECTIVES: dict[str, str] = {
    "key": "directive @{key}(fields: {FieldSet}!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE",
    "requires": "directive @{requires}(fields: {FieldSet}!) on FIELD_DEFINITION",
    "provides": "directive @{provides}(fields: {FieldSet}!) on FIELD_DEFINITION",
    "external": "directive @{external}(reason: String) on OBJECT | FIELD_DEFINITION",
    "extends": "directive @{extends} on OBJECT | INTERFACE",
    "shareable": "directive @{shareable} repeatable on OBJECT | FIELD_DEFINITION",
    "override": "directive @{override}(from: String!, label: String) on FIELD_DEFINITION",
    "interfaceObject": "directive @{interfaceObject} on OBJECT",
    "composeDirective": "directive @{composeDirective}(name: String!) repeatable on SCHEMA",
    "tag": "directive @{tag}(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
    " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA",
    "inaccessible": "directive @{inaccessible} on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
    " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION",
    "authenticated": "directive @{authenticated} on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "requiresScopes": "directive @{requiresScopes}(scopes: [[{Scope}!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE"
    " | SCALAR | ENUM",
    "policy": "directive @{policy}(policies: [[{Policy}!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
}
_FED2_SCALARS = ("FieldSet", "Scope", "Policy")

_FED1_DEFINITIONS = """
scalar _FieldSet
directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
directive @requires(fields: _FieldSet!) on FIELD_DEFINITION
directive @provides(fields: _FieldSet!) on FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | INPUT_OBJECT | ENUM
"""

_LINK_DEFINITIONS = """
directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
"""


def _link_imports(document: DocumentNode) -> dict[str, str] | None:
    """Local names of the federation elements imported by the SDL's federation ``@link``; None for Fed 1."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            args = {arg.name.value: arg.value for arg in directive.arguments or ()}
            url = args.get("url")
            if not isinstance(url, StringValueNode) or "/federation/" not in url.value:
                continue
            imported: dict[str, str] = {}
            imports = args.get("import")
            for item in imports.values if isinstance(imports, ListValueNode) else ():
                if isinstance(item, StringValueNode):
                    name = item.value.lstrip("@")
                    imported[name] = name
                elif isinstance(item, ObjectValueNode):
                    fields = {f.name.value: f.value for f in item.fields}
                    original, alias = fields.get("name"), fields.get("as")
                    if isinstance(original, StringValueNode):
                        local = alias.value if isinstance(alias, StringValueNode) else original.value
                        imported[original.value.lstrip("@")] = local.lstrip("@")
            return imported
    return None


def _directive_names(nodes: Iterable[DirectiveNode] | None) -> set[str]:
    return {d.name.value for d in nodes or ()}


def _definitions_for(document: DocumentNode, defined: set[str]) -> tuple[str, str]:
    """(SDL of the federation definitions to add, local name of ``@key``)."""
    imports = _link_imports(document)
    if imports is None:
        missing = [
            line
            for line in _FED1_DEFINITIONS.strip().splitlines()
            if line.split()[1].lstrip("@").split("(")[0] not in defined
        ]
        return "\n".join(missing), "key"
    local = {name: imports.get(name, f"federation__{name}") for name in (*_FED2_DIRECTIVES, *_FED2_SCALARS)}
    parts = [f"scalar {local[s]}" for s in _FED2_SCALARS if local[s] not in defined]
    parts += [sdl.format(**local) for name, sdl in _FED2_DIRECTIVES.items() if local[name] not in defined]
    if "link" not in defined:
        parts.append(_LINK_DEFINITIONS)
    return "\n".join(parts), local["key"]


def _promote_orphan_extensions(document: DocumentNode) -> list[Any]:
    """``extend type X`` with no ``type X`` anywhere becomes ``type X`` (Fed 1 style entities and root types)."""
    defined = {d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)}
    out: list[Any] = []
    for d in document.definitions:
        if isinstance(d, ObjectTypeExtensionNode | InterfaceTypeExtensionNode) and d.name.value not in defined:
            cls = ObjectTypeDefinitionNode if isinstance(d, ObjectTypeExtensionNode) else InterfaceTypeDefinitionNode
            out.append(cls(name=d.name, interfaces=d.interfaces, directives=d.directives, fields=d.fields))
            defined.add(d.name.value)
        else:
            out.append(d)
    return out


def build_subgraph_schema(sdl: str, resolvers: Resolvers | None = None) -> GraphQLSchema:
    """The executable subgraph schema for ``sdl`` (see the module docstring)."""
    resolvers = resolvers or {}
    document = parse(sdl)
    definitions = _promote_orphan_extensions(document)
    defined = {d.name.value for d in definitions if hasattr(d, "name") and d.name is not None}
    federation_sdl, key_name = _definitions_for(document, defined)

    entity_types: list[str] = []
    for d in definitions:
        is_entity = isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and key_name in _directive_names(
            d.directives
        )
        if is_entity and d.name.value not in entity_types:
            entity_types.append(d.name.value)
    query_defined = "Query" in defined
    extra = [federation_sdl, "scalar _Any", "type _Service { sdl: String }"]
    root_fields = "_service: _Service!"
    if entity_types:
        extra.append(f"union _Entity = {' | '.join(entity_types)}")
        root_fields += "\n  _entities(representations: [_Any!]!): [_Entity]!"
    extra.append(f"{'extend type' if query_defined else 'type'} Query {{\n  {root_fields}\n}}")
    full = DocumentNode(definitions=(*definitions, *parse("\n".join(extra)).definitions))
    schema = build_ast_schema(full)

    for type_name, fields in resolvers.items():
        graphql_type = schema.get_type(type_name)
        if isinstance(graphql_type, GraphQLInterfaceType) and set(fields) == {"__resolve_reference"}:
            continue  # an entity interface: its reference resolver answers the concrete type
        if not isinstance(graphql_type, GraphQLObjectType):
            raise ValueError(f"resolvers for {type_name!r}, which is not an object type of the subgraph")
        for field_name, fn in fields.items():
            if field_name == "__resolve_reference":
                continue
            if field_name not in graphql_type.fields:
                raise ValueError(f"resolver for unknown field {type_name}.{field_name}")
            graphql_type.fields[field_name].resolve = fn

    query = schema.query_type
    assert query is not None
    query.fields["_service"].resolve = lambda _root, _info: {"sdl": sdl}
    if entity_types:
        query.fields["_entities"].resolve = _entities_resolver(resolvers)
    return schema


def _entities_resolver(resolvers: Resolvers) -> Callable[..., Any]:
    async def resolve_one(representation: Any, info: GraphQLResolveInfo[Any]) -> Any:
        typename = representation.get("__typename") if isinstance(representation, dict) else None
        if not isinstance(typename, str):
            raise ValueError("representation without __typename")
        resolve_reference = resolvers.get(typename, {}).get("__resolve_reference")
        result = representation if resolve_reference is None else resolve_reference(representation, info)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, dict) and "__typename" not in result:
            result = {**result, "__typename": typename}
        if isinstance(result, dict) and isinstance(info.schema.get_type(result["__typename"]), GraphQLInterfaceType):
            raise ValueError(f"the reference resolver of the entity interface {typename} must answer a concrete type")
        return result

    async def resolve(_root: Any, info: GraphQLResolveInfo[Any], representations: list[Any]) -> list[Any]:
        results: list[Any] = []
        for representation in representations:
            try:
                results.append(await resolve_one(representation, info))
            except Exception as exc:  # one bad representation costs only its own item
                results.append(exc)
        return results

    return resolve


class _FaultTestFilter(logging.Filter):
    """Keep the server log quiet about connections dropped on purpose (``fail = "close"``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _DroppedConnection))


class _DroppedConnection(ConnectionAbortedError):
    pass


logging.getLogger("uvicorn.error").addFilter(_FaultTestFilter())


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    subgraph: str
    query: str
    variables: Mapping[str, Any]
    operation_name: str | None


@dataclass(slots=True)
class Journal:
    """Requests of several subgraphs in the order they arrived (to prove the order of serial fetches)."""

    entries: list[RecordedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append(self, request: RecordedRequest) -> None:
        with self._lock:
            self.entries.append(request)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()


class Subgraph:
    """One test subgraph: schema, ASGI app, request log and fault switches (see the module docstring)."""

    def __init__(
        self,
        name: str,
        sdl: str,
        resolvers: Resolvers | None = None,
        *,
        journal: Journal | None = None,
        context: Any = None,
    ) -> None:
        self.name = name
        self.sdl = sdl
        self.schema = build_subgraph_schema(sdl, resolvers)
        self.journal = journal
        self.context = context
        self.requests: list[RecordedRequest] = []
        self.delay: float = 0.0
        self.fail: str | None = None  # None | "status500" | "close" | "garbage"
        self.probe: threading.Barrier | None = None
        self.probe_timeout: float = 10.0
        self._starlette = Starlette(routes=[Route("/graphql", self._handle, methods=["POST"])])

    def reset(self) -> None:
        self.requests.clear()
        self.delay = 0.0
        self.fail = None
        self.probe = None

    @property
    def queries(self) -> list[str]:
        return [r.query for r in self.requests]

    def entity_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if "_entities" in r.query]

    async def execute(
        self, query: str, variables: Mapping[str, Any] | None = None, operation_name: str | None = None
    ) -> dict[str, Any]:
        """Run one GraphQL request directly (no HTTP, no recording)."""
        result = await graphql(
            self.schema,
            query,
            variable_values=dict(variables or {}),
            operation_name=operation_name,
            context_value=self.context,
        )
        return result.formatted  # type: ignore[return-value]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.fail is not None:
            await self._fail(scope, receive, send)
            return
        await self._starlette(scope, receive, send)

    async def _fail(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        await request.body()
        if self.fail == "status500":
            await Response("internal error", status_code=500)(scope, receive, send)
        elif self.fail == "garbage":
            await Response("<html>not graphql</html>", media_type="application/json")(scope, receive, send)
        else:  # "close": promise a body, send part of it, then drop the connection
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"data": {', "more_body": True})
            raise _DroppedConnection(f"subgraph {self.name} drops the connection (fault test)")

    async def _handle(self, request: Request) -> Response:
        payload = json.loads(await request.body())
        recorded = RecordedRequest(
            subgraph=self.name,
            query=payload.get("query", ""),
            variables=payload.get("variables") or {},
            operation_name=payload.get("operationName"),
        )
        self.requests.append(recorded)
        if self.journal is not None:
            self.journal.append(recorded)
        if self.delay:
            await asyncio.sleep(self.delay)
        probe = self.probe
        if probe is not None:
            try:
                await asyncio.to_thread(probe.wait, self.probe_timeout)
            except threading.BrokenBarrierError:
                message = f"concurrency probe: {probe.parties} fetches were not in flight at the same time"
                return JSONResponse({"data": None, "errors": [{"message": message}]})
        result = await self.execute(recorded.query, recorded.variables, recorded.operation_name)
        return JSONResponse(result)
