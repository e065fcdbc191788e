"""The grid stand-in's HTTP protocol: OAuth2 token endpoint, bearer-protected event API, admin routes.

The contract is in :mod:`legacy.grid` (the package docstring). This module only speaks HTTP: it checks requests,
calls :mod:`legacy.grid.store`, and writes events in the legacy field names (:func:`event_json`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web

from legacy.grid.codes import EVENT_CODES, PUBLIC_SOURCES, SOURCES
from legacy.grid.store import (
    EventFilter,
    add_link,
    apply_action,
    event_links,
    event_tiers,
    find_receipt,
    get_event,
    insert_event,
    list_events,
    route_tier,
)
from legacy.grid.tokens import TokenStore
from legacy.grid.workflow import ACTIONS, STATES, TIERS, WorkflowError
from legacy.receipts import request_id_of

__all__ = ["CLOCK_KEY", "DB_KEY", "LOAD_KEY", "TOKENS_KEY", "LoadTracker", "event_json", "middlewares", "routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DB_KEY = web.AppKey("grid_db", sqlite3.Connection)
TOKENS_KEY = web.AppKey("grid_tokens", TokenStore)
CLOCK_KEY: web.AppKey[Callable[[], datetime]] = web.AppKey("grid_clock")  # stamps the workflow steps


@dataclass(slots=True)
class LoadTracker:
    """How busy the stand-in is: requests in flight now, the most ever at once, and reads per task number."""

    in_flight: int = 0
    max_in_flight: int = 0
    hold_ms: int = 0  # keep every API request in flight this long, so concurrency can be observed
    reads: Counter[str] = field(default_factory=Counter)


LOAD_KEY = web.AppKey("grid_load", LoadTracker)

MAX_PAGE_SIZE = 100
_REALM = 'Bearer realm="grid"'
_DIGITS = re.compile(r"^\d+$")
_NON_DIGITS = re.compile(r"\D")


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status, headers=headers)


# --- middlewares ---------------------------------------------------------------------------------------------


@web.middleware
async def track_load(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_admin/"):
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
async def require_bearer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """RFC 6750 §3: no credentials → 401 with the realm only; a bad or expired token → ``invalid_token``."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, "unauthorized", "缺少访问令牌", {"WWW-Authenticate": _REALM})
    if not request.app[TOKENS_KEY].valid(token.strip()):
        return web.json_response(
            {"error": "invalid_token", "error_description": "访问令牌无效或已过期"},
            status=401,
            headers={"WWW-Authenticate": f'{_REALM}, error="invalid_token"'},
        )
    return await handler(request)


middlewares = (track_load, require_bearer)


# --- OAuth2 token endpoint ---------------------------------------------------------------------------------


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)  # RFC 6749 §2.3.1: form-encoded, then Basic


def _oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": error, "error_description": description}
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store", **(headers or {})})


async def token(request: web.Request) -> web.Response:
    """RFC 6749 §4.4.2–4.4.3 and §5.1–5.2."""
    if request.content_type != "application/x-www-form-urlencoded":
        return _oauth_error(400, "invalid_request", "body must be application/x-www-form-urlencoded")
    form = await request.post()
    basic = _basic_credentials(request.headers.get("Authorization", ""))
    in_form = "client_id" in form or "client_secret" in form
    if basic is not None and "client_secret" in form:
        return _oauth_error(400, "invalid_request", "use one client authentication method, not two")
    grant_type = form.get("grant_type")
    if not grant_type:
        return _oauth_error(400, "invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "only client_credentials is supported")
    if basic is not None:
        client_id, secret = basic
    elif in_form:
        client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
    else:
        return _oauth_error(
            401, "invalid_client", "client authentication required", {"WWW-Authenticate": 'Basic realm="grid"'}
        )
    tokens = request.app[TOKENS_KEY]
    if not tokens.client_ok(client_id, secret):
        headers = {"WWW-Authenticate": 'Basic realm="grid"'} if basic is not None else None
        return _oauth_error(401, "invalid_client", "client authentication failed", headers)
    issued = tokens.issue(client_id)
    return web.json_response(
        {"access_token": issued.value, "token_type": "Bearer", "expires_in": tokens.ttl_s},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


# --- events ------------------------------------------------------------------------------------------------


def _time(text: str | None, *, with_t: bool) -> str:
    if not text:
        return ""
    return text.replace(" ", "T") if with_t else text


def event_json(row: sqlite3.Row) -> dict[str, Any]:
    """One event as the legacy API writes it: mixed naming, ``""`` for nothing, coordinates as strings."""
    code = EVENT_CODES.get(row["main_type"] + row["sub_type"])
    return {
        "rec_id": row["rec_id"],
        "taskNum": row["task_num"],
        "eventSrc": row["event_src"],
        "event_src_id": SOURCES.get(row["event_src"], 0),
        "reporterName": row["reporter_name"],
        "reporterPhone": row["reporter_phone"],
        "gridUserName": row["grid_user_name"],
        "reflect_type": row["reflect_type"],
        "description": row["description"],
        "infotypename": "事件",
        "mainType": row["main_type"],
        "subType": row["sub_type"],
        "infobcname": code.main_name if code else "",
        "infoscname": code.sub_name if code else "",
        "cellGridCode": row["cell_grid_code"],
        "dutyGridCode": row["duty_grid_code"],
        "district_name": row["district_name"],
        "streetName": row["street_name"],
        "communityName": row["community_name"],
        "address": row["address"],
        "coordinateX": "" if row["coordinate_x"] is None else f"{row['coordinate_x']:.6f}",
        "coordinateY": "" if row["coordinate_y"] is None else f"{row['coordinate_y']:.6f}",
        "discoverTime": _time(row["discover_time"], with_t=True),
        "create_time": _time(row["create_time"], with_t=False),
        "registerTime": _time(row["register_time"], with_t=True),
        "dispatchTime": _time(row["dispatch_time"], with_t=True),
        "feedbackTime": _time(row["feedback_time"], with_t=True),
        "deadline": _time(row["deadline"], with_t=True),
        "limitHours": row["limit_hours"],
        "state": row["state"],
        "archiveType": row["archive_type"],
        "archive_time": _time(row["archive_time"], with_t=False),
        "cancel_time": _time(row["cancel_time"], with_t=False),
        "executeDeptCode": row["execute_dept_code"],
        "executeDeptName": row["execute_dept_name"],
        "secretFlag": row["secret_flag"],
    }


def event_detail(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    """One event with its links to other systems and its routing tier, as every answer carries it."""
    tiers = event_tiers(conn, row["task_num"])
    return event_json(row) | {
        "links": [
            {
                "system": r["system"],
                "number": r["number"],
                "kind": r["kind"],
                "linkTime": _time(r["link_time"], with_t=True),
            }
            for r in event_links(conn, row["task_num"])
        ],
        "routingTier": tiers[-1]["tier"] if tiers else TIERS[0],
        "tierHistory": [
            {"tier": r["tier"], "note": r["note"], "routeTime": _time(r["route_time"], with_t=True)} for r in tiers
        ],
    }


def _replayed(request: web.Request) -> web.Response | None:
    """A write whose ``X-Request-Id`` was seen before: nothing is written, the event is answered as it stands."""
    conn = request.app[DB_KEY]
    done = find_receipt(conn, request_id_of(request.headers))
    if done is None:
        return None
    row = get_event(conn, done)
    return (
        _error(404, "not_found", f"任务号 {done} 不存在") if row is None else web.json_response(event_detail(conn, row))
    )


def _int_param(request: web.Request, name: str, default: int) -> int | None:
    raw = request.query.get(name, "")
    if raw == "":
        return default
    return int(raw) if _DIGITS.match(raw) else None


async def list_handler(request: web.Request) -> web.Response:
    page, size = _int_param(request, "page", 1), _int_param(request, "size", 20)
    if page is None or page < 1:
        return _error(400, "invalid_request", "page 须为正整数")
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        return _error(400, "invalid_request", f"size 须在 1 到 {MAX_PAGE_SIZE} 之间")
    state = request.query.get("state") or None
    if state is not None and state not in STATES:
        return _error(400, "invalid_request", f"未知状态 {state}")
    grid_code = request.query.get("gridCode") or None
    if grid_code is not None and (not _DIGITS.match(grid_code) or len(grid_code) > 15):
        return _error(400, "invalid_request", "gridCode 须为不超过15位的数字")
    phone = _NON_DIGITS.sub("", request.query.get("phone", "")) or None
    keyword = request.query.get("keyword", "").strip() or None
    where = EventFilter(state=state, grid_code=grid_code, phone=phone, keyword=keyword)
    total, rows = list_events(request.app[DB_KEY], where, page=page, size=size)
    conn = request.app[DB_KEY]
    items = [event_detail(conn, r) for r in rows]
    return web.json_response({"total": total, "page": page, "size": size, "items": items})


async def get_handler(request: web.Request) -> web.Response:
    task_num = request.match_info["taskNum"]
    request.app[LOAD_KEY].reads[task_num] += 1
    row = get_event(request.app[DB_KEY], task_num)
    if row is None:
        return _error(404, "not_found", f"任务号 {task_num} 不存在")
    return web.json_response(event_detail(request.app[DB_KEY], row))


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return None


async def report_handler(request: web.Request) -> web.Response:
    """上报: a new event. Required: eventSrc, description, mainType+subType, cellGridCode (15 digits). Optional
    ``links``: ``[{system, number, kind}]`` (the 12345 order a 网格直办 event comes from)."""
    replayed = _replayed(request)
    if replayed is not None:
        return replayed
    body = await _json_body(request)
    if body is None:
        return _error(400, "invalid_request", "请求体须为 JSON 对象")
    source = body.get("eventSrc")
    if source not in SOURCES:
        return _error(400, "invalid_request", f"eventSrc 须为 {'/'.join(SOURCES)} 之一")
    description = str(body.get("description") or "").strip()
    if not description:
        return _error(400, "invalid_request", "description 不能为空")
    main_type, sub_type = str(body.get("mainType") or ""), str(body.get("subType") or "")
    if main_type + sub_type not in EVENT_CODES:
        return _error(400, "invalid_request", f"未知事件类型 {main_type}/{sub_type}")
    cell = str(body.get("cellGridCode") or "")
    if not (_DIGITS.match(cell) and len(cell) == 15):
        return _error(400, "invalid_request", "cellGridCode 须为15位单元网格编码")
    phone = _NON_DIGITS.sub("", str(body.get("reporterPhone") or ""))
    if source in PUBLIC_SOURCES and not phone:
        return _error(400, "invalid_request", "公众/12345热线上报须填写 reporterPhone")
    discover = body.get("discoverTime")
    discover_time = _parse_time(discover)
    if discover and discover_time is None:
        return _error(400, "invalid_request", "discoverTime 格式应为 yyyy-MM-ddTHH:mm:ss")
    fields: dict[str, Any] = {
        "event_src": source,
        "reporter_name": str(body.get("reporterName") or ""),
        "reporter_phone": phone,
        "grid_user_name": str(body.get("gridUserName") or ""),
        "reflect_type": str(body.get("reflect_type") or ""),
        "description": description,
        "main_type": main_type,
        "sub_type": sub_type,
        "cell_grid_code": cell,
        "duty_grid_code": str(body.get("dutyGridCode") or ""),
        "street_name": body.get("streetName") or None,
        "community_name": body.get("communityName") or None,
        "address": str(body.get("address") or ""),
        "discover_time": discover_time,
    }
    for key, column in (("coordinateX", "coordinate_x"), ("coordinateY", "coordinate_y")):
        try:
            fields[column] = float(body[key]) if body.get(key) not in (None, "") else None
        except (TypeError, ValueError):
            return _error(400, "invalid_request", f"{key} 须为数字")
    links = _links(body.get("links") or [])
    if links is None:
        return _error(400, "invalid_request", "links 须为 [{system, number, kind}]")
    conn = request.app[DB_KEY]
    row = insert_event(conn, fields, request.app[CLOCK_KEY](), request_id=request_id_of(request.headers), links=links)
    return web.json_response(event_detail(conn, row), status=201)


def _links(raw: Any) -> tuple[tuple[str, str, str], ...] | None:
    if not isinstance(raw, list):
        return None
    out = []
    for item in raw:
        if not isinstance(item, dict):
            return None
        parts = tuple(str(item.get(k) or "").strip() for k in ("system", "number", "kind"))
        if not all(parts):
            return None
        out.append((parts[0], parts[1], parts[2]))
    return tuple(out)


async def action_handler(request: web.Request) -> web.Response:
    replayed = _replayed(request)
    if replayed is not None:
        return replayed
    body = await _json_body(request)
    if body is None:
        return _error(400, "invalid_request", "请求体须为 JSON 对象")
    action = body.get("action")
    if action not in ACTIONS:
        return _error(400, "invalid_request", f"action 须为 {'/'.join(ACTIONS)} 之一")
    dept: tuple[str, str] | None = None
    if action == "dispatch":
        name = str(body.get("executeDept") or "").strip()
        if not name:
            return _error(400, "invalid_request", "派遣须指定处置部门 executeDept")
        dept = (str(body.get("executeDeptCode") or ""), name)
    archive_type = body.get("archiveType") or None
    passed = body.get("passed", True)
    if not isinstance(passed, bool):
        return _error(400, "invalid_request", "passed 须为布尔值")
    try:
        row = apply_action(
            request.app[DB_KEY],
            request.match_info["taskNum"],
            action,
            request.app[CLOCK_KEY](),
            execute_dept=dept,
            archive_type=None if archive_type is None else str(archive_type),
            passed=passed,
            request_id=request_id_of(request.headers),
        )
    except WorkflowError as exc:
        return _error(409, "invalid_transition", str(exc))
    except ValueError as exc:
        return _error(400, "invalid_request", str(exc))
    if row is None:
        return _error(404, "not_found", f"任务号 {request.match_info['taskNum']} 不存在")
    return web.json_response(event_detail(request.app[DB_KEY], row))


async def link_handler(request: web.Request) -> web.Response:
    """关联 ``{system, number, kind}``: link the event to a record of another system (kept once)."""
    replayed = _replayed(request)
    if replayed is not None:
        return replayed
    body = await _json_body(request)
    links = _links([body]) if body is not None else None
    if not links:
        return _error(400, "invalid_request", "须填写 system、number 与 kind")
    conn = request.app[DB_KEY]
    task_num = request.match_info["taskNum"]
    row = add_link(conn, task_num, links[0], request.app[CLOCK_KEY](), request_id=request_id_of(request.headers))
    if row is None:
        return _error(404, "not_found", f"任务号 {task_num} 不存在")
    return web.json_response(event_detail(conn, row))


async def tier_handler(request: web.Request) -> web.Response:
    """转办 ``{tier, note}``: move an open event up the tiers 网格直办 → 镇街主办 → 部门联办."""
    replayed = _replayed(request)
    if replayed is not None:
        return replayed
    body = await _json_body(request)
    if body is None or body.get("tier") not in TIERS:
        return _error(400, "invalid_request", f"tier 须为 {'/'.join(TIERS)} 之一")
    conn = request.app[DB_KEY]
    task_num = request.match_info["taskNum"]
    try:
        row = route_tier(
            conn,
            task_num,
            str(body["tier"]),
            str(body.get("note") or ""),
            request.app[CLOCK_KEY](),
            request_id=request_id_of(request.headers),
        )
    except WorkflowError as exc:
        return _error(409, "invalid_transition", str(exc))
    if row is None:
        return _error(404, "not_found", f"任务号 {task_num} 不存在")
    return web.json_response(event_detail(conn, row))


# --- admin -------------------------------------------------------------------------------------------------


async def expire_tokens(request: web.Request) -> web.Response:
    return web.json_response({"expired": request.app[TOKENS_KEY].expire_all()})


def _load_json(load: LoadTracker) -> dict[str, Any]:
    return {
        "in_flight": load.in_flight,
        "max_in_flight": load.max_in_flight,
        "hold_ms": load.hold_ms,
        "reads": dict(load.reads),
    }


async def get_load(request: web.Request) -> web.Response:
    return web.json_response(_load_json(request.app[LOAD_KEY]))


async def reset_load(request: web.Request) -> web.Response:
    """Zero the counters; ``{"hold_ms": n}`` also sets the hold time (default 0)."""
    body = await _json_body(request) if request.can_read_body else {}
    hold = (body or {}).get("hold_ms", 0)
    if not isinstance(hold, int) or isinstance(hold, bool) or not 0 <= hold <= 10_000:
        return _error(400, "invalid_request", "hold_ms must be an integer between 0 and 10000")
    load = request.app[LOAD_KEY]
    load.max_in_flight, load.hold_ms = load.in_flight, hold
    load.reads.clear()
    return web.json_response(_load_json(load))


routes = (
    web.post("/oauth/token", token),
    web.get("/api/v1/events", list_handler),
    web.post("/api/v1/events", report_handler),
    web.get("/api/v1/events/{taskNum}", get_handler),
    web.post("/api/v1/events/{taskNum}/actions", action_handler),
    web.post("/api/v1/events/{taskNum}/links", link_handler),
    web.post("/api/v1/events/{taskNum}/tier", tier_handler),
    web.post("/_admin/expire-tokens", expire_tokens),
    web.get("/_admin/load", get_load),
    web.post("/_admin/load", reset_load),
)
