"""The one place that says what each ``@policy`` name means, and how ``@requiresScopes``/``@policy`` combine.

A supergraph field or type marked ``@policy(policies: [["reveal_contact"]])`` is answered only to a principal for
whom the rule named ``reveal_contact`` holds. Rules read only the principal (role, unit, jurisdiction): the
gateway decides *before* any data is fetched. Whatever depends on the data — "this appeal is assigned to the
user's unit", "the accused unit never sees an accusation petition" — is the subgraphs' job (they own the data,
DOMAIN.md §8); a policy here is the coarse gate in front of it.

Semantics (Apollo Federation ``@requiresScopes`` / ``@policy``): the argument is a list of groups; a group holds
when *every* name in it holds, and the directive holds when *any* group does (an OR of ANDs). ``[]`` never holds;
``[[]]`` always does. A policy name with no rule here never holds (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from types import MappingProxyType

from auth.principal import Principal, Role

__all__ = ["POLICIES", "Rule", "granted_policies", "holds", "policy_holds", "scopes_hold"]

Rule = Callable[[Principal], bool]


def _any_role(*roles: Role) -> Rule:
    def rule(principal: Principal) -> bool:
        return principal.has_role(*roles)

    rule.__doc__ = "any of: " + ", ".join(r.value for r in roles)
    return rule


def _covers_territory(principal: Principal) -> bool:
    return bool(principal.admin_codes or principal.grid_codes)


def _supervises_territory(principal: Principal) -> bool:
    """督办员 with a jurisdiction: supervision is always over some territory."""
    return principal.has_role(Role.SUPERVISOR) and _covers_territory(principal)


def _works_a_grid(principal: Principal) -> bool:
    """网格员 with grid cells, 镇街调度 with a street, or a supervisor over a territory."""
    if principal.has_role(Role.GRID_WORKER):
        return bool(principal.grid_codes)
    if principal.has_role(Role.STREET_DISPATCHER):
        return bool(principal.admin_codes)
    return _supervises_territory(principal)


def _handles_for_a_unit(principal: Principal) -> bool:
    """承办单位 staff act for their unit: without a unit they have nothing assigned."""
    return principal.has_role(Role.UNIT_HANDLER) and principal.unit is not None


_STAFF = (
    Role.OPERATOR,
    Role.DISPATCHER,
    Role.UNIT_HANDLER,
    Role.GRID_WORKER,
    Role.STREET_DISPATCHER,
    Role.SUPERVISOR,
    Role.PETITION_OFFICER,
    Role.LEADER,
)

POLICIES: Mapping[str, Rule] = MappingProxyType(
    {
        # 工作人员: any agent of the appeal systems (not citizens, analysts, admins or service clients)
        "staff": _any_role(*_STAFF),
        # 查看联系方式: may ask for a full contact (the reveal itself is audited by the subgraph), DOMAIN §8
        "reveal_contact": _any_role(
            Role.OPERATOR,
            Role.DISPATCHER,
            Role.UNIT_HANDLER,
            Role.GRID_WORKER,
            Role.SUPERVISOR,
            Role.PETITION_OFFICER,
        ),
        # 风险标记: supervisors read risk flags; the petition desk needs them for 重合件
        "risk_flags": lambda p: _supervises_territory(p) or p.has_role(Role.PETITION_OFFICER),
        # 信访件详情: content beyond existence/status/unit — hotline roles (operator, dispatcher, grid) never;
        # the subgraph narrows further (own organ, assigned unit, own petition, confidentiality)
        "petition_detail": lambda p: (
            p.has_role(Role.PETITION_OFFICER, Role.LEADER, Role.CITIZEN)
            or _supervises_territory(p)
            or _handles_for_a_unit(p)
        ),
        # 一人多投专档 / cross-system person history (DOMAIN §8): supervisors and the petition desk; the citizen
        # (the subgraphs show them only their own records); the operator (the subgraphs show only the caller of
        # the operator's current call). Everyone else gets only what their own work gives them (lists, search).
        "person_history": lambda p: (
            _supervises_territory(p) or p.has_role(Role.PETITION_OFFICER, Role.CITIZEN, Role.OPERATOR)
        ),
        # 网格事件处置: grid-level work
        "grid_work": _works_a_grid,
        # 承办单位办理: acting for an assigned unit
        "unit_handling": _handles_for_a_unit,
        # 内部备注: internal notes are not for handling units (DOMAIN §8 "full minus internal notes")
        "internal_notes": _any_role(
            Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.PETITION_OFFICER, Role.LEADER
        ),
        # 统计分析: aggregates and de-identified data sets
        "analytics": _any_role(Role.ANALYST, Role.LEADER, Role.SUPERVISOR),
        # 系统配置
        "admin": _any_role(Role.ADMIN),
    }
)


def policy_holds(name: str, principal: Principal, rules: Mapping[str, Rule] = POLICIES) -> bool:
    rule = rules.get(name)
    return rule is not None and bool(rule(principal))


def granted_policies(
    names: Iterable[str], principal: Principal, rules: Mapping[str, Rule] = POLICIES
) -> frozenset[str]:
    """The names among ``names`` whose rule holds for ``principal``."""
    return frozenset(name for name in names if policy_holds(name, principal, rules))


def holds(groups: Iterable[Collection[str]], granted: Collection[str]) -> bool:
    """An OR of AND-groups over ``granted`` names (scopes or policies that hold)."""
    return any(all(name in granted for name in group) for group in groups)


def scopes_hold(groups: Iterable[Collection[str]], principal: Principal) -> bool:
    return holds(groups, principal.scopes)
