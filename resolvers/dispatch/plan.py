"""From a command to the saga of legacy writes that carries it out: pure, no I/O.

Each action becomes the writes of its system of record, in that system's own vocabulary (the hotline's pinyin
action codes, the grid's actions); a cross-system action becomes several steps, each with the compensation that
undoes it when a later step fails for good:

=========================  ======================================================================================
registerAppeal             hotline 登记 (``POST /api/gd``)
dispatchAppeal             hotline 派单 ``pd`` to the lead unit (主办) and co-units (会办)
signAppeal … closeAppeal   hotline ``qs`` 签收, ``td`` 退单, ``tdsh`` 退单审核, ``yq`` 延期, ``yqsp`` 延期审批,
                           ``df`` 答复, ``sh`` 审核, ``hf`` 回访, ``bj`` 办结 (with 办结类型)
superviseAppeal/urge…      hotline ``db`` 督办 / ``cb`` 催办
replyAppeal on a board     board ``/v1/threads/reply``: the answer published under the thread (no request receipts
                           there: the worker reads the thread back before it sends a reply again)
linkDuplicateAppeals       a link on each side that keeps links (hotline ``gl``, grid ``links``); a petition keeps
                           none, so a 重合件 link lives on the hotline side (the petition side leads, DOMAIN §9)
routeAppealToGrid          1. grid 上报 from 12345热线, linked to the order (undone by 作废)
                           2. hotline ``gl`` 网格直办 link to the new event
routeGridEventTier         grid tier 网格直办 → 镇街主办 → 部门联办
registerAppeal elsewhere   petition ``RegisterXfj`` (登记, the three types from the appeal type); suggestion
                           ``POST /api/v2/suggestions`` (征集); grid 上报 of an event a grid worker found
on a petition              ``RouteXfj`` 交办 (dispatch), ``AcceptXfj`` 受理 (sign), ``RejectXfj`` 不予受理 (return),
                           ``ExtendXfj`` 延期, ``IssueOpinion`` 出具处理意见 (reply), ``CloseXfj`` 办结 (close)
on a suggestion            ``assign`` 交办 (dispatch), ``handle`` 办理 (sign), ``feedback`` 反馈 with 采纳情况
                           (reply), ``close`` 办结 (close)
rateAppeal                 the citizen's own rating: hotline ``hf`` 回访 answered online (基本满意 and better count as
                           satisfied), petition ``EvaluateXfj`` (信访工作条例 Art 21), suggestion ``evaluate`` 评价
=========================  ======================================================================================

The petition and suggestion systems take one 承办单位: a dispatch with co-units is refused there (:mod:`.rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.adapters.board import BoardThread
from resolvers.adapters.grid import GridEvent
from resolvers.adapters.hotline import HotlineTicketRecord
from resolvers.adapters.petition import PetitionRecord
from resolvers.adapters.suggestion import Suggestion
from resolvers.dispatch.commands import Action, Command, parse_appeal_id
from resolvers.dispatch.errors import InputRefused
from resolvers.dispatch.record import StepSpec

__all__ = [
    "ADOPTIONS",
    "APPEAL_KINDS",
    "CLOSURE_LEVELS",
    "PETITION_FORMS",
    "PETITION_OUTCOMES",
    "PETITION_PURPOSES",
    "SUGGESTION_CATEGORIES",
    "TIERS",
    "plan_saga",
    "step_ref",
]

APPEAL_KINDS = {"CONSULT": "咨询", "HELP": "求助", "COMPLAINT": "投诉", "REPORT": "举报", "SUGGESTION": "建议"}
CLOSURE_LEVELS = {"STAGED": "阶段性办结", "PROCEDURAL": "程序性办结", "SUBSTANTIVE": "实质性办结"}
URGENCIES = {"NORMAL": "一般", "URGENT": "紧急", "CRITICAL": "特急"}
TIERS = {"GRID": "网格直办", "STREET": "镇街主办", "DEPARTMENT": "部门联办"}
LINK_KINDS = {"DUPLICATE": "重复件", "OVERLAP": "重合件"}
GRID_DIRECT = "网格直办"
# 信访 (信访工作条例): the three types by the appeal's type (Art 17 ¶2), the forms of Art 17, the outcomes of Art 32
PETITION_PURPOSES = {
    "CONSULT": "建议意见类",
    "SUGGESTION": "建议意见类",
    "HELP": "申诉求决类",
    "COMPLAINT": "申诉求决类",
    "REPORT": "检举控告类",
}
PETITION_FORMS = ("来信", "来访", "网上", "来电", "传真")
GROUP_SIZE = 5  # 群体访: five people or more
PETITION_OUTCOMES = {"SUPPORT": "支持", "EXPLAIN": "解释说明", "NOT_SUPPORT": "不予支持"}
# 人民建议征集: the suggestion system's 建议类别 and its 采纳情况 codes (cnqk)
SUGGESTION_CATEGORIES = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")
ADOPTIONS = {"ADOPTED": "1", "PARTLY_ADOPTED": "2", "NOT_ADOPTED": "0"}

Target = HotlineTicketRecord | GridEvent | BoardThread | PetitionRecord | Suggestion | None


def step_ref(index: int) -> dict[str, int]:
    """Stands for the record number step ``index`` produced."""
    return {"$step": index}


def _hotline(action: str, order_no: str, body: Mapping[str, Any], description: str) -> StepSpec:
    return StepSpec("hotline", f"act:{action}", order_no, dict(body), description)


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return value.strip() if isinstance(value, str) else ""


def plan_saga(command: Command, target: Target) -> tuple[StepSpec, ...]:
    """The steps for ``command`` on ``target`` (the appeal's current legacy record, read just before)."""
    p = command.params
    a = command.action
    if a is Action.REGISTER:
        return (_register(p),)
    if a is Action.RATE:
        return (_rating(p, target),)
    if isinstance(target, PetitionRecord):
        return _petition_plan(command, target)
    if isinstance(target, Suggestion):
        return _suggestion_plan(command, target)
    if isinstance(target, GridEvent):
        return _grid_plan(command, target)
    if isinstance(target, BoardThread):
        return _board_plan(command, target)
    if not isinstance(target, HotlineTicketRecord):
        raise InputRefused(f"{a.value} is not available for this appeal's system", code="UNSUPPORTED", field="id")
    no = target.order_no
    unit = _text(p, "unit")
    if a is Action.DISPATCH:
        co = [str(c) for c in p.get("coUnits") or []]
        body: dict[str, Any] = {"cbdw": _text(p, "leadUnit"), "xbdw": co, "pdyj": _text(p, "note")}
        return (_hotline("pd", no, body, f"派单 to {body['cbdw']}" + (f" with {', '.join(co)}" if co else "")),)
    if a is Action.SIGN:
        return (_hotline("qs", no, {"dwbm": unit}, f"签收 by {unit}"),)
    if a is Action.RETURN:
        return (_hotline("td", no, {"dwbm": unit, "tdyy": _text(p, "reason")}, f"退单 by {unit}"),)
    if a is Action.DECIDE_RETURN:
        body = {"dwbm": unit, "ty": bool(p.get("approve")), "yj": _text(p, "opinion")}
        return (_hotline("tdsh", no, body, f"退单审核 for {unit}"),)
    if a is Action.REQUEST_EXTENSION:
        body = {"dwbm": unit, "yqts": int(p.get("days") or 0), "yqyy": _text(p, "reason")}
        return (_hotline("yq", no, body, f"延期申请 by {unit}"),)
    if a is Action.APPROVE_EXTENSION:
        body = {"dwbm": unit, "ty": bool(p.get("approve")), "yj": _text(p, "opinion")}
        return (_hotline("yqsp", no, body, f"延期审批 for {unit}"),)
    if a is Action.REPLY:
        return (_hotline("df", no, {"dwbm": unit, "dfnr": _text(p, "text")}, f"答复 by {unit}"),)
    if a is Action.REVIEW_REPLY:
        return (_hotline("sh", no, {"tg": bool(p.get("passed")), "shyj": _text(p, "opinion")}, "审核"),)
    if a is Action.CALLBACK:
        return (_hotline("hf", no, {"sfmy": bool(p.get("satisfied")), "hfyj": _text(p, "opinion")}, "回访"),)
    if a is Action.CLOSE:
        level = CLOSURE_LEVELS.get(_text(p, "closure"), "")
        return (_hotline("bj", no, {"bjlx": level}, f"办结 {level}".strip()),)
    if a is Action.SUPERVISE:
        body = {"dbyj": _text(p, "opinion"), "hfsx": _legacy_time(_text(p, "replyBy"))}
        return (_hotline("db", no, body, "督办"),)
    if a is Action.URGE:
        return (_hotline("cb", no, {"cbyj": _text(p, "opinion")}, "催办"),)
    if a is Action.LINK_DUPLICATES:
        return _link_plan(command, target.order_no, "hotline")
    if a is Action.ROUTE_TO_GRID:
        return _route_to_grid(p, target)
    raise InputRefused(f"{a.value} is not available for a hotline order", code="UNSUPPORTED", field="id")


def _register(p: Mapping[str, Any]) -> StepSpec:
    system = _text(p, "system") or "hotline"
    if system == "petition":
        return _register_petition(p)
    if system == "suggestion":
        return _register_suggestion(p)
    if system == "grid":
        return _register_grid_event(p)
    fields: dict[str, Any] = {
        "bt": _text(p, "title"),
        "nr": _text(p, "content"),
        "lxdh": _text(p, "phone"),
        "ldr": _text(p, "callerName"),
        "sqlx": APPEAL_KINDS.get(_text(p, "appealType"), ""),
        "jjcd": URGENCIES.get(_text(p, "urgency") or "NORMAL", "一般"),
        "slqd": _text(p, "channel") or "电话",
        "sfdz": _text(p, "address"),
        "xzqh": _text(p, "adminCode"),
        "wgbm": _text(p, "gridCode"),
        "sfbm": 1 if p.get("isSecret") else 0,
    }
    if _text(p, "directAnswer"):  # 直接答复: a 咨询 answered on the call from the knowledge base
        fields.update(zjdf=1, dfnr=_text(p, "directAnswer"))
        return StepSpec("hotline", "register", None, fields, "登记 直接答复")
    return StepSpec("hotline", "register", None, fields, "登记")


def _link_plan(command: Command, own: str, system: str) -> tuple[StepSpec, ...]:
    other = parse_appeal_id(_text(command.params, "duplicate"))
    if other is None:
        raise InputRefused("duplicate must be an appeal id", field="duplicate")
    kind = LINK_KINDS.get(_text(command.params, "kind") or "DUPLICATE", "重复件")
    steps: list[StepSpec] = []
    for (sys_a, no_a), (sys_b, no_b) in (
        ((system, own), (other.system, other.local_id)),
        ((other.system, other.local_id), (system, own)),
    ):
        if sys_a == "hotline":
            body = {"xt": sys_b, "bh": no_b, "gllx": kind}
            steps.append(_hotline("gl", no_a, body, f"关联 {kind} hotline:{no_a} → {sys_b}:{no_b}"))
        elif sys_a == "grid":
            body = {"system": sys_b, "number": no_b, "kind": kind}
            steps.append(StepSpec("grid", "link", no_a, body, f"关联 {kind} grid:{no_a} → {sys_b}:{no_b}"))
    return tuple(steps)


def _route_to_grid(p: Mapping[str, Any], ticket: HotlineTicketRecord) -> tuple[StepSpec, ...]:
    event_type = _text(p, "eventType")
    report = {
        "eventSrc": "12345热线",
        "description": f"{ticket.title}：{ticket.content}" + (f"（{_text(p, 'note')}）" if _text(p, "note") else ""),
        "mainType": event_type[:2],
        "subType": event_type[2:],
        "cellGridCode": _text(p, "gridCode") or ticket.grid_code,
        "reporterName": ticket.caller_name,
        "reporterPhone": ticket.contact_phone,
        "reflect_type": ticket.appeal_type and _REFLECT.get(ticket.appeal_type.value, ""),
        "address": ticket.address,
        "links": [{"system": "hotline", "number": ticket.order_no, "kind": GRID_DIRECT}],
    }
    return (
        StepSpec("grid", "report", None, report, "网格直办: grid event reported from 12345热线", "act:cancel", {}),
        _hotline(
            "gl", ticket.order_no, {"xt": "grid", "bh": step_ref(0), "gllx": GRID_DIRECT}, "网格直办 link on the order"
        ),
    )


_REFLECT = {"CONSULT": "咨询", "HELP": "求助", "COMPLAINT": "投诉", "REPORT": "举报", "SUGGESTION": "建议"}


def _grid_plan(command: Command, event: GridEvent) -> tuple[StepSpec, ...]:
    if command.action is Action.ROUTE_GRID_TIER:
        tier = TIERS.get(_text(command.params, "tier"), "")
        body = {"tier": tier, "note": _text(command.params, "note")}
        return (StepSpec("grid", "tier", event.task_num, body, f"转 {tier}"),)
    if command.action is Action.LINK_DUPLICATES:
        return _link_plan(command, event.task_num, "grid")
    raise InputRefused(f"{command.action.value} is not available for a grid event", code="UNSUPPORTED", field="id")


def _board_plan(command: Command, thread: BoardThread) -> tuple[StepSpec, ...]:
    if command.action is Action.REPLY:
        body = {"organization": _text(command.params, "organization"), "content": _text(command.params, "text")}
        return (
            StepSpec("board", "reply", thread.thread_id, body, f"答复 published on board thread {thread.thread_id}"),
        )
    raise InputRefused(f"{command.action.value} is not available for a board thread", code="UNSUPPORTED", field="id")


def _legacy_time(iso: str) -> str:
    """RFC 3339 (``2026-12-08T17:00:00+08:00``) to the hotline's ``YYYY-MM-DD HH:MM:SS`` local time."""
    return iso[:19].replace("T", " ") if iso else ""


def _register_petition(p: Mapping[str, Any]) -> StepSpec:
    """登记 (the fields of :class:`~resolvers.adapters.petition.NewPetition`)."""
    persons = int(p.get("personsInvolved") or p.get("representatives") or 1)
    fields: dict[str, Any] = {
        "form": _text(p, "channel") or "网上",
        "petitioner_name": _text(p, "callerName"),
        "id_number": _text(p, "idNumber"),
        "phone": _text(p, "phone"),
        "address": _text(p, "address"),
        "location_code": _text(p, "adminCode"),
        "title": _text(p, "title"),
        "content": _text(p, "content"),
        "content_class": _text(p, "category"),
        "purpose": PETITION_PURPOSES.get(_text(p, "appealType"), "申诉求决类"),
        "urgency": URGENCIES.get(_text(p, "urgency") or "NORMAL", "一般"),
        "persons_involved": persons,
        "is_group": persons >= GROUP_SIZE,
    }
    return StepSpec("petition", "register", None, fields, f"登记 信访件 ({fields['purpose']})")


def _register_suggestion(p: Mapping[str, Any]) -> StepSpec:
    fields = {
        "jybt": _text(p, "title"),
        "jynr": _text(p, "content"),
        "jyrxm": _text(p, "callerName"),
        "lxdh": _text(p, "phone"),
        "sfzh": _text(p, "idNumber"),
        "jylb": _text(p, "category"),
        "qd": _text(p, "channel") or "12345转办",
        "wzdz": _text(p, "address"),
    }
    return StepSpec("suggestion", "register", None, fields, "征集: a new suggestion")


def _register_grid_event(p: Mapping[str, Any]) -> StepSpec:
    event_type = _text(p, "eventType")
    report = {
        "eventSrc": "网格员",
        "description": f"{_text(p, 'title')}：{_text(p, 'content')}",
        "mainType": event_type[:2],
        "subType": event_type[2:],
        "cellGridCode": _text(p, "gridCode"),
        "reporterName": _text(p, "callerName"),
        "reporterPhone": _text(p, "phone"),
        "reflect_type": _REFLECT.get(_text(p, "appealType"), ""),
        "address": _text(p, "address"),
    }
    return StepSpec("grid", "report", None, report, "上报: a grid event")


def _single_unit(command: Command) -> tuple[str, str]:
    """The lead unit (code, name) of a dispatch to a system that takes one 承办单位."""
    return _text(command.params, "leadUnit"), _text(command.params, "leadUnitName")


def _petition_plan(command: Command, petition: PetitionRecord) -> tuple[StepSpec, ...]:
    a, p, no = command.action, command.params, petition.petition_no
    late = {"cqsm": _text(p, "lateNote")} if _text(p, "lateNote") else {}
    if a is Action.DISPATCH:
        code, name = _single_unit(command)
        body: dict[str, Any] = {"zjfs": "交办", "cbdw": name, "cbdwdm": code, **late}
        return (StepSpec("petition", "RouteXfj", no, body, f"交办 to {name or code}"),)
    if a is Action.SIGN:
        return (StepSpec("petition", "AcceptXfj", no, late, "受理 (written notice sent)"),)
    if a is Action.RETURN:
        body = {"bslyy": _text(p, "reason"), "drcx": "0", **late}
        return (StepSpec("petition", "RejectXfj", no, body, "不予受理"),)
    if a is Action.REQUEST_EXTENSION:
        body = {"yqts": str(int(p.get("days") or 0)), "yqly": _text(p, "reason")}
        return (StepSpec("petition", "ExtendXfj", no, body, f"延期 {body['yqts']} 日"),)
    if a is Action.REPLY:
        outcome = PETITION_OUTCOMES.get(_text(p, "outcome"), "")
        body = {"clyj": outcome, "yjnr": _text(p, "text"), **late}
        return (StepSpec("petition", "IssueOpinion", no, body, f"出具处理意见 ({outcome})"),)
    if a is Action.CLOSE:
        return (StepSpec("petition", "CloseXfj", no, {}, "办结"),)
    raise InputRefused(f"{a.value} is not available for a petition", code="UNSUPPORTED", field="id")


def _suggestion_plan(command: Command, suggestion: Suggestion) -> tuple[StepSpec, ...]:
    a, p, no = command.action, command.params, suggestion.number
    if a is Action.DISPATCH:
        code, name = _single_unit(command)
        return (StepSpec("suggestion", "assign", no, {"cbdw": name, "cbdwdm": code}, f"交办 to {name or code}"),)
    if a is Action.SIGN:
        return (StepSpec("suggestion", "handle", no, {}, "办理: the unit takes it"),)
    if a is Action.REPLY:
        body = {"fknr": _text(p, "text"), "cnqk": ADOPTIONS.get(_text(p, "adoption"), "")}
        return (StepSpec("suggestion", "feedback", no, body, "反馈"),)
    if a is Action.CLOSE:
        return (StepSpec("suggestion", "close", no, {}, "办结"),)
    raise InputRefused(f"{a.value} is not available for a suggestion", code="UNSUPPORTED", field="id")


SATISFIED_SCORE = 3  # on the hotline's yes-or-no callback, 基本满意 (3) and better are satisfied


def _rating(p: Mapping[str, Any], target: Target) -> StepSpec:
    score, comment = int(p.get("score") or 0), _text(p, "comment")
    if isinstance(target, PetitionRecord):
        body: dict[str, Any] = {"pjfs": str(score), "pjyj": comment}
        return StepSpec("petition", "EvaluateXfj", target.petition_no, body, f"评价 {score}/5 by the petitioner")
    if isinstance(target, Suggestion):
        return StepSpec("suggestion", "evaluate", target.number, {"pjdj": str(score)}, f"评价 {score}/5")
    if isinstance(target, HotlineTicketRecord):
        body = {
            "sfmy": score >= SATISFIED_SCORE,
            "hfyj": f"市民网上评价 {score}/5" + (f"：{comment}" if comment else ""),
        }
        return _hotline("hf", target.order_no, body, f"回访 answered online by the citizen ({score}/5)")
    raise InputRefused("this appeal's system takes no rating", code="UNSUPPORTED", field="id")
