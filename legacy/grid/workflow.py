"""The grid event loop (闭环): which action moves an event from which state to which.

The seven steps of 鲁建城字〔2014〕19号 (DOMAIN.md §4.2): 上报 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案, with a
核实 (field confirmation) before 立案 when the public or 12345 reported the event, a 核查 that can send the work
back to 处置 when it did not pass, and 作废 for a report that is void. ``结案`` carries an archive type
(正常/超时/差错/特殊结案).

Actions, as the legacy API names them::

    confirm   核实   上报 → 核实            (公众 / 12345热线 reports only)
    register  立案   核实 → 立案, or 上报 → 立案 for 监督员 / 网格员 reports
    dispatch  派遣   立案 → 派遣            (executeDept required; the deadline starts here)
    dispose   处置   派遣 → 处置中
    feedback  反馈   处置中 → 反馈
    verify    核查   反馈 → 核查, or → 处置中 with ``"passed": false``
    close     结案   核查 → 结案            (archiveType 正常/超时/差错/特殊)
    cancel    作废   上报 | 核实 | 立案 → 作废

Beside the loop, an open event sits on one routing tier of the 热线+网格 chain (DOMAIN.md §4.2), which only
goes up: 网格直办 (the grid worker resolves it) → 镇街主办 (the street or town leads) → 部门联办 (departments
co-handle).
"""

from __future__ import annotations

__all__ = [
    "ACTIONS",
    "ARCHIVE_TYPES",
    "STATES",
    "TERMINAL_STATES",
    "TIERS",
    "WorkflowError",
    "next_state",
]

STATES = ("上报", "核实", "立案", "派遣", "处置中", "反馈", "核查", "结案", "作废")
TERMINAL_STATES = frozenset({"结案", "作废"})
ARCHIVE_TYPES = ("正常", "超时", "差错", "特殊")  # 结案类型
TIERS = ("网格直办", "镇街主办", "部门联办")  # routing tiers, lowest first

ACTIONS: dict[str, str] = {
    "confirm": "核实",
    "register": "立案",
    "dispatch": "派遣",
    "dispose": "处置",
    "feedback": "反馈",
    "verify": "核查",
    "close": "结案",
    "cancel": "作废",
}

_MOVES: dict[tuple[str, str], str] = {
    ("上报", "confirm"): "核实",
    ("核实", "register"): "立案",
    ("上报", "register"): "立案",
    ("立案", "dispatch"): "派遣",
    ("派遣", "dispose"): "处置中",
    ("处置中", "feedback"): "反馈",
    ("反馈", "verify"): "核查",
    ("核查", "close"): "结案",
    ("上报", "cancel"): "作废",
    ("核实", "cancel"): "作废",
    ("立案", "cancel"): "作废",
}


class WorkflowError(Exception):
    """An action that the event's state (or source) does not allow; the API answers 409."""


def next_state(state: str, action: str, *, public_report: bool, passed: bool = True) -> str:
    """The state after ``action``; ``public_report`` is True for 公众/12345热线 sources (核实 before 立案)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    if action == "confirm" and not public_report:
        raise WorkflowError("监督员/网格员上报的案件无需核实，可直接立案")
    if state == "上报" and action == "register" and public_report:
        raise WorkflowError("公众/12345热线上报的案件须先核实再立案")
    target = _MOVES.get((state, action))
    if target is None:
        raise WorkflowError(f"案件当前状态为「{state}」，不能执行「{ACTIONS[action]}」")
    if action == "verify" and not passed:
        return "处置中"  # 核查不通过: back to the department
    return target
