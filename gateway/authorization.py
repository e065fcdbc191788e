"""Field-level authorization before planning: ``@authenticated``, ``@requiresScopes``, ``@policy``.

After Apollo Router's authorization plugin (router docs "Authorization in the GraphOS Router", "query filtering"):
the validated operation is walked against the supergraph's access metadata (:mod:`schema.access`) and every field
or fragment the principal may not see is *removed from the document before planning*, so it is never fetched. The
response is then shaped from the client's original document, so a removed field answers ``null`` — and, when it is
non-null, nulls its parent by the ordinary null propagation — with one error at its path::

    {"message": "...", "path": ["appeal", "contact", "phone"], "extensions": {"code": "UNAUTHENTICATED"}}

``UNAUTHENTICATED`` when the request carries no principal, ``FORBIDDEN`` when the principal lacks a scope or a
policy. As in the router, a path through a list has ``"@"`` in place of the item index (the decision is the same
for every item). The rest of the operation is answered as usual.

What a field requires (:meth:`Authorization.requirement`) is the conjunction of its own directives, those of its
return type, those of every object type that return type may be at run time (an interface or union over a protected
type is protected), and — for a field selected on an interface — those of the same field on every implementing
type: the conservative reading, which never lets data of a protected type out through an abstract one. An inline
fragment or fragment spread on a protected type is removed whole.

The outcome depends on the document and on the principal only through its :class:`Profile` (authenticated, the
scopes and granted policies among those the supergraph names), so it is cached per (document, operation, profile);
an operation that touches nothing protected is cached once for every principal. The filtered document's printed
text becomes the plan-cache key, so different principals share plans whenever they see the same fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    print_ast,
)

from auth.policies import POLICIES, Rule, granted_policies, holds
from auth.principal import Principal
from gateway.caches import LruCache
from schema.access import NONE, Access, Requirement, read_access

__all__ = ["FORBIDDEN_MESSAGE", "UNAUTHENTICATED_MESSAGE", "Authorization", "Authorized", "Profile"]

UNAUTHENTICATED_MESSAGE: Final = "Unauthorized field or type: log in to see it."
FORBIDDEN_MESSAGE: Final = "Unauthorized field or type: not allowed for this user."
_NON_NULL_MESSAGE: Final = "Cannot return null for non-nullable field"
_TYPENAME: Final = FieldNode(name=NameNode(value="__typename"))

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """What of a principal authorization depends on."""

    authenticated: bool
    scopes: frozenset[str]
    policies: frozenset[str]

    def allows(self, requirement: Requirement) -> bool:
        if requirement.authenticated and not self.authenticated:
            return False
        if requirement.scopes is not None and not holds(requirement.scopes, self.scopes):
            return False
        return requirement.policies is None or holds(requirement.policies, self.policies)


@dataclass(frozen=True, slots=True)
class Authorized:
    """The document to plan (``None``: nothing of it may be fetched), its printed text (the plan-cache key), the
    errors for what was removed, and the removed response paths (``"@"`` for list items)."""

    document: DocumentNode | None
    normalized: str
    errors: tuple[dict[str, Any], ...] = ()
    removed: frozenset[Path] = frozenset()

    def keep_error(self, error: Mapping[str, Any]) -> bool:
        """False for the non-null error shaping adds at a removed path: the authorization error explains it."""
        if not self.removed:
            return True
        message = error.get("message")
        path = error.get("path")
        if not isinstance(message, str) or not message.startswith(_NON_NULL_MESSAGE) or not path:
            return True
        return tuple("@" if isinstance(p, int) else str(p) for p in path) not in self.removed


@dataclass(slots=True)
class _Walk:
    authorization: Authorization
    profile: Profile
    fragments: Mapping[str, FragmentDefinitionNode]
    errors: dict[tuple[Path, str], dict[str, Any]] = field(default_factory=dict)
    removed: set[Path] = field(default_factory=set)
    touched: bool = False

    def refuse(self, path: Path, removed: Sequence[Path]) -> None:
        code = "FORBIDDEN" if self.profile.authenticated else "UNAUTHENTICATED"
        message = FORBIDDEN_MESSAGE if self.profile.authenticated else UNAUTHENTICATED_MESSAGE
        self.errors.setdefault((path, code), {"message": message, "path": list(path), "extensions": {"code": code}})
        self.removed.update(removed)

    def allowed(self, requirement: Requirement) -> bool:
        if requirement.empty:
            return True
        self.touched = True
        return self.profile.allows(requirement)

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, path: Path) -> SelectionSetNode:
        """``selection_set`` without what may not be seen (the same object when nothing was removed)."""
        kept: list[SelectionNode] = []
        changed = False
        for selection in selection_set.selections:
            filtered = self.selection(selection, parent, path)
            if filtered is not selection:
                changed = True
            if filtered is not None:
                kept.append(filtered)
        if not changed:
            return selection_set
        return SelectionSetNode(selections=tuple(kept))

    def selection(self, node: SelectionNode, parent: GraphQLNamedType, path: Path) -> SelectionNode | None:
        if isinstance(node, FieldNode):
            return self.field(node, parent, path)
        if isinstance(node, InlineFragmentNode):
            target = self.type_condition(node.type_condition.name.value if node.type_condition else None, parent)
            if not self.allowed(self.authorization.type_requirement(target.name)):
                self.refuse(path, _keys_under(path, node.selection_set, self.fragments))
                return None
            inner = self.selections(node.selection_set, target, path)
            if inner is node.selection_set:
                return node
            return InlineFragmentNode(
                type_condition=node.type_condition, directives=node.directives, selection_set=inner
            )
        assert isinstance(node, FragmentSpreadNode)
        fragment = self.fragments.get(node.name.value)
        if fragment is None:  # validation guarantees it exists
            return node
        target = self.type_condition(fragment.type_condition.name.value, parent)
        if not self.allowed(self.authorization.type_requirement(target.name)):
            self.refuse(path, _keys_under(path, fragment.selection_set, self.fragments))
            return None
        inner = self.selections(fragment.selection_set, target, path)
        if inner is fragment.selection_set:
            return node
        return InlineFragmentNode(
            type_condition=fragment.type_condition, directives=node.directives, selection_set=inner
        )

    def type_condition(self, name: str | None, parent: GraphQLNamedType) -> GraphQLNamedType:
        if name is None:
            return parent
        found = self.authorization.schema.get_type(name)
        return found if found is not None else parent

    def field(self, node: FieldNode, parent: GraphQLNamedType, path: Path) -> FieldNode | None:
        name = node.name.value
        if name.startswith("__"):
            return node
        key = node.alias.value if node.alias is not None else name
        here = (*path, key)
        if not self.allowed(self.authorization.requirement(parent.name, name)):
            self.refuse(here, (here,))
            return None
        if node.selection_set is None:
            return node
        returned = self.authorization.field_type(parent, name)
        if returned is None:
            return node
        inner = self.selections(node.selection_set, get_named_type(returned), (*here, *_list_marks(returned)))
        if inner is node.selection_set:
            return node
        if not inner.selections:  # keep the parent field (it is allowed): ask it for its type name only
            inner = SelectionSetNode(selections=(_TYPENAME,))
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=inner,
        )


def _list_marks(type_: GraphQLOutputType) -> tuple[str, ...]:
    marks: list[str] = []
    current: Any = type_
    while isinstance(current, GraphQLNonNull | GraphQLList):
        if isinstance(current, GraphQLList):
            marks.append("@")
        current = current.of_type
    return tuple(marks)


def _keys_under(
    path: Path, selection_set: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[Path]:
    """The response paths a removed fragment's fields would have had (directly under ``path``)."""
    out: list[Path] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            out.append((*path, selection.alias.value if selection.alias is not None else selection.name.value))
        elif isinstance(selection, InlineFragmentNode):
            out.extend(_keys_under(path, selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            out.extend(_keys_under(path, fragments[selection.name.value].selection_set, fragments))
    return out


def _used_fragments(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> set[str]:
    used: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in used and name in fragments:
                    used.add(name)
                    pending.append(fragments[name].selection_set)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
                pending.append(selection.selection_set)
    return used


class Authorization:
    """One supergraph's authorization: its access metadata, its API schema, and the per-profile outcome cache."""

    def __init__(
        self,
        schema: GraphQLSchema,
        access: Access,
        *,
        rules: Mapping[str, Rule] = POLICIES,
        cache_size: int = 2000,
    ) -> None:
        self.schema = schema
        self.access = access
        self.rules = rules
        self._requirements: dict[tuple[str, str], Requirement] = {}
        self._type_requirements: dict[str, Requirement] = {}
        self._public: LruCache[tuple[str, str | None], bool] = LruCache(cache_size)
        self._outcomes: LruCache[tuple[str, str | None, Profile], Authorized] = LruCache(cache_size)
        # by the principal object (the token verifier hands the same one for a token it has seen), kept with it so
        # that its id is not reused while the entry lives
        self._profiles: LruCache[int, tuple[Principal, Profile]] = LruCache(cache_size)

    @classmethod
    def for_supergraph(cls, supergraph: Any, **options: Any) -> Authorization | None:
        """``None`` when the supergraph marks nothing (no cost per request), or has no SDL to read (a fake)."""
        sdl = getattr(supergraph, "sdl", None)
        if not isinstance(sdl, str):
            return None
        access = read_access(sdl)
        if access.empty:
            return None
        return cls(supergraph.api_schema, access, **options)

    # -- what a principal may do ------------------------------------------------------------------------------------

    def profile(self, principal: Principal) -> Profile:
        known = self._profiles.get(id(principal))
        if known is not None and known[0] is principal:
            return known[1]
        profile = self._profile(principal)
        self._profiles.put(id(principal), (principal, profile))
        return profile

    def _profile(self, principal: Principal) -> Profile:
        return Profile(
            principal.authenticated,
            principal.scopes & self.access.scope_names,
            granted_policies(self.access.policy_names, principal, self.rules)
            if principal.authenticated
            else frozenset(),
        )

    def authorize(
        self, document: DocumentNode, normalized: str, operation_name: str | None, principal: Principal
    ) -> Authorized:
        """``document`` (validated; its operation ``operation_name`` is the one to plan) without what ``principal``
        may not see. The filtered document holds that operation only."""
        key = (normalized, operation_name)
        if self._public.get(key):
            return Authorized(document, normalized)
        profile = self.profile(principal)
        cached = self._outcomes.get((normalized, operation_name, profile))
        if cached is not None:
            return cached
        outcome, touched = self._filter(document, normalized, operation_name, profile)
        if not touched:
            self._public.put(key, True)
        else:
            self._outcomes.put((normalized, operation_name, profile), outcome)
        return outcome

    # -- what an element requires -----------------------------------------------------------------------------------

    def type_requirement(self, type_name: str) -> Requirement:
        """A type's own directives, and for an abstract type those of every object type it may be."""
        found = self._type_requirements.get(type_name)
        if found is not None:
            return found
        requirement = self.access.type_requirement(type_name)
        named = self.schema.get_type(type_name)
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            for possible in self.schema.get_possible_types(named):
                requirement = requirement.also(self.access.type_requirement(possible.name))
        self._type_requirements[type_name] = requirement
        return requirement

    def requirement(self, parent: str, field_name: str) -> Requirement:
        """Everything selecting ``parent.field_name`` requires (see the module docstring)."""
        key = (parent, field_name)
        found = self._requirements.get(key)
        if found is not None:
            return found
        requirement = self.access.field_requirement(parent, field_name)
        parent_type = self.schema.get_type(parent)
        if isinstance(parent_type, GraphQLInterfaceType):
            for possible in self.schema.get_possible_types(parent_type):
                requirement = requirement.also(self.access.field_requirement(possible.name, field_name))
        returned = self.field_type(parent_type, field_name) if parent_type is not None else None
        if returned is not None:
            requirement = requirement.also(self.type_requirement(get_named_type(returned).name))
        self._requirements[key] = requirement if not requirement.empty else NONE
        return requirement

    def field_type(self, parent: GraphQLNamedType | None, field_name: str) -> GraphQLOutputType | None:
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(field_name)
            return definition.type if definition is not None else None
        return None

    # -- the walk ---------------------------------------------------------------------------------------------------

    def _filter(
        self, document: DocumentNode, normalized: str, operation_name: str | None, profile: Profile
    ) -> tuple[Authorized, bool]:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        named = [
            o
            for o in operations
            if operation_name is not None and o.name is not None and o.name.value == operation_name
        ]
        operation = named[0] if named else operations[0]  # the pipeline has resolved the operation already
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return Authorized(document, normalized), False
        walk = _Walk(self, profile, fragments)
        selections = walk.selections(operation.selection_set, root, ())
        if selections is operation.selection_set:
            return Authorized(document, normalized), walk.touched
        errors = tuple(walk.errors.values())
        removed = frozenset(walk.removed)
        if not selections.selections:
            return Authorized(None, "", errors, removed), True
        narrowed = OperationDefinitionNode(
            operation=operation.operation,
            name=operation.name,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=selections,
        )
        used = _used_fragments(narrowed, fragments)
        filtered = DocumentNode(definitions=(narrowed, *(fragments[name] for name in fragments if name in used)))
        return Authorized(filtered, print_ast(filtered), errors, removed), True
