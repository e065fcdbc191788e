"""Principals for tests that call a subgraph directly (no gateway, no internal token).

:func:`acting_as` wraps a subgraph's ASGI app the way its authenticating middleware will: it puts a
:class:`~auth.principal.Principal` in the request scope (``"minyi.principal"``). A request may name another one
in the ``X-Test-Principal`` header (JSON claims, as a token would carry them), so one server serves a role matrix.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from auth.principal import Principal
from subgraphs.common.app import PRINCIPAL_SCOPE_KEY

__all__ = ["ADMIN", "CITY", "DISPATCHER", "SUPERVISOR", "acting_as", "principal_header"]

CITY = "4301"  # the seeded city's admin-code prefix (长沙)

DISPATCHER = Principal.from_claims({"sub": "test-dispatcher", "roles": ["dispatcher"]})
"""派单员: the city queue (every non-信访 item, masked PII)."""

SUPERVISOR = Principal.from_claims(
    {"sub": "test-supervisor", "roles": ["supervisor"], "jurisdiction": {"admin_codes": [CITY], "grid_codes": []}}
)
"""督办员 over the whole city: every item with a location in it, full content, masked PII."""

ADMIN = Principal.from_claims({"sub": "test-admin", "roles": ["admin"]})
"""系统管理员: the role that may read the schema (introspection) outside dev mode."""


def principal_header(claims: dict[str, Any]) -> dict[str, str]:
    return {"X-Test-Principal": json.dumps(claims)}


class acting_as:
    def __init__(self, app: ASGIApp, principal: Principal | None = None) -> None:
        self.app = app
        self.principal = principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = dict(scope)
            named = dict(scope.get("headers") or []).get(b"x-test-principal")
            if named is not None:
                scope[PRINCIPAL_SCOPE_KEY] = Principal.from_claims(json.loads(named))
            elif self.principal is not None:
                scope[PRINCIPAL_SCOPE_KEY] = self.principal
        await self.app(scope, receive, send)
