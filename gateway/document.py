"""A client's document made ready to plan: parsed, held to the limits, validated, its operations resolved.

:func:`prepare_document` runs the request-time stages of graphql-core (``parse`` with a token limit, the operation
limits of :mod:`gateway.limits`, ``validate`` against the API schema) once per document text; the result, a
:class:`PreparedDocument`, is what the parse cache holds. Its errors are *request errors* in the sense of the
GraphQL-over-HTTP spec (no ``data`` member), already rendered as JSON-ready dicts so that a cached refusal costs
nothing to repeat.

:meth:`PreparedDocument.operation` picks the operation to run (GraphQL spec §6.1 GetOperation) and splits off the
root fields the gateway answers itself — ``__schema``, ``__type`` and ``__typename`` — into a document executed
locally by graphql-core against the API schema; the rest is what gets planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    parse,
    print_ast,
    validate,
)

from gateway.introspection import introspects
from gateway.limits import OperationLimits, check_limits

__all__ = [
    "LOCAL_ROOT_FIELDS",
    "PreparedDocument",
    "ResolvedOperation",
    "parse_document",
    "prepare_document",
    "render_error",
    "validate_document",
]

LOCAL_ROOT_FIELDS = frozenset({"__schema", "__type", "__typename"})
MAX_VALIDATION_ERRORS = 50


def render_error(error: GraphQLError, code: str) -> dict[str, Any]:
    """A GraphQL error as sent to the client, with ``extensions.code`` set to ``code`` unless it has one."""
    rendered: dict[str, Any] = dict(error.formatted)
    extensions = dict(rendered.get("extensions") or {})
    extensions.setdefault("code", code)
    rendered["extensions"] = extensions
    return rendered


@dataclass(frozen=True, slots=True)
class ResolvedOperation:
    """The operation a request runs, split into the part the gateway answers and the part it plans.

    ``remote_document`` is ``None`` when every root field is answered locally; ``local_document`` is ``None`` when
    none is. ``remote_normalized`` (the printed remote document) is the plan-cache key part.
    """

    operation: OperationDefinitionNode
    kind: str  # query | mutation | subscription
    remote_document: DocumentNode | None
    remote_normalized: str
    local_document: DocumentNode | None
    local_keys: frozenset[str]  # response keys answered locally, for merging
    root_keys: tuple[str | None, ...]  # response key of each root selection in order; None for a fragment


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """The parse cache's value. ``errors`` non-empty means the document is refused (parse, limits, validation);
    ``plain_errors`` are the same errors without "Did you mean …?" suggestions, for callers who may not read the
    schema (:mod:`gateway.introspection`). ``introspects``: the document reads ``__schema`` or ``__type``."""

    document: DocumentNode | None
    normalized: str
    errors: tuple[dict[str, Any], ...] = ()
    plain_errors: tuple[dict[str, Any], ...] | None = None  # None: the same as ``errors``
    introspects: bool = False
    _operations: dict[str | None, ResolvedOperation] = field(default_factory=dict)

    def errors_for(self, may_read_schema: bool) -> tuple[dict[str, Any], ...]:
        """The refusal's errors, with suggestions only for a caller who may read the schema."""
        return self.errors if may_read_schema or self.plain_errors is None else self.plain_errors

    def operation(self, name: str | None) -> ResolvedOperation | dict[str, Any]:
        """The operation ``name`` selects, or an ``OPERATION_RESOLUTION_FAILURE`` error (memoised on success)."""
        resolved = self._operations.get(name)
        if resolved is not None:
            return resolved
        assert self.document is not None, "operation() on a refused document"
        operations = [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]
        if name is None:
            if len(operations) != 1:
                message = (
                    "The document contains no operation."
                    if not operations
                    else "The document contains several operations; say which one to run with operationName."
                )
                return _resolution_error(message)
            chosen = operations[0]
        else:
            found = [o for o in operations if o.name is not None and o.name.value == name]
            if not found:
                return _resolution_error(f"The document has no operation named {name!r}.")
            chosen = found[0]
        resolved = _split(self.document, self.normalized, chosen)
        self._operations[name] = resolved
        return resolved


def _resolution_error(message: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": "OPERATION_RESOLUTION_FAILURE"}}


def _syntax_code(error: GraphQLSyntaxError) -> str:
    message = error.message
    if "tokens. Parsing aborted" in message or "comments. Parsing aborted" in message:
        return "MAX_TOKENS_EXCEEDED"
    if "nested too deeply" in message:
        return "MAX_DEPTH_EXCEEDED"
    return "GRAPHQL_PARSE_FAILED"


def prepare_document(query: str, schema: GraphQLSchema, limits: OperationLimits) -> PreparedDocument:
    """Parse (token-limited), check the operation limits, then validate against ``schema``. Never raises."""
    parsed = parse_document(query, limits)
    if isinstance(parsed, PreparedDocument):
        return parsed
    return validate_document(parsed, schema)


def parse_document(query: str, limits: OperationLimits) -> DocumentNode | PreparedDocument:
    """The first half of :func:`prepare_document`: the parsed document, or its refusal (syntax, limits)."""
    try:
        document = parse(query, max_lexical_tokens=limits.max_tokens, max_comments=limits.max_tokens)
    except GraphQLSyntaxError as error:
        return PreparedDocument(None, "", (render_error(error, _syntax_code(error)),))
    refused = check_limits(document, limits)
    if refused is not None:
        return PreparedDocument(None, "", (render_error(refused, "LIMIT_EXCEEDED"),))
    return document


def validate_document(document: DocumentNode, schema: GraphQLSchema) -> PreparedDocument:
    """The second half of :func:`prepare_document`: ``document`` validated against ``schema``."""
    invalid = validate(schema, document, max_errors=MAX_VALIDATION_ERRORS)
    if invalid:
        plain = validate(schema, document, max_errors=MAX_VALIDATION_ERRORS, hide_suggestions=True)
        return PreparedDocument(
            None,
            "",
            tuple(render_error(e, "GRAPHQL_VALIDATION_FAILED") for e in invalid),
            tuple(render_error(e, "GRAPHQL_VALIDATION_FAILED") for e in plain),
        )
    return PreparedDocument(document, print_ast(document), introspects=introspects(schema, document))


def _response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias is not None else node.name.value


def _with_root(
    document: DocumentNode, operation: OperationDefinitionNode, selections: tuple[SelectionNode, ...]
) -> DocumentNode:
    """``document`` with ``operation``'s root selections replaced and the other operations dropped."""
    narrowed = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=selections),
        loc=operation.loc,
    )
    fragments = tuple(d for d in document.definitions if not isinstance(d, OperationDefinitionNode))
    return DocumentNode(definitions=(narrowed, *fragments), loc=document.loc)


def _split(document: DocumentNode, normalized: str, operation: OperationDefinitionNode) -> ResolvedOperation:
    selections = tuple(operation.selection_set.selections)
    local = tuple(s for s in selections if isinstance(s, FieldNode) and s.name.value in LOCAL_ROOT_FIELDS)
    root_keys = tuple(_response_key(s) if isinstance(s, FieldNode) else None for s in selections)
    kind = operation.operation.value
    if not local:
        return ResolvedOperation(operation, kind, document, normalized, None, frozenset(), root_keys)
    local_document = _with_root(document, operation, local)
    local_keys = frozenset(map(_response_key, local))
    if len(local) == len(selections):
        return ResolvedOperation(operation, kind, None, "", local_document, local_keys, root_keys)
    remote = tuple(s for s in selections if not (isinstance(s, FieldNode) and s.name.value in LOCAL_ROOT_FIELDS))
    remote_document = _with_root(document, operation, remote)
    return ResolvedOperation(
        operation,
        kind,
        remote_document,
        print_ast(remote_document),
        local_document,
        local_keys,
        root_keys,
    )
