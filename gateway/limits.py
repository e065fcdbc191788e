"""Operation limits: refuse abusive documents before they cost validation, planning or subgraph calls.

Four limits, each with its ``extensions.code``:

- ``max_tokens`` (``MAX_TOKENS_EXCEEDED``): enforced *while parsing* by graphql-core (``max_lexical_tokens`` and
  ``max_comments``), so a huge document is abandoned after that many tokens. A document nested deeper than the
  interpreter's recursion allows is refused by the parser too, and reported as ``MAX_DEPTH_EXCEEDED``.
- ``max_depth`` (``MAX_DEPTH_EXCEEDED``): the deepest chain of fields, a root field being depth 1.
- ``max_aliases`` (``MAX_ALIASES_EXCEEDED``): aliased fields in an operation.
- ``max_root_fields`` (``MAX_ROOT_FIELDS_EXCEEDED``): fields in an operation's root selection set.

Fragments count where they are spread (a fragment spread twice counts twice), but each fragment is walked once
(memoised), so a document whose spreads multiply — ``A`` spreads ``B`` twice, ``B`` spreads ``C`` twice, … — is
measured in time linear in its size and refused, not expanded. The check runs on the parsed document *before*
validation, so unknown or cyclic fragments are tolerated here (validation reports them afterwards).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

__all__ = ["DEFAULT_LIMITS", "OperationLimits", "check_limits", "limit_error"]


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """Generous for real clients, protective against abuse. ``None`` switches a limit off."""

    max_tokens: int | None = 20_000
    max_depth: int | None = 32
    max_aliases: int | None = 200
    max_root_fields: int | None = 50


DEFAULT_LIMITS = OperationLimits()


def limit_error(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


@dataclass(slots=True)
class _Measure:
    depth: int = 0
    aliases: int = 0
    fields: int = 0  # fields directly in this selection set (fragments expanded), for the root count


class _Walker:
    """Measures selection sets, each fragment once. Counts are capped so multiplying spreads stay small ints."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode], cap: int) -> None:
        self._fragments = fragments
        self._cap = cap
        self._done: dict[str, _Measure] = {}
        self._active: set[str] = set()

    def selection_set(self, node: SelectionSetNode) -> _Measure:
        result = _Measure()
        cap = self._cap
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                result.fields += 1
                if selection.alias is not None:
                    result.aliases += 1
                depth = 1
                if selection.selection_set is not None:
                    inner = self.selection_set(selection.selection_set)
                    depth += inner.depth
                    result.aliases += inner.aliases
                result.depth = max(result.depth, depth)
            else:
                if isinstance(selection, InlineFragmentNode):
                    inner = self.selection_set(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    inner = self.fragment(selection.name.value)
                else:  # pragma: no cover - the AST has no other selection kinds
                    continue
                result.fields += inner.fields
                result.aliases += inner.aliases
                result.depth = max(result.depth, inner.depth)
            result.aliases = min(result.aliases, cap)
            result.fields = min(result.fields, cap)
        return result

    def fragment(self, name: str) -> _Measure:
        done = self._done.get(name)
        if done is not None:
            return done
        definition = self._fragments.get(name)
        if definition is None or name in self._active:  # unknown or cyclic: validation reports it
            return _Measure()
        self._active.add(name)
        try:
            measure = self.selection_set(definition.selection_set)
        finally:
            self._active.discard(name)
        self._done[name] = measure
        return measure


def check_limits(document: DocumentNode, limits: OperationLimits) -> GraphQLError | None:
    """The first limit that any operation of ``document`` exceeds, as a GraphQL error; ``None`` when within."""
    if limits.max_depth is None and limits.max_aliases is None and limits.max_root_fields is None:
        return None
    fragments: dict[str, FragmentDefinitionNode] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    known = [x for x in (limits.max_depth, limits.max_aliases, limits.max_root_fields) if x is not None]
    walker = _Walker(fragments, cap=max(known) + 1)
    for operation in operations:
        measure = walker.selection_set(operation.selection_set)
        if limits.max_depth is not None and measure.depth > limits.max_depth:
            return limit_error(
                "MAX_DEPTH_EXCEEDED",
                f"The operation is nested {measure.depth} fields deep; at most {limits.max_depth} are allowed.",
            )
        if limits.max_aliases is not None and measure.aliases > limits.max_aliases:
            return limit_error(
                "MAX_ALIASES_EXCEEDED",
                f"The operation uses more than {limits.max_aliases} aliases.",
            )
        if limits.max_root_fields is not None and measure.fields > limits.max_root_fields:
            return limit_error(
                "MAX_ROOT_FIELDS_EXCEEDED",
                f"The operation selects more than {limits.max_root_fields} root fields.",
            )
    return None
