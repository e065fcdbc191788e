"""The hotline's wire format: pinyin-abbreviation JSON, string dates, errors in the body.

Envelope: every answer is HTTP 200 with ``{"code": 0, "msg": "操作成功", "data": ...}`` or
``{"code": C, "msg": "..."}`` — ``400`` bad request or illegal transition, ``401`` session missing or expired
(``"会话已过期"``), ``404`` no such work order, ``500`` login refused. Dates are ``YYYY-MM-DD HH:MM:SS``, and an
absent date or text is ``""`` (never ``null``); ``blsx`` is a number in a string (``"15"``); ``sfbm``/``zjdf`` are
0/1 numbers, ``sfmy`` is ``"1"``/``"0"``/``""``.

A work order (工单)::

    gdbh 工单编号 · lsh 流水号 · ldr 来电人 · ldrxb 性别 · lxdh 联系电话 · ldhm 来电号码 · zjhm 证件号码
    slqd 受理渠道 · bt 标题 · nr 内容 · sqlx 诉求类型 (咨询/求助/投诉/举报/建议) · wtfl {dm, mc} 问题分类
    jjcd 紧急程度 · sfdz 事发地址 · xzqh 行政区划 · wgbm 网格编码 · sfbm 是否保密 · zxgh 坐席工号 (登记人)
    bfyr 被反映人/单位 (whom a 举报 or 投诉 is about)
    ldsj 来电时间 · slsj 受理时间 · pdsj 派单时间 · blsx 办理时限 · sxdw 时限单位 · jzsj 办理截止时间
    zt 市级状态 · cbdw {dwbm, dwmc} 主办单位 · xbdw [{dwbm, dwmc}] 协办单位
    dwzt [{dwbm, dwmc, js 主办/协办, zt, pdsj, qsjzsj 签收截止, jzsj, qssj 签收时间, dfsj, dfnr, tdyy 退单原因,
           yqts 延期天数, yqyy 延期原因}] 单位状态 (returned units stay listed as 已退单)
    thcs 退单次数 · yqcs 延期次数 · cbcs 重办次数 · zjdf 直接答复 · dfsj/dfnr 答复时间/内容 · shyj 审核意见
    hfcs 回访次数 · hfsj 回访时间 · sfmy 是否满意 · hfyj 回访意见 · bjsj 办结时间
    lzjl [{czsj 操作时间, czlx 操作类型, czdw 操作单位, czsm 操作说明}] 流转记录

The 提取码 (``tqm``) never leaves the system.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

from legacy.hotline.model import Ticket, UnitAssignment
from legacy.hotline.store import format_time

__all__ = [
    "BadRequest",
    "fail",
    "flag",
    "integer",
    "ok",
    "optional_text",
    "required_text",
    "ticket_json",
    "unit_json",
    "wire_time",
]


class BadRequest(Exception):
    """A request the legacy system answers with code 400 and this message."""


def wire_time(value: datetime | None) -> str:
    return format_time(value) or ""


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def ok(data: Any) -> web.Response:
    return web.json_response({"code": 0, "msg": "操作成功", "data": data}, dumps=_dumps)


def fail(code: int, msg: str) -> web.Response:
    """A legacy error: HTTP 200, the outcome in the body."""
    return web.json_response({"code": code, "msg": msg}, dumps=_dumps)


def unit_json(u: UnitAssignment) -> dict[str, Any]:
    return {
        "dwbm": u.code,
        "dwmc": u.name,
        "js": u.role.value,
        "zt": u.state.value,
        "pdsj": wire_time(u.dispatched_at),
        "qsjzsj": wire_time(u.sign_deadline),
        "jzsj": wire_time(u.deadline),
        "qssj": wire_time(u.signed_at),
        "dfsj": wire_time(u.replied_at),
        "dfnr": u.reply,
        "tdyy": u.return_reason,
        "yqts": u.extension_days,
        "yqyy": u.extension_reason,
    }


def ticket_json(t: Ticket) -> dict[str, Any]:
    lead = t.lead
    return {
        "gdbh": t.order_no,
        "lsh": t.tracking_no,
        "ldr": t.caller_name,
        "ldrxb": t.caller_sex,
        "lxdh": t.contact_phone,
        "ldhm": t.caller_number,
        "zjhm": t.id_number,
        "slqd": t.channel,
        "bt": t.title,
        "nr": t.content,
        "sqlx": t.kind,
        "wtfl": {"dm": t.category_code, "mc": t.category_name},
        "jjcd": t.urgency,
        "sfdz": t.address,
        "xzqh": t.admin_code,
        "wgbm": t.grid_code,
        "sfbm": int(t.is_secret),
        "zxgh": t.operator_id,
        "bfyr": t.accused,
        "ldsj": wire_time(t.called_at),
        "slsj": wire_time(t.accepted_at),
        "pdsj": wire_time(t.dispatched_at),
        "blsx": str(t.time_limit) if t.time_limit else "",
        "sxdw": t.time_unit,
        "jzsj": wire_time(t.deadline),
        "zt": t.state.value,
        "cbdw": None if lead is None else {"dwbm": lead.code, "dwmc": lead.name},
        "xbdw": [{"dwbm": u.code, "dwmc": u.name} for u in t.co_units],
        "dwzt": [unit_json(u) for u in t.units],
        "thcs": t.return_count,
        "yqcs": t.extension_count,
        "cbcs": t.rehandle_count,
        "zjdf": int(t.direct_answer),
        "dfsj": wire_time(t.replied_at),
        "dfnr": t.reply,
        "shyj": t.audit_opinion,
        "hfcs": t.callback_count,
        "hfsj": wire_time(t.callback_at),
        "sfmy": "" if t.callback_satisfied is None else str(int(t.callback_satisfied)),
        "hfyj": t.callback_opinion,
        "bjsj": wire_time(t.closed_at),
        "bjlx": t.closure,
        "gljl": [{"xt": lk.system, "bh": lk.number, "gllx": lk.kind, "glsj": wire_time(lk.at)} for lk in t.links],
        "lzjl": [{"czsj": wire_time(e.at), "czlx": e.action, "czdw": e.unit, "czsm": e.note} for e in t.events],
    }


def required_text(body: dict[str, Any], name: str, label: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{label}({name})不能为空")
    return value.strip()


def optional_text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"参数{name}须为字符串")
    return value.strip()


def flag(body: dict[str, Any], name: str, default: bool = False) -> bool:
    """A 0/1 flag, as a number or a string (both arrive from the legacy front ends)."""
    value = body.get(name)
    if value is None or value == "":
        return default
    if value in (0, 1, "0", "1", True, False):
        return value in (1, "1", True)
    raise BadRequest(f"参数{name}须为0或1")


def integer(body: dict[str, Any], name: str, label: str) -> int:
    value = body.get(name)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRequest(f"{label}({name})须为整数") from None
