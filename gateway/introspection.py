"""Who may read the schema: introspection (``__schema``, ``__type``) and the "Did you mean …?" suggestions in
validation and variable errors, which let public tools rebuild a schema with introspection off.

In dev mode everyone may. Otherwise only a principal with one of the configured roles (``admin`` by default) or
scopes; everyone else gets ``FORBIDDEN`` for an operation that introspects anywhere (graphql-core's
``NoSchemaIntrospectionCustomRule``: at the root, inside fragments, at any depth) and errors without suggestions.
``__typename`` is not introspection of the schema and is answered to everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import DocumentNode, GraphQLSchema, NoSchemaIntrospectionCustomRule, validate

from auth.principal import Principal

__all__ = ["DEFAULT_INTROSPECTION_ROLES", "IntrospectionAccess", "introspects"]

DEFAULT_INTROSPECTION_ROLES = frozenset({"admin"})


@dataclass(frozen=True, slots=True)
class IntrospectionAccess:
    """``dev``: everyone may read the schema; else principals with a role in ``roles`` or a scope in ``scopes``."""

    dev: bool = False
    roles: frozenset[str] = DEFAULT_INTROSPECTION_ROLES
    scopes: frozenset[str] = frozenset()

    def allows(self, principal: Principal | None) -> bool:
        if self.dev:
            return True
        if principal is None or not principal.authenticated:
            return False
        return any(role.value in self.roles for role in principal.roles) or bool(principal.scopes & self.scopes)


def introspects(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Whether ``document`` (already valid) reads ``__schema`` or ``__type`` anywhere."""
    return bool(validate(schema, document, [NoSchemaIntrospectionCustomRule], max_errors=1))
