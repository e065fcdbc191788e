"""Parse and validate each document once: the gateway sends a subgraph the same few documents over and over.

:class:`KnownDocuments` remembers, per query text, its parsed :class:`~graphql.DocumentNode`, and which
(query text, validation rules) pairs passed validation against the subgraph's schema. :class:`CachedDocuments`, a
Strawberry extension, serves parsing from it and skips validation for a pair that passed before; a document that
fails to parse or validate is never remembered, so its errors are reported afresh each time.

Both maps are bounded (``limit`` entries each, emptied when full): a client sending ever-new documents costs a
re-parse, never unbounded memory. The schema is fixed for the life of the process, so a document valid once stays
valid. GraphQL execution does not change a document, so requests share it.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, parse
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

__all__ = ["DEFAULT_LIMIT", "CachedDocuments", "KnownDocuments"]

DEFAULT_LIMIT = 1000

Rules = tuple[type[ASTValidationRule], ...]


class KnownDocuments:
    """The documents one schema has parsed and validated (see the module docstring)."""

    __slots__ = ("_limit", "_parsed", "_valid")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError("the document cache holds at least one document")
        self._limit = limit
        self._parsed: dict[str, DocumentNode] = {}
        self._valid: set[tuple[str, Rules]] = set()

    def parse(self, query: str) -> DocumentNode | None:
        """The parsed document of ``query``, parsed now when new; ``None`` when it does not parse (the caller's
        own parser then reports the syntax error)."""
        document = self._parsed.get(query)
        if document is None:
            try:
                document = parse(query)
            except GraphQLError:
                return None
            if len(self._parsed) >= self._limit:
                self._parsed.clear()
            self._parsed[query] = document
        return document

    def is_valid(self, query: str, rules: Rules) -> bool:
        return (query, rules) in self._valid

    def remember_valid(self, query: str, rules: Rules) -> None:
        if len(self._valid) >= self._limit:
            self._valid.clear()
        self._valid.add((query, rules))

    @property
    def parsed_count(self) -> int:
        return len(self._parsed)


class CachedDocuments(SchemaExtension):
    """Parsing and validation of a request served from ``known`` where it can be (see the module docstring)."""

    def __init__(self, known: KnownDocuments) -> None:
        super().__init__()
        self.known = known

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query and not context.parse_options:
            context.graphql_document = self.known.parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        rules = tuple(context.validation_rules)
        known = query is not None and context.pre_execution_errors is None and self.known.is_valid(query, rules)
        if known:
            context.pre_execution_errors = []  # valid before: Strawberry skips validating it again
        yield
        if query is not None and not known and context.pre_execution_errors == []:
            self.known.remember_valid(query, rules)
