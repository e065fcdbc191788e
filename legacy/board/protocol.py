"""The board's native protocol: signed form POSTs answered by a JSON envelope (see :mod:`legacy.board`).

Handlers parse the form, check the signature, and answer ``{"result", "code", "message", "data"}`` with HTTP 200
whatever happens — the board reports errors in the body. Private submit-form fields (``truename``, ``linktel``,
``address``) appear only in the detail.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from legacy.board import workflow
from legacy.board.probes import PROBES_KEY
from legacy.board.signature import SignatureError, verify
from legacy.board.store import BoardStore, ThreadQuery, phone_digits
from legacy.standin import record_acting_user

__all__ = ["MAX_PAGE_SIZE", "STORE_KEY", "BoardFault", "protocol_routes"]

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10
ACTING_USER_FIELD = "actingUser"  # 代办人: the user an integrating system calls for, a signed form field

STORE_KEY = web.AppKey("board_store", BoardStore)

Operation = Callable[[web.Request, dict[str, str]], Awaitable[Any]]


class BoardFault(Exception):
    """A refusal the board reports in the envelope: ``code`` and a Chinese ``message`` as the board words it."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _envelope(result: str, code: str, message: str, **rest: Any) -> web.Response:
    return web.json_response({"result": result, "code": code, "message": message, **rest}, dumps=_dumps)


def _now_ms() -> int:
    return int(time.time() * 1000)


async def _form(request: web.Request) -> dict[str, str]:
    posted = await request.post()
    fields: dict[str, str] = {}
    for key, value in posted.items():
        if not isinstance(value, str):
            raise BoardFault("PARAM_ERROR", f"参数{key}格式错误")
        if key in fields:
            raise BoardFault("PARAM_ERROR", f"参数{key}重复")
        fields[key] = value
    return fields


def signed(operation: Operation) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Parse and verify the form, run ``operation``, wrap its result (or refusal) in the envelope."""

    async def handle(request: web.Request) -> web.Response:
        try:
            fields = await _form(request)
            now = _now_ms()
            try:
                verify(fields, now)
            except SignatureError as exc:
                raise BoardFault("SIGN_ERROR", f"签名校验失败: {exc}", serverTime=now) from exc
            record_acting_user(request.app, fields.get(ACTING_USER_FIELD))  # signed, so only once verified
            data = await operation(request, fields)
        except BoardFault as fault:
            return _envelope("fail", fault.code, fault.message, **fault.extra)
        return _envelope("success", "0000", "", data=data)

    return handle


def _int(fields: dict[str, str], name: str, default: int | None = None) -> int:
    raw = fields.get(name, "").strip()
    if not raw:
        if default is None:
            raise BoardFault("PARAM_ERROR", f"缺少参数{name}")
        return default
    if not raw.isdigit():
        raise BoardFault("PARAM_ERROR", f"参数{name}必须为非负整数")
    return int(raw)


def _text(fields: dict[str, str], name: str) -> str:
    value = fields.get(name, "").strip()
    if not value:
        raise BoardFault("PARAM_ERROR", f"缺少参数{name}")
    return value


def _public(row: sqlite3.Row, *, in_list: bool) -> dict[str, Any]:
    return {
        "tid": row["tid"],
        "fid": row["fid"],
        "forumName": row["forum_name"],
        "subject": row["subject"],
        "content": row["content"],
        "dateline": row["dateline"],
        "domainName": row["domain_name"],
        "typeName": row["type_name"],
        "stateInfo": row["state_info"],
        "answerId": row["answer_id"],
        "answerOrganization": row["answer_organization"],
        "answerContent": row["answer_content"],
        "answerTime": row["answer_time"],
        "favNum": str(row["fav_num"]) if in_list else row["fav_num"],
        "gradeManner": row["grade_manner"],
        "gradeSpeed": row["grade_speed"],
        "nickName": row["nick_name"],
        "ip": row["ip"],
    }


async def _list(request: web.Request, fields: dict[str, str]) -> Any:
    store = request.app[STORE_KEY]
    page_size = _int(fields, "pageSize", DEFAULT_PAGE_SIZE)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise BoardFault("PARAM_ERROR", f"pageSize须在1到{MAX_PAGE_SIZE}之间")
    fid = _int(fields, "fid", 0)
    if fid and not store.forum_exists(fid):
        raise BoardFault("NOT_EXIST", f"版块{fid}不存在")
    state = fields.get("stateInfo", "").strip()
    if state and state not in workflow.STATES:
        raise BoardFault("PARAM_ERROR", f"未知的状态{state}")
    phone = phone_digits(fields.get("linktel", ""))
    if fields.get("linktel", "").strip() and len(phone) < 7:
        raise BoardFault("PARAM_ERROR", "联系电话格式错误")
    query = ThreadQuery(
        fid=fid,
        before=_int(fields, "lastItem", 0),
        page_size=page_size,
        state_info=state,
        keywords=tuple(fields.get("keywords", "").split()),
        phone=phone,
    )
    rows = store.list_threads(query)
    return [_public(row, in_list=True) for row in rows] or None  # the board says null, not []


def _found(store: BoardStore, tid: int) -> sqlite3.Row:
    row = store.thread(tid)
    if row is None:
        raise BoardFault("NOT_EXIST", f"帖子{tid}不存在")
    return row


async def _content(request: web.Request, fields: dict[str, str]) -> Any:
    tid = _int(fields, "tid")
    request.app[PROBES_KEY].detail_reads[tid] += 1
    row = _found(request.app[STORE_KEY], tid)
    return {
        **_public(row, in_list=False),
        "truename": row["truename"],
        "linktel": row["linktel"],
        "address": row["address"],
    }


async def _reply(request: web.Request, fields: dict[str, str]) -> Any:
    store = request.app[STORE_KEY]
    tid = _int(fields, "tid")
    organization, content = _text(fields, "answerOrganization"), _text(fields, "answerContent")
    row = _found(store, tid)
    if row["state_info"] not in workflow.OPEN_STATES:
        raise BoardFault("STATE_ERROR", f"帖子当前状态为{row['state_info']}，不能回复")
    at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")  # naive local time, like the seeded threads
    store.reply(tid, organization, content, at, workflow.REPLIED)
    return {"tid": tid, "stateInfo": workflow.REPLIED, "answerTime": at}


async def _state(request: web.Request, fields: dict[str, str]) -> Any:
    store = request.app[STORE_KEY]
    tid = _int(fields, "tid")
    target = _text(fields, "stateInfo")
    if target not in workflow.STATES:
        raise BoardFault("PARAM_ERROR", f"未知的状态{target}")
    row = _found(store, tid)
    if target == workflow.REPLIED:
        raise BoardFault("STATE_ERROR", "请通过回复接口回复帖子")
    if not workflow.can_move(row["state_info"], target):
        raise BoardFault("STATE_ERROR", f"帖子状态不能从{row['state_info']}变为{target}")
    store.set_state(tid, target)
    return {"tid": tid, "stateInfo": target}


def protocol_routes() -> list[web.RouteDef]:
    return [
        web.post("/v1/threads/queryThreadsList", signed(_list)),
        web.post("/v1/threads/content", signed(_content)),
        web.post("/v1/threads/reply", signed(_reply)),
        web.post("/v1/threads/state", signed(_state)),
    ]
