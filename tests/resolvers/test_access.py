"""The DOMAIN.md §8 role table, row by row: every role × every sensitive field and action.

Each row: a role, an appeal and what the role gets — scope (hidden / existence-status-unit / full), content
(none / redacted / full), petitioner PII (none / key only / masked / full; 检举控告 identity is the PII of an
ACCUSATION item) and whether it may reveal the contact. Risk flags travel with content (the petition's ``flags``
are withheld from the reduced view).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from auth.principal import ANONYMOUS, Principal
from resolvers.access import AppealFacts, ContentView, PiiView, Scope, decide
from resolvers.domain import Confidentiality, SourceSystem, UnifiedStatus

ME = "k-me"
DISTRICT = "430102"  # 芙蓉区
UNIT, ACCUSED = "U-CG-0102", "U-JD-0102"

# The appeals of the table.
HOTLINE = AppealFacts(
    SourceSystem.HOTLINE,
    lead_unit=UNIT,
    admin_code=f"{DISTRICT}001002",
    grid_code=f"{DISTRICT}001002003",
    person_key=ME,
    creator="op-1",
)
HOTLINE_ON_CALL = replace(HOTLINE, status=UnifiedStatus.SUBMITTED)  # still being registered: on the call
SECRET = AppealFacts(
    SourceSystem.HOTLINE,
    confidentiality=Confidentiality.SECRET,
    lead_unit=UNIT,
    admin_code=f"{DISTRICT}001002",
    grid_code=f"{DISTRICT}001002003",
    person_key=ME,
)
PETITION = AppealFacts(SourceSystem.PETITION, lead_unit=UNIT, admin_code=f"{DISTRICT}001002", person_key=ME)
ACCUSATION = AppealFacts(
    SourceSystem.PETITION,
    confidentiality=Confidentiality.ACCUSATION,
    lead_unit=ACCUSED,  # routed to the accused: the leak §8 cites
    co_units=(UNIT,),
    accused_unit=ACCUSED,
    admin_code=f"{DISTRICT}001002",
    person_key=ME,
)
OTHERS_ITEM = replace(HOTLINE, creator="op-2")  # the same order, registered by another operator
UNREGISTERED = replace(HOTLINE, creator=None)  # no 登记人 recorded (self-service channel, old data)
OWN_SECRET = replace(SECRET, creator="op-1")
ELSEWHERE = AppealFacts(SourceSystem.HOTLINE, lead_unit="U-OTHER", admin_code="430104001001", person_key="k-other")
BOARD = AppealFacts(SourceSystem.MSGBOARD, person_key="k-poster")


def who(role: str, **claims: Any) -> Principal:
    return Principal.from_claims({"sub": claims.pop("sub", role), "roles": [role], **claims})


CITIZEN = who("citizen", person_key=ME)
OTHER_CITIZEN = who("citizen", person_key="k-other")
OPERATOR = who("operator", sub="op-1")
DISPATCHER = who("dispatcher")
HANDLER = who("unit_handler", unit=UNIT)
ACCUSED_HANDLER = who("unit_handler", unit=ACCUSED)
GRID_WORKER = who("grid_worker", jurisdiction={"admin_codes": [], "grid_codes": [f"{DISTRICT}001002003"]})
STREET = who("street_dispatcher", jurisdiction={"admin_codes": [f"{DISTRICT}001"], "grid_codes": []})
SUPERVISOR = who("supervisor", jurisdiction={"admin_codes": [DISTRICT], "grid_codes": []})
OFFICER = who("petition_officer")
LEADER = who("leader", jurisdiction={"admin_codes": [DISTRICT], "grid_codes": []})
ANALYST = who("analyst")
ADMIN = who("admin")
SERVICE = who("service")

H, E, F = Scope.HIDDEN, Scope.EXISTENCE, Scope.FULL
C0, CR, CF = ContentView.NONE, ContentView.REDACTED, ContentView.FULL
P0, PK, PM, PF = PiiView.NONE, PiiView.KEY_ONLY, PiiView.MASKED, PiiView.FULL

# role, principal, appeal, scope, content, PII (检举控告 identity on ACCUSATION), may reveal
TABLE = [
    # 市民: own appeals only; own everything
    ("市民 own", CITIZEN, HOTLINE, F, CF, PF, False),
    ("市民 own accusation", CITIZEN, ACCUSATION, F, CF, PF, False),
    ("市民 not own", OTHER_CITIZEN, HOTLINE, H, C0, P0, False),
    ("市民 board post (public)", OTHER_CITIZEN, BOARD, F, CF, P0, False),
    ("市民 own board post", who("citizen", person_key="k-poster"), BOARD, F, CF, PF, False),
    # 坐席: items they created; PII full for the current call, masked after; petitions: status only
    ("坐席 own item, on the call", OPERATOR, HOTLINE_ON_CALL, F, CF, PF, False),
    ("坐席 own item, after submit", OPERATOR, HOTLINE, F, CF, PM, False),
    ("坐席 another's item", OPERATOR, ELSEWHERE, H, C0, P0, False),
    ("坐席 another operator's item", OPERATOR, OTHERS_ITEM, H, C0, P0, False),
    ("坐席 item with no 登记人", OPERATOR, UNREGISTERED, H, C0, P0, False),
    ("坐席 own 保密 item, after submit", OPERATOR, OWN_SECRET, F, CF, PK, False),
    ("坐席 on 信访", OPERATOR, PETITION, E, C0, P0, False),
    ("坐席 on 检举控告", OPERATOR, ACCUSATION, E, C0, P0, False),
    # 派单员: city queue; masked; reveal with log; identity hidden; petitions: status only
    ("派单员 hotline", DISPATCHER, HOTLINE, F, CF, PM, True),
    ("派单员 elsewhere in the city", DISPATCHER, ELSEWHERE, F, CF, PM, True),
    ("派单员 保密", DISPATCHER, SECRET, F, CF, PK, False),
    ("派单员 on 信访", DISPATCHER, PETITION, E, C0, P0, False),
    # 承办单位: assigned only; masked; reveal with log; never on SECRET/ACCUSATION; never the accused
    ("承办单位 assigned", HANDLER, HOTLINE, F, CF, PM, True),
    ("承办单位 not assigned", HANDLER, ELSEWHERE, H, C0, P0, False),
    ("承办单位 保密", HANDLER, SECRET, F, CF, PK, False),
    ("承办单位 co-unit on 检举控告", HANDLER, ACCUSATION, F, CF, PK, False),
    ("承办单位 assigned 信访", HANDLER, PETITION, F, CF, PM, True),
    ("被举报单位 (Art 30)", ACCUSED_HANDLER, ACCUSATION, H, C0, P0, False),
    # 网格员: own cells; masked; reveal with log; never identity
    ("网格员 own cell", GRID_WORKER, HOTLINE, F, CF, PM, True),
    ("网格员 other cell", GRID_WORKER, ELSEWHERE, H, C0, P0, False),
    ("网格员 保密", GRID_WORKER, SECRET, F, CF, PK, False),
    # 镇街调度: own street; masked; no reveal
    ("镇街调度 own street", STREET, HOTLINE, F, CF, PM, False),
    ("镇街调度 elsewhere", STREET, ELSEWHERE, H, C0, P0, False),
    # 督办员: jurisdiction; masked; reveal with log; 检举控告 identity only with approval (none yet)
    ("督办员 jurisdiction", SUPERVISOR, HOTLINE, F, CF, PM, True),
    ("督办员 信访", SUPERVISOR, PETITION, F, CF, PM, True),
    ("督办员 检举控告", SUPERVISOR, ACCUSATION, F, CF, PK, False),
    ("督办员 elsewhere", SUPERVISOR, ELSEWHERE, H, C0, P0, False),
    # 信访工作人员: 信访 items; full PII (statutory); identity per Art 30; reveal logged
    ("信访 信访", OFFICER, PETITION, F, CF, PF, True),
    ("信访 检举控告", OFFICER, ACCUSATION, F, CF, PF, True),
    ("信访 hotline item", OFFICER, HOTLINE, H, C0, P0, False),
    # 领导: jurisdiction; masked; identity never by default; no reveal
    ("领导 jurisdiction", LEADER, HOTLINE, F, CF, PM, False),
    ("领导 检举控告", LEADER, ACCUSATION, F, CF, PK, False),
    ("领导 elsewhere", LEADER, ELSEWHERE, H, C0, P0, False),
    # 分析员: de-identified: redacted content, pseudonymous key, no identity
    ("分析员", ANALYST, HOTLINE, F, CR, PK, False),
    ("分析员 检举控告", ANALYST, ACCUSATION, F, CR, P0, False),
    # 系统管理员: none by default; a service client: not in §8, nothing
    ("系统管理员", ADMIN, HOTLINE, H, C0, P0, False),
    ("service client", SERVICE, HOTLINE, H, C0, P0, False),
    # no login: public board posts without PII, nothing else
    ("anonymous hotline", ANONYMOUS, HOTLINE, H, C0, P0, False),
    ("anonymous 信访", ANONYMOUS, PETITION, H, C0, P0, False),
    ("anonymous board post", ANONYMOUS, BOARD, F, CF, P0, False),
]


@pytest.mark.parametrize(
    ("row", "principal", "facts", "scope", "content", "pii", "reveal"), TABLE, ids=[r[0] for r in TABLE]
)
def test_section_8_role_table(
    row: str,
    principal: Principal,
    facts: AppealFacts,
    scope: Scope,
    content: ContentView,
    pii: PiiView,
    reveal: bool,
) -> None:
    access = decide(principal, facts)
    assert (access.scope, access.content, access.pii, access.may_reveal) == (scope, content, pii, reveal)


ADDRESS = "湖南省长沙市开福区伍家岭街道新村社区幸福小区3栋2单元501"


@pytest.mark.parametrize(
    ("row", "principal", "facts", "scope", "content", "pii", "reveal"), TABLE, ids=[r[0] for r in TABLE]
)
def test_section_8_address_is_whole_with_full_pii_else_cut_to_the_community(
    row: str,
    principal: Principal,
    facts: AppealFacts,
    scope: Scope,
    content: ContentView,
    pii: PiiView,
    reveal: bool,
) -> None:
    from subgraphs.common.types import Location

    shown = Location(text=ADDRESS, admin_code12=None, grid_code15=None, view=decide(principal, facts).pii).text
    assert shown == (ADDRESS if pii is PiiView.FULL else "湖南省长沙市开福区伍家岭街道新村社区")


def test_address_masking_falls_back_to_street_or_district_and_hides_the_rest() -> None:
    from resolvers.domain import mask_address

    assert mask_address("湖南省长沙市长沙县湘龙街道荷花村3组12号") == "湖南省长沙市长沙县湘龙街道荷花村"
    assert mask_address("湖南省长沙市芙蓉区五一大道18号") == "湖南省长沙市芙蓉区"
    assert mask_address("五一广场东侧") is None


def test_every_role_has_a_row() -> None:
    from auth.principal import Role

    covered = {r for _, p, *_ in TABLE for r in p.roles}
    assert covered == set(Role)


def test_the_accused_unit_sees_nothing_whatever_other_roles_it_holds() -> None:
    powerful = Principal.from_claims(
        {
            "sub": "x",
            "roles": ["unit_handler", "supervisor", "dispatcher", "analyst"],
            "unit": ACCUSED,
            "jurisdiction": {"admin_codes": [DISTRICT], "grid_codes": []},
        }
    )
    assert not decide(powerful, ACCUSATION).visible


def test_roles_combine_to_the_most_each_allows() -> None:
    both = Principal.from_claims({"sub": "x", "roles": ["dispatcher", "petition_officer"]})
    assert (decide(both, PETITION).scope, decide(both, PETITION).pii) == (Scope.FULL, PiiView.FULL)
    assert decide(both, HOTLINE).pii is PiiView.MASKED


def test_an_unlocated_appeal_is_in_the_city_queue() -> None:
    letter = AppealFacts(SourceSystem.PETITION, lead_unit=UNIT)
    city = who("supervisor", jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    assert decide(city, letter).visible
    assert not decide(SUPERVISOR, letter).visible  # a district supervisor: not until it is located or assigned


# --- Jurisdiction by level: every role with a jurisdiction × every level of the code scheme ---------------------

LOCATED = "430121002008"  # 长沙县 湘龙街道, one community
LOCATED_CELL = f"{LOCATED}009"
LEVELS = {  # the levels above the place, each as the padded code a token carries, and a sibling beside it
    "province": ("430000", "440000"),
    "city": ("430100", "430200"),
    "county": ("430121", "430102"),
    "township": ("430121002", "430121001"),
    "village": (LOCATED, "430121002007"),
}
GRID_LEVELS = {
    "county": ("430121", "430102"),
    "township": ("430121002", "430121001"),
    "village": (LOCATED, "430121002007"),
    "cell": (LOCATED_CELL, f"{LOCATED}001"),
}
JURISDICTION_ROLES = ("street_dispatcher", "supervisor", "petition_officer", "leader")


def _located(system: SourceSystem) -> AppealFacts:
    return AppealFacts(system, lead_unit="U-ANY", admin_code=LOCATED, grid_code=LOCATED_CELL, person_key="k-x")


@pytest.mark.parametrize("level", sorted(LEVELS))
@pytest.mark.parametrize("role", JURISDICTION_ROLES)
def test_an_admin_jurisdiction_covers_every_place_under_it_and_nothing_beside_it(role: str, level: str) -> None:
    inside, beside = LEVELS[level]
    system = SourceSystem.PETITION if role == "petition_officer" else SourceSystem.HOTLINE
    appeal = _located(system)
    assert decide(who(role, jurisdiction={"admin_codes": [inside], "grid_codes": []}), appeal).scope is Scope.FULL
    assert not decide(who(role, jurisdiction={"admin_codes": [beside], "grid_codes": []}), appeal).visible


@pytest.mark.parametrize("level", sorted(GRID_LEVELS))
def test_a_grid_workers_cells_cover_events_by_grid_level(level: str) -> None:
    inside, beside = GRID_LEVELS[level]
    appeal = _located(SourceSystem.GRID)
    assert decide(who("grid_worker", jurisdiction={"admin_codes": [], "grid_codes": [inside]}), appeal).visible
    assert not decide(who("grid_worker", jurisdiction={"admin_codes": [], "grid_codes": [beside]}), appeal).visible


@pytest.mark.parametrize("role", JURISDICTION_ROLES)
@pytest.mark.parametrize(
    ("code", "sees"), [("430000", True), ("430100", True), ("430121", False), ("430121002", False)]
)
def test_only_a_city_or_province_jurisdiction_covers_the_unlocated_city_queue(role: str, code: str, sees: bool) -> None:
    system = SourceSystem.PETITION if role == "petition_officer" else SourceSystem.HOTLINE
    letter = AppealFacts(system, lead_unit="U-ANY")
    assert decide(who(role, jurisdiction={"admin_codes": [code], "grid_codes": []}), letter).visible is sees


# --- The accused (信访工作条例 Art 30 ¶3): resolved by name, and fail closed when it cannot be ---------------------

NAMED = AppealFacts(
    SourceSystem.PETITION,
    confidentiality=Confidentiality.ACCUSATION,
    lead_unit=UNIT,
    co_units=("U-CO-0102",),
    accused_unresolved=True,  # "某街道办工作人员": no unit could be named
    admin_code=f"{DISTRICT}001002",
    person_key=ME,
)


def test_an_unresolved_accused_hides_the_item_from_every_handling_unit_but_the_lead() -> None:
    assert decide(HANDLER, NAMED).visible  # the lead unit the petition office named
    assert not decide(who("unit_handler", unit="U-CO-0102"), NAMED).visible  # a co-unit: it might be the accused
    assert decide(OFFICER, NAMED).pii is PiiView.FULL  # the petition desk, unchanged


def test_the_accused_unit_resolved_by_name_sees_nothing() -> None:
    from resolvers.accused import resolve_accused
    from resolvers.domain import UnitRef

    lead = UnitRef("43010502", "开福区城市管理和综合执法局")
    accused = resolve_accused("长沙市开福区城市管理和综合执法局执法人员", [lead])
    assert accused is not None and accused.unit_code == lead.code
    item = replace(NAMED, lead_unit=lead.code, co_units=(), accused_unit=accused.unit_code, accused_unresolved=False)
    assert not decide(who("unit_handler", unit=lead.code), item).visible
    assert not decide(who("supervisor", unit=lead.code, jurisdiction={"admin_codes": [DISTRICT]}), item).visible


def test_a_hotline_report_naming_whom_it_is_about_is_protected_like_an_accusation() -> None:
    from resolvers.accused import accused_of_report, protection
    from resolvers.domain import AppealType, UnitRef

    accused = accused_of_report(AppealType.REPORT, "某执法中队队员", [UnitRef(UNIT, "芙蓉区城管局")])
    assert accused is not None and not accused.resolved
    assert protection(accused) is Confidentiality.ACCUSATION
    assert accused_of_report(AppealType.COMPLAINT, "某执法中队队员", []) is None
    report = AppealFacts(
        SourceSystem.HOTLINE,
        confidentiality=protection(accused),
        lead_unit=UNIT,
        co_units=("U-CO-0102",),
        accused_unresolved=True,
        admin_code=f"{DISTRICT}001002",
        person_key=ME,
    )
    assert decide(HANDLER, report).pii is PiiView.KEY_ONLY  # the lead: the reporter's identity never
    assert not decide(who("unit_handler", unit="U-CO-0102"), report).visible


# --- Person history: the caller of the operator's current call -----------------------------------------------------


def test_an_operator_sees_the_callers_history_only_during_the_call() -> None:
    from resolvers.access import on_call_caller

    earlier = replace(HOTLINE, creator="op-2")  # registered by someone else, long ago
    call = replace(HOTLINE, creator="op-1", status=UnifiedStatus.SUBMITTED)
    assert on_call_caller(OPERATOR, [earlier]) is None
    assert not decide(OPERATOR, earlier).visible
    caller = on_call_caller(OPERATOR, [earlier, call])
    assert caller == ME
    seen = decide(OPERATOR, earlier, on_call_with=caller)
    assert (seen.scope, seen.content, seen.pii) == (Scope.FULL, ContentView.FULL, PiiView.MASKED)
    assert decide(OPERATOR, PETITION, on_call_with=caller).scope is Scope.EXISTENCE  # 信访: status only
    assert decide(DISPATCHER, ELSEWHERE, on_call_with="k-other").pii is not PiiView.FULL
    assert not decide(OPERATOR, ELSEWHERE, on_call_with=caller).visible  # someone else's item
