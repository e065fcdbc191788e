"""The 信访件 workflow: statuses, allowed transitions and the statutory time limits.

Statuses are the legacy system's own Chinese names (DOMAIN.md §3.3); the limits are those of 信访工作条例 (2022),
counted in calendar days (日), as the regulation does everywhere but Art 23's 5 个工作日::

    已登记 ─RouteXfj (Art 22, ≤15 日 from 登记)→ 已转送 | 已交办
      ─AcceptXfj (Art 23, 书面告知 ≤15 日 from 转交)→ 已受理 ─ExtendXfj (Art 34, +≤30 日, once)→ 已延期
      ─RejectXfj→ 不予受理 | 已导入法定程序 (Art 31: litigation, arbitration, administrative review)
    已受理 | 已延期 ─IssueOpinion (Art 32/34, ≤60 日 from 受理, +extension)→ 已出具意见
    已出具意见 ─RequestReview 复查 (Art 35, ≤30 日 from the opinion)→ 复查中 ─DecideReview (≤30 日)→ 复查已答复
    复查已答复 ─RequestReview 复核 (Art 36, ≤30 日 from the 复查 answer)→ 复核中 ─DecideReview (≤30 日)→ 复核已答复
    已出具意见 | 复查已答复 | 不予受理 | 已导入法定程序 ─Close→ 已办结;  复核已答复 ─Close→ 已终结 (不再受理)

How a limit is enforced depends on whose limit it is. The petitioner's windows (复查/复核 requests) are hard: a late
request is refused. The organ's limits (routing, written notice, opinion, review decision) cannot be refused —
the petition would be stuck — so a late action must carry an explanation (``cqsm`` 超期说明) and marks the
petition overdue (``sfcq`` 是否超期). An extension must be asked for before the handling limit has run out.

Everything here is pure: functions take the petition's milestones and ``now`` and return the column changes, or
raise :class:`WorkflowError` with the RETURN_CODE the service answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "ACCEPTED",
    "ALL_STATUSES",
    "ALREADY_EVALUATED",
    "ALREADY_EXTENDED",
    "ALREADY_HANDLED",
    "BAD_PARAMETER",
    "BAD_STATE",
    "CLOSED",
    "EVALUATIONS",
    "EXTENDED",
    "EXTENSION_MAX_DAYS",
    "HANDLE_DAYS",
    "NEEDS_EXPLANATION",
    "NOTICE_DAYS",
    "NOT_ACCEPTED",
    "OPINIONS",
    "OPINION_ISSUED",
    "PAST_LIMIT",
    "RECHECK_DECIDED",
    "RECHECK_REQUESTED",
    "REDIRECTED",
    "REGISTERED",
    "REVIEW_DAYS",
    "REVIEW_DECIDED",
    "REVIEW_REQUESTED",
    "ROUTED_ASSIGNED",
    "ROUTED_TRANSFERRED",
    "ROUTE_DAYS",
    "TERMINATED",
    "Changes",
    "Milestones",
    "WorkflowError",
    "accept",
    "close",
    "deadline_for",
    "decide_review",
    "evaluate",
    "extend",
    "fmt",
    "issue_opinion",
    "reject",
    "request_review",
    "route",
]

REGISTERED = "已登记"  # REGISTERED
ROUTED_TRANSFERRED = "已转送"  # ROUTED by 转送 (to the organ with the remit)
ROUTED_ASSIGNED = "已交办"  # ROUTED by 交办 (to a subordinate organ, with a report back)
ACCEPTED = "已受理"  # ACCEPTED, being handled
NOT_ACCEPTED = "不予受理"  # NOT_ACCEPTED
REDIRECTED = "已导入法定程序"  # REDIRECTED_TO_PROCEDURE
EXTENDED = "已延期"  # EXTENDED
OPINION_ISSUED = "已出具意见"  # OPINION_ISSUED 处理意见书
REVIEW_REQUESTED = "复查中"  # REVIEW_REQUESTED
REVIEW_DECIDED = "复查已答复"  # REVIEW_DECIDED
RECHECK_REQUESTED = "复核中"  # RECHECK_REQUESTED
RECHECK_DECIDED = "复核已答复"  # RECHECK_DECIDED
CLOSED = "已办结"  # CLOSED
TERMINATED = "已终结"  # TERMINATED: after 复核 the same matter is not accepted again (Art 36)

ALL_STATUSES = (
    REGISTERED,
    ROUTED_TRANSFERRED,
    ROUTED_ASSIGNED,
    ACCEPTED,
    NOT_ACCEPTED,
    REDIRECTED,
    EXTENDED,
    OPINION_ISSUED,
    REVIEW_REQUESTED,
    REVIEW_DECIDED,
    RECHECK_REQUESTED,
    RECHECK_DECIDED,
    CLOSED,
    TERMINATED,
)

ROUTE_DAYS = 15  # Art 22: register and 转送/交办 within 15 日
NOTICE_DAYS = 15  # Art 23: written notice of acceptance within 15 日 of receipt
HANDLE_DAYS = 60  # Art 34: 办结 within 60 日 of acceptance
EXTENSION_MAX_DAYS = 30  # Art 34: extension ≤30 日, with approval
REVIEW_DAYS = 30  # Art 35/36: request 复查/复核 within 30 日; decide within 30 日

OPINIONS = ("支持", "解释说明", "不予支持")  # Art 32: what a 信访处理意见书 can say

# RETURN_CODEs of business refusals.
BAD_PARAMETER = 1001
BAD_STATE = 1002
PAST_LIMIT = 1003
NEEDS_EXPLANATION = 1004
ALREADY_HANDLED = 1005  # Art 19 ¶3
ALREADY_EXTENDED = 1006


class WorkflowError(Exception):
    """A business refusal; ``code`` is the RETURN_CODE the service answers with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Milestones:
    """Where a petition stands: its status and the time of each step taken (``None`` when not taken)."""

    zt: str  # 状态
    djsj: datetime  # 登记时间
    zjsj: datetime | None = None  # 转送/交办时间
    slsj: datetime | None = None  # 受理(告知)时间
    yqts: int = 0  # 延期天数
    yjsj: datetime | None = None  # 意见书出具时间
    fcsqsj: datetime | None = None  # 复查申请时间
    fcjdsj: datetime | None = None  # 复查答复时间
    fhsqsj: datetime | None = None  # 复核申请时间
    fhjdsj: datetime | None = None  # 复核答复时间


Changes = dict[str, str | int]


def fmt(moment: datetime) -> str:
    """The system's string dates."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _days(start: datetime | None, days: int) -> datetime | None:
    return None if start is None else start + timedelta(days=days)


def deadline_for(m: Milestones) -> datetime | None:
    """限办截止时间 of the stage the petition is in (``None`` once no limit runs)."""
    if m.zt == REGISTERED:
        return _days(m.djsj, ROUTE_DAYS)
    if m.zt in (ROUTED_TRANSFERRED, ROUTED_ASSIGNED):
        return _days(m.zjsj, NOTICE_DAYS)
    if m.zt in (ACCEPTED, EXTENDED):
        return _days(m.slsj, HANDLE_DAYS + m.yqts)
    if m.zt == OPINION_ISSUED:
        return _days(m.yjsj, REVIEW_DAYS)
    if m.zt == REVIEW_REQUESTED:
        return _days(m.fcsqsj, REVIEW_DAYS)
    if m.zt == REVIEW_DECIDED:
        return _days(m.fcjdsj, REVIEW_DAYS)
    if m.zt == RECHECK_REQUESTED:
        return _days(m.fhsqsj, REVIEW_DAYS)
    return None


def _require_state(m: Milestones, allowed: tuple[str, ...], action: str) -> None:
    if m.zt not in allowed:
        raise WorkflowError(BAD_STATE, f"当前状态「{m.zt}」不允许{action}")


def _organ_limit(m: Milestones, now: datetime, late_note: str, what: str, days: int) -> Changes:
    """An organ's limit: a late action needs 超期说明 and marks the petition overdue."""
    due = deadline_for(m)
    if due is None or now <= due:
        return {}
    if not late_note.strip():
        raise WorkflowError(NEEDS_EXPLANATION, f"已超过{what}期限({days}日，截止{fmt(due)})，须填写超期说明 cqsm")
    return {"sfcq": "1", "cqsm": late_note.strip()}


def route(m: Milestones, now: datetime, *, mode: str, unit: str, unit_code: str, late_note: str = "") -> Changes:
    """转送 or 交办 to the handling organ (Art 22)."""
    _require_state(m, (REGISTERED,), "转送/交办")
    if mode not in ("转送", "交办"):
        raise WorkflowError(BAD_PARAMETER, "转交方式 zjfs 须为「转送」或「交办」")
    if not unit.strip():
        raise WorkflowError(BAD_PARAMETER, "缺少承办单位 cbdw")
    changes = _organ_limit(m, now, late_note, "转送交办", ROUTE_DAYS)
    status = ROUTED_TRANSFERRED if mode == "转送" else ROUTED_ASSIGNED
    return {**changes, "zt": status, "zjfs": mode, "cbdw": unit.strip(), "cbdwdm": unit_code.strip(), "zjsj": fmt(now)}


def accept(m: Milestones, now: datetime, *, late_note: str = "") -> Changes:
    """受理, with the written notice (受理告知书) sent now (Art 23)."""
    _require_state(m, (ROUTED_TRANSFERRED, ROUTED_ASSIGNED), "受理")
    changes = _organ_limit(m, now, late_note, "书面告知", NOTICE_DAYS)
    return {**changes, "zt": ACCEPTED, "slsj": fmt(now)}


def reject(m: Milestones, now: datetime, *, reason: str, to_procedure: bool, late_note: str = "") -> Changes:
    """不予受理, or 导入 litigation/arbitration/review procedures (Art 31); the notice says where to go."""
    _require_state(m, (ROUTED_TRANSFERRED, ROUTED_ASSIGNED), "不予受理")
    if not reason.strip():
        raise WorkflowError(BAD_PARAMETER, "缺少不予受理理由 bslyy")
    changes = _organ_limit(m, now, late_note, "书面告知", NOTICE_DAYS)
    status = REDIRECTED if to_procedure else NOT_ACCEPTED
    return {**changes, "zt": status, "slsj": fmt(now), "bslyy": reason.strip()}


def extend(m: Milestones, now: datetime, *, days: int, reason: str) -> Changes:
    """延期 by at most 30 日, once, before the 60 日 have run out; the petitioner is told why (Art 34)."""
    if m.zt == EXTENDED or m.yqts:
        raise WorkflowError(ALREADY_EXTENDED, "已延期一次，不得再次延期")
    _require_state(m, (ACCEPTED,), "延期")
    if not 1 <= days <= EXTENSION_MAX_DAYS:
        raise WorkflowError(BAD_PARAMETER, f"延期天数 yqts 须在1至{EXTENSION_MAX_DAYS}日之间")
    if not reason.strip():
        raise WorkflowError(BAD_PARAMETER, "缺少延期理由 yqly")
    due = deadline_for(m)
    if due is not None and now > due:
        raise WorkflowError(PAST_LIMIT, f"办理期限已于{fmt(due)}届满，不得延期")
    return {"zt": EXTENDED, "yqts": days, "yqly": reason.strip(), "yqsj": fmt(now)}


def issue_opinion(m: Milestones, now: datetime, *, outcome: str, text: str, late_note: str = "") -> Changes:
    """出具信访处理意见书: 支持 / 解释说明 / 不予支持 (Art 32), within 60 (+30) 日 of acceptance (Art 34)."""
    _require_state(m, (ACCEPTED, EXTENDED), "出具处理意见")
    if outcome not in OPINIONS:
        raise WorkflowError(BAD_PARAMETER, f"处理意见 clyj 须为{'/'.join(OPINIONS)}之一")
    if not text.strip():
        raise WorkflowError(BAD_PARAMETER, "缺少意见书内容 yjnr")
    changes = _organ_limit(m, now, late_note, "办理", HANDLE_DAYS + m.yqts)
    return {**changes, "zt": OPINION_ISSUED, "clyj": outcome, "yjnr": text.strip(), "yjsj": fmt(now)}


def request_review(m: Milestones, now: datetime, *, kind: str) -> Changes:
    """The petitioner asks for 复查 (Art 35) or, after it, 复核 (Art 36): within 30 日, else refused."""
    if kind == "复查":
        _require_state(m, (OPINION_ISSUED,), "申请复查")
        started, status, column = m.yjsj, REVIEW_REQUESTED, "fcsqsj"
    elif kind == "复核":
        _require_state(m, (REVIEW_DECIDED,), "申请复核")
        started, status, column = m.fcjdsj, RECHECK_REQUESTED, "fhsqsj"
    else:
        raise WorkflowError(BAD_PARAMETER, "申请类型 sqlx 须为「复查」或「复核」")
    due = _days(started, REVIEW_DAYS)
    if due is not None and now > due:
        raise WorkflowError(PAST_LIMIT, f"已超过{kind}申请期限({REVIEW_DAYS}日，截止{fmt(due)})，不予受理")
    return {"zt": status, column: fmt(now)}


def decide_review(m: Milestones, now: datetime, *, text: str, late_note: str = "") -> Changes:
    """复查/复核意见 within 30 日 of the request (Art 35/36)."""
    _require_state(m, (REVIEW_REQUESTED, RECHECK_REQUESTED), "出具复查/复核意见")
    if not text.strip():
        raise WorkflowError(BAD_PARAMETER, "缺少复查/复核意见 fcyj")
    changes = _organ_limit(m, now, late_note, "复查复核", REVIEW_DAYS)
    if m.zt == REVIEW_REQUESTED:
        return {**changes, "zt": REVIEW_DECIDED, "fcyj": text.strip(), "fcjdsj": fmt(now)}
    return {**changes, "zt": RECHECK_DECIDED, "fhyj": text.strip(), "fhjdsj": fmt(now)}


EVALUATIONS = {5: "满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "不满意"}  # 评价分数 → 评价结果
ALREADY_EVALUATED = 1008


def evaluate(m: Milestones, now: datetime, *, score: int, comment: str, evaluated: bool) -> Changes:
    """评价 (Art 21): the petitioner rates the handling online, once, after the opinion (or a review answer)."""
    _require_state(m, (OPINION_ISSUED, REVIEW_DECIDED, RECHECK_DECIDED, CLOSED, TERMINATED), "评价")
    if evaluated:
        raise WorkflowError(ALREADY_EVALUATED, "已评价，不能再次评价")
    if score not in EVALUATIONS:
        raise WorkflowError(BAD_PARAMETER, "评价分数 pjfs 须为1至5")
    return {"pjjg": EVALUATIONS[score], "pjfs": str(score), "pjyj": comment.strip()[:500], "pjsj": fmt(now)}


def close(m: Milestones, now: datetime) -> Changes:
    """办结归档; after 复核 the matter is 终结 and not accepted again (Art 36)."""
    _require_state(m, (OPINION_ISSUED, REVIEW_DECIDED, RECHECK_DECIDED, NOT_ACCEPTED, REDIRECTED), "办结")
    status = TERMINATED if m.zt == RECHECK_DECIDED else CLOSED
    return {"zt": status, "bjsj": fmt(now)}
