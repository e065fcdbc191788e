"""Who is asking: the principal a verified token stands for, and the claim names that carry it.

Access tokens of the embedded provider (and internal tokens the gateway mints for subgraphs) carry these claims
besides the registered ones (``iss``, ``sub``, ``aud``, ``exp``, ``iat``, ``nbf``, ``jti``):

- ``scope``: space-separated OAuth scopes;
- ``roles``: list of role names (:class:`Role`, DOMAIN.md §8);
- ``unit``: the code of the user's unit (承办单位), or absent;
- ``jurisdiction``: ``{"admin_codes": [...], "grid_codes": [...]}`` (行政区划 / 网格 codes the user covers);
- ``name``: display name; ``client_id``: the OAuth client the token was issued to;
- ``person_key``: citizens only — the pseudonymous key of the person (HMAC-SHA256 of the normalized phone, else the
  ID number, with the subgraphs' shared ``person_key_secret``; :func:`resolvers.domain.person_key`). It is what
  ties a citizen to their own appeals in every system (DOMAIN.md §8 "own appeals only"; read by
  :func:`resolvers.access.person_key_of`); absent for staff and service clients;
- internal tokens only: ``act`` = ``{"sub": "minyi-gateway"}`` (RFC 8693 actor), ``aud`` = the subgraph's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["ANONYMOUS", "PRINCIPAL_SCOPE_KEY", "Principal", "Role"]


# Where an authenticating ASGI middleware (the gateway's Bearer check, a subgraph's internal-token guard) leaves
# the request's Principal in the ASGI scope.
PRINCIPAL_SCOPE_KEY = "minyi.principal"


class Role(Enum):
    CITIZEN = "citizen"  # 市民
    OPERATOR = "operator"  # 坐席/话务员
    DISPATCHER = "dispatcher"  # 派单员/复核员
    UNIT_HANDLER = "unit_handler"  # 承办单位联络员/办理人
    GRID_WORKER = "grid_worker"  # 网格员
    STREET_DISPATCHER = "street_dispatcher"  # 镇街调度
    SUPERVISOR = "supervisor"  # 督办员
    PETITION_OFFICER = "petition_officer"  # 信访工作人员
    LEADER = "leader"  # 领导
    ANALYST = "analyst"  # 分析员
    ADMIN = "admin"  # 系统管理员
    SERVICE = "service"  # a service client (client credentials), no person


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[Role] = frozenset()
    scopes: frozenset[str] = frozenset()
    unit: str | None = None
    admin_codes: tuple[str, ...] = ()
    grid_codes: tuple[str, ...] = ()
    name: str | None = None
    client_id: str | None = None
    person_key: str | None = None  # citizens: whose appeals are their own (see the module docstring)
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def authenticated(self) -> bool:
        return bool(self.subject)

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """Build from verified claims; unknown role names are ignored."""
        known = {r.value: r for r in Role}
        raw_roles = claims.get("roles") or []
        roles = frozenset(known[r] for r in raw_roles if isinstance(r, str) and r in known)
        scope = claims.get("scope") or ""
        jurisdiction = claims.get("jurisdiction") or {}
        return cls(
            subject=str(claims.get("sub") or ""),
            roles=roles,
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            unit=claims.get("unit") if isinstance(claims.get("unit"), str) else None,
            admin_codes=tuple(str(c) for c in jurisdiction.get("admin_codes", ()) if isinstance(jurisdiction, dict)),
            grid_codes=tuple(str(c) for c in jurisdiction.get("grid_codes", ()) if isinstance(jurisdiction, dict)),
            name=claims.get("name") if isinstance(claims.get("name"), str) else None,
            client_id=claims.get("client_id") if isinstance(claims.get("client_id"), str) else None,
            person_key=claims.get("person_key") if isinstance(claims.get("person_key"), str) else None,
            claims=dict(claims),
        )

    def to_claims(self) -> dict[str, Any]:
        """The role/unit/jurisdiction claims (not the registered ones) for a token about this principal."""
        out: dict[str, Any] = {"roles": sorted(r.value for r in self.roles)}
        if self.scopes:
            out["scope"] = " ".join(sorted(self.scopes))
        if self.unit:
            out["unit"] = self.unit
        if self.admin_codes or self.grid_codes:
            out["jurisdiction"] = {"admin_codes": list(self.admin_codes), "grid_codes": list(self.grid_codes)}
        if self.name:
            out["name"] = self.name
        if self.client_id:
            out["client_id"] = self.client_id
        if self.person_key:
            out["person_key"] = self.person_key
        return out


ANONYMOUS = Principal(subject="")
