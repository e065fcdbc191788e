"""The hotline's legacy states against the rulebook's words (DOMAIN.md §2.2 workflow, §5 UnifiedStatus: "12345 per
§2.2 (one to one)"), one case per state the legacy system shows. The expected value is typed from the rulebook,
not read from the mapping table, so a table that drifts from the rules fails here.
"""

from __future__ import annotations

import pytest

from resolvers.domain import UnifiedStatus as S
from resolvers.hotline_status import PendingRequest, pending_request, unified_status

DISPATCHED = "已转办处理中"

# (市级状态, 主办单位状态 or None, expected unified status, pending request, the rule's words)
CASES = [
    ("暂存", None, S.SUBMITTED, None, "DRAFT(坐席登记): submitted, not yet accepted"),
    ("已受理", None, S.ACCEPTED, None, "ACCEPTED(受理)"),
    ("已直接答复", None, S.REPLIED, None, "DIRECT_ANSWERED(直接答复, 咨询 via 知识库): answered on the call"),
    (DISPATCHED, None, S.DISPATCHED, None, "DISPATCHED(派单): no unit state to say more"),
    (DISPATCHED, "待签收", S.PENDING_SIGN, None, "[per unit] PENDING_SIGN(待签收)"),
    (DISPATCHED, "办理中", S.HANDLING, None, "SIGNED(签收) → HANDLING(办理中)"),
    (DISPATCHED, "延期申请中", S.HANDLING, PendingRequest.EXTENSION, "EXTENSION_REQUESTED → approved/denied"),
    (DISPATCHED, "退单申请中", S.DISPATCHED, PendingRequest.RETURN, "RETURN_REQUESTED → centre approves | rejects"),
    (DISPATCHED, "已回复", S.REPLIED, None, "REPLIED(回复/办结反馈): the lead's consolidated reply"),
    (DISPATCHED, "已退单", S.RETURNED, None, "centre approved the return: waiting for re-dispatch"),
    ("已回复待审核", None, S.AUDIT, None, "AUDIT(中心审核)"),
    ("待回访", None, S.VISIT, None, "VISIT(回访)"),
    ("已回访", None, S.VISIT, None, "VISIT(回访): done, not yet archived"),
    ("重办中", None, S.REHANDLE, None, "unsatisfied → REHANDLE(重办)"),
    ("已办结", None, S.CLOSED, None, "CLOSED(办结归档)"),
    ("无效件", None, S.INVALID, None, "overlay INVALID(无效/骚扰)"),
]


@pytest.mark.parametrize(("city", "lead", "expected", "pending", "rule"), CASES, ids=[c[4] for c in CASES])
def test_each_legacy_state_maps_as_the_rulebook_says(
    city: str, lead: str | None, expected: S, pending: PendingRequest | None, rule: str
) -> None:
    assert unified_status(city, lead) is expected
    assert pending_request(city, lead) is pending


def test_every_state_the_legacy_system_shows_has_its_case() -> None:
    from legacy.hotline.model import CityState, UnitState

    assert {c for c, *_ in CASES} == {s.value for s in CityState}
    assert {lead for _, lead, *_ in CASES if lead} == {s.value for s in UnitState}


def test_a_pending_request_is_not_shown_as_done() -> None:
    assert unified_status(DISPATCHED, "延期申请中") is not S.EXTENDED
    assert unified_status(DISPATCHED, "退单申请中") is not S.RETURNED
    assert unified_status("已回复待审核", None) is not unified_status(DISPATCHED, "已回复")
