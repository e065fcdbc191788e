"""The suggestion stand-in's HTTP protocol: API-key check, the REST routes, and a load probe for tests.

The contract is in :mod:`legacy.suggestion` (the package docstring). ``GET /_admin/load`` answers
``{"in_flight", "max_in_flight", "hold_ms", "batch_sizes"}``; ``POST /_admin/load {"hold_ms": 20}`` zeroes the
peak and the batch sizes and keeps each API request in flight ``hold_ms`` so overlapping requests show.
"""

from __future__ import annotations

import asyncio
import hmac
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from legacy.receipts import request_id_of
from legacy.suggestion import workflow
from legacy.suggestion.store import (
    ListFilter,
    count_and_page,
    get_many,
    get_one,
    insert_rows,
    receipt_of,
    update_row,
)
from legacy.world import CATEGORIES

__all__ = ["API_KEYS", "CLOCK_KEY", "DB_KEY", "LOAD_KEY", "LoadTracker", "middlewares", "routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DB_KEY = web.AppKey("suggestion_db", sqlite3.Connection)
CLOCK_KEY: web.AppKey[Callable[[], datetime]] = web.AppKey("suggestion_clock")
API_KEYS = {"minyi-service": "minyi-service-pass"}  # X-App-Id -> X-Api-Key
MAX_PAGE_SIZE = 100
MAX_BATCH = 100
_FMT = "%Y-%m-%d %H:%M:%S"


@dataclass(slots=True)
class LoadTracker:
    in_flight: int = 0
    max_in_flight: int = 0
    hold_ms: int = 0
    batch_sizes: list[int] = field(default_factory=list)


LOAD_KEY = web.AppKey("suggestion_load", LoadTracker)


def _fail(status: int, message: str) -> web.Response:
    return web.json_response({"code": status, "msg": message}, status=status)


def _ok(**body: Any) -> web.Response:
    return web.json_response({"code": 200, "msg": "操作成功", **body})


@web.middleware
async def track_load(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    load = request.app[LOAD_KEY]
    load.in_flight += 1
    load.max_in_flight = max(load.max_in_flight, load.in_flight)
    try:
        if load.hold_ms:
            await asyncio.sleep(load.hold_ms / 1000)
        return await handler(request)
    finally:
        load.in_flight -= 1


@web.middleware
async def require_api_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    app_id = request.headers.get("X-App-Id", "")
    key = request.headers.get("X-Api-Key", "")
    expected = API_KEYS.get(app_id)
    if expected is None or not hmac.compare_digest(expected.encode(), key.encode()):
        return _fail(401, "API密钥无效或应用未授权")
    return await handler(request)


middlewares = [track_load, require_api_key]


def _int_param(request: web.Request, name: str, default: int) -> int | None:
    raw = request.query.get(name, "")
    if raw == "":
        return default
    return int(raw) if raw.isdigit() else None


async def list_suggestions(request: web.Request) -> web.Response:
    page_num = _int_param(request, "pageNum", 1)
    page_size = _int_param(request, "pageSize", 10)
    if page_num is None or page_num < 1 or page_size is None or not 1 <= page_size <= MAX_PAGE_SIZE:
        return _fail(400, f"pageNum 须为正整数，pageSize 须在 1-{MAX_PAGE_SIZE} 之间")
    status = request.query.get("zt") or None
    if status is not None and status not in workflow.STATES:
        return _fail(400, f"未知状态 {status}")
    where = ListFilter(
        status=status,
        phone=request.query.get("lxdh") or None,
        id_number=request.query.get("sfzh") or None,
        keyword=(request.query.get("keyword") or "").strip() or None,
    )
    total, rows = count_and_page(request.app[DB_KEY], where, (page_num - 1) * page_size, page_size)
    return web.json_response({"code": 200, "msg": "查询成功", "total": total, "rows": [_out(r) for r in rows]})


async def get_suggestion(request: web.Request) -> web.Response:
    row = get_one(request.app[DB_KEY], request.match_info["jybh"])
    if row is None:
        return _fail(404, f"建议 {request.match_info['jybh']} 不存在")
    return _ok(data=_out(row))


async def batch_suggestions(request: web.Request) -> web.Response:
    body = await _json(request)
    numbers = body.get("jybhs") if body is not None else None
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        return _fail(400, "请求体须为 {jybhs: [建议编号]}")
    if len(numbers) > MAX_BATCH:
        return _fail(400, f"一次最多查询 {MAX_BATCH} 条")
    request.app[LOAD_KEY].batch_sizes.append(len(numbers))
    return _ok(rows=[_out(r) for r in get_many(request.app[DB_KEY], numbers)])


def _replayed(request: web.Request) -> web.Response | None:
    """A write whose ``X-Request-Id`` was seen before: the suggestion as it stands, nothing written again."""
    done = receipt_of(request.app[DB_KEY], request_id_of(request.headers))
    if done is None:
        return None
    row = get_one(request.app[DB_KEY], done)
    return _fail(404, f"建议 {done} 不存在") if row is None else _ok(data=_out(row))


async def submit_suggestion(request: web.Request) -> web.Response:
    """征集: a new suggestion."""
    replayed = _replayed(request)
    if replayed is not None:
        return replayed
    body = await _json(request)
    if body is None:
        return _fail(400, "请求体须为 JSON 对象")
    required = ("jybt", "jynr", "jyrxm", "lxdh", "jylb")
    missing = [k for k in required if not isinstance(body.get(k), str) or not body[k].strip()]
    if missing:
        return _fail(400, f"缺少必填项 {', '.join(missing)}")
    if body["jylb"] not in CATEGORIES:
        return _fail(400, f"未知建议类别 {body['jylb']}")
    conn = request.app[DB_KEY]
    now = request.app[CLOCK_KEY]()
    day = now.strftime("%Y%m%d")
    seq = conn.execute("SELECT count(*) FROM suggestion WHERE jybh LIKE ?", (f"JY{day}%",)).fetchone()[0] + 1
    number = f"JY{day}{seq:04d}"
    row = {
        "jybh": number,
        **{k: str(body[k]).strip() for k in required},
        "jyrxb": str(body.get("jyrxb", "")),
        "sfzh": str(body.get("sfzh", "")),
        "jylbdm": f"{CATEGORIES.index(body['jylb']) + 1:02d}",
        "qd": str(body.get("qd", "网站")),
        "tjsj": now.strftime(_FMT),
        "zt": workflow.PENDING,
        **dict.fromkeys(("bslyy", "cbdw", "cbdwdm", "jbsj", "blqx", "fknr", "fksj", "cnqk", "pjdj"), ""),
        "jljf": None,
        "wzdz": str(body.get("wzdz", "")),
        "xzqhdm": "",
    }
    insert_rows(conn, [row], receipt=(request_id_of(request.headers), "征集", now))
    found = get_one(conn, number)
    assert found is not None
    return _ok(data=_out(found))


async def act(request: web.Request) -> web.Response:
    """One step along the workflow (交办, 办理, 反馈, 评价, 激励, 办结, 不予受理)."""
    replayed = _replayed(request)
    if replayed is not None:
        return replayed
    conn = request.app[DB_KEY]
    number, action = request.match_info["jybh"], request.match_info["action"]
    row = get_one(conn, number)
    if row is None:
        return _fail(404, f"建议 {number} 不存在")
    body = await _json(request) if request.can_read_body else {}
    if body is None:
        return _fail(400, "请求体须为 JSON 对象")
    try:
        target = workflow.next_state(row["zt"], action)
    except workflow.WorkflowError as exc:
        return _fail(409 if action in workflow.ACTIONS else 404, str(exc))
    now = request.app[CLOCK_KEY]()
    changes: dict[str, Any] = {"zt": target}
    problem = _step_fields(action, body, now, changes)
    if problem is not None:
        return _fail(400, problem)
    if action == "reward" and row["cnqk"] not in ("1", "2"):
        return _fail(409, "未采纳的建议不能激励")
    update_row(conn, number, changes, receipt=(request_id_of(request.headers), action, now))
    found = get_one(conn, number)
    assert found is not None
    return _ok(data=_out(found))


def _step_fields(action: str, body: dict[str, Any], now: datetime, changes: dict[str, Any]) -> str | None:
    """Fill ``changes`` with what ``action`` records; a message when the body does not allow it."""
    if action == "assign":
        unit, code = body.get("cbdw"), body.get("cbdwdm")
        if not isinstance(unit, str) or not unit or not isinstance(code, str) or not code:
            return "交办须提供 cbdw 和 cbdwdm"
        changes.update(
            cbdw=unit,
            cbdwdm=code,
            jbsj=now.strftime(_FMT),
            blqx=workflow.add_workdays(now, workflow.HANDLE_WORKDAYS).isoformat(),
        )
    elif action == "reject":
        changes["bslyy"] = str(body.get("bslyy", "")) or "不属于建议征集范围"
    elif action == "feedback":
        content, adoption = body.get("fknr"), body.get("cnqk")
        if not isinstance(content, str) or not content.strip() or adoption not in workflow.ADOPTION:
            return "反馈须提供 fknr 和 cnqk (1/2/0)"
        changes.update(fknr=content.strip(), fksj=now.strftime(_FMT), cnqk=adoption)
    elif action == "evaluate":
        grade = str(body.get("pjdj", ""))
        if grade not in ("1", "2", "3", "4", "5"):
            return "评价等级 pjdj 须为 1-5"
        changes["pjdj"] = grade
    elif action == "reward":
        points = body.get("jljf")
        if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 1000:
            return "激励积分 jljf 须为 1-1000 的整数"
        changes["jljf"] = points
    return None


async def _json(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "ztmc": workflow.STATES.get(row["zt"], "")}


routes = [
    web.get("/api/v2/suggestions", list_suggestions),
    web.post("/api/v2/suggestions", submit_suggestion),
    web.post("/api/v2/suggestions/batch", batch_suggestions),
    web.get("/api/v2/suggestions/{jybh}", get_suggestion),
    web.post("/api/v2/suggestions/{jybh}/{action}", act),
]


async def _show_load(request: web.Request) -> web.Response:
    load = request.app[LOAD_KEY]
    return web.json_response(
        {
            "in_flight": load.in_flight,
            "max_in_flight": load.max_in_flight,
            "hold_ms": load.hold_ms,
            "batch_sizes": load.batch_sizes,
        }
    )


async def _reset_load(request: web.Request) -> web.Response:
    body = await _json(request) if request.can_read_body else {}
    hold = (body or {}).get("hold_ms", 0)
    if not isinstance(hold, int) or hold < 0:
        return web.json_response({"error": "expected {hold_ms: int >= 0}"}, status=400)
    load = request.app[LOAD_KEY]
    load.max_in_flight, load.hold_ms = load.in_flight, hold
    load.batch_sizes.clear()
    return web.json_response({"hold_ms": hold})


admin_routes = [web.get("/_admin/load", _show_load), web.post("/_admin/load", _reset_load)]
