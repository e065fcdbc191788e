"""The hotline stand-in's endpoints (all answer HTTP 200; the outcome is in the body, see :mod:`.protocol`).

=======================================  =============================================================
``POST /api/auth/login {yhm, mm}``       ``{token, expire}``; wrong credentials → code 500
``POST /api/auth/logout``                ends the session
``GET  /api/gd/list``                    ``pageNum`` (1-based), ``pageSize`` (≤ 100), filters ``zt`` (city states,
                                         comma-separated), ``zbdwzt`` (lead unit state), ``lxdh`` (联系电话 or
                                         来电号码), ``zjhm``, ``gjz`` (text in 标题/内容/地址), ``sqlx``
                                         → ``{total, rows}``, newest call first
``GET  /api/gd/batch?gdbh=a,b,c``        at most 100 numbers → ``{total, rows}``; unknown numbers are skipped
``GET  /api/gd/{gdbh}``                  one work order; unknown → code 404
``GET  /api/dw/list``                    the handling units (承办单位)
``POST /api/gd``                         登记 (register): ``zc=1`` saves a draft, ``zjdf=1`` + ``dfnr`` answers a 咨询;
                                         ``zxgh`` 坐席工号 of the registering operator (default: the acting user)
``POST /api/gd/{gdbh}/{action}``         sl 受理 · zf 作废 {yy} · pd 派单 {cbdw, xbdw[], pdyj} · qs 签收 {dwbm}
                                         · td 退单 {dwbm, tdyy} · tdsh 退单审核 {dwbm, ty, yj} · yq 延期 {dwbm,
                                         yqts, yqyy} · yqsp 延期审批 {dwbm, ty, yj} · df 答复 {dwbm, dfnr}
                                         · sh 审核 {tg, shyj} · hf 回访 {sfmy, hfyj} · bj 办结 {bjlx}
                                         · db 督办 {dbyj, hfsx} · cb 催办 {cbyj} · gl 关联 {xt, bh, gllx}
=======================================  =============================================================

Every ``/api`` route but login needs the ``X-Session-Token`` header. An action the workflow does not allow in the
current state answers code 400 with the reason. A write (``POST /api/gd``, ``POST /api/gd/{gdbh}/{action}``) may
carry ``X-Request-Id``: a second request with the same id writes nothing and answers the order as it stands
(:mod:`legacy.receipts`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from legacy.hotline import workflow
from legacy.hotline.limits import TimeLimits
from legacy.hotline.model import APPEAL_KINDS, CityState, Ticket, UnitState
from legacy.hotline.protocol import (
    BadRequest,
    fail,
    flag,
    integer,
    ok,
    optional_text,
    required_text,
    ticket_json,
    wire_time,
)
from legacy.hotline.sessions import SessionStore
from legacy.hotline.store import HotlineStore, TicketQuery, parse_time
from legacy.receipts import request_id_of
from legacy.standin import ACTING_HEADER

__all__ = ["MAX_BATCH", "MAX_PAGE_SIZE", "SERVICE_ACCOUNT", "HotlineApi"]

MAX_BATCH = 100
MAX_PAGE_SIZE = 100
SERVICE_ACCOUNT = ("minyi-service", "minyi-service-pass")
SESSION_HEADER = "X-Session-Token"
_ORDER_NO = re.compile(r"^\d{14}$")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_URGENCY = ("一般", "紧急", "特急")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Action = Callable[[Ticket, datetime, dict[str, Any]], Ticket]


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("请求参数格式错误") from None
    if not isinstance(body, dict):
        raise BadRequest("请求参数格式错误")
    return body


class HotlineApi:
    """The protocol routes over one store, one session table and one set of time limits."""

    def __init__(
        self,
        store: HotlineStore,
        sessions: SessionStore,
        limits: TimeLimits,
        accounts: dict[str, str] | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.limits = limits
        self.accounts = accounts if accounts is not None else dict([SERVICE_ACCOUNT])
        self.clock = clock
        self._actions: dict[str, Action] = {
            "sl": lambda t, now, b: workflow.accept(t, now),
            "zf": lambda t, now, b: workflow.invalidate(t, now, optional_text(b, "yy")),
            "pd": self._dispatch,
            "qs": lambda t, now, b: workflow.sign(t, now, required_text(b, "dwbm", "单位编码")),
            "td": lambda t, now, b: workflow.request_return(
                t, now, required_text(b, "dwbm", "单位编码"), optional_text(b, "tdyy"), self.limits
            ),
            "tdsh": lambda t, now, b: workflow.decide_return(
                t, now, required_text(b, "dwbm", "单位编码"), flag(b, "ty"), optional_text(b, "yj")
            ),
            "yq": lambda t, now, b: workflow.request_extension(
                t,
                now,
                required_text(b, "dwbm", "单位编码"),
                integer(b, "yqts", "延期天数"),
                optional_text(b, "yqyy"),
                self.limits,
            ),
            "yqsp": lambda t, now, b: workflow.decide_extension(
                t, now, required_text(b, "dwbm", "单位编码"), flag(b, "ty"), optional_text(b, "yj")
            ),
            "df": lambda t, now, b: workflow.reply(
                t, now, required_text(b, "dwbm", "单位编码"), optional_text(b, "dfnr")
            ),
            "sh": lambda t, now, b: workflow.audit(t, now, flag(b, "tg"), optional_text(b, "shyj")),
            "hf": lambda t, now, b: workflow.callback(t, now, flag(b, "sfmy"), optional_text(b, "hfyj")),
            "bj": lambda t, now, b: workflow.close(t, now, optional_text(b, "bjlx")),
            "db": lambda t, now, b: workflow.supervise(t, now, optional_text(b, "dbyj"), _time_param(b, "hfsx")),
            "cb": lambda t, now, b: workflow.urge(t, now, optional_text(b, "cbyj")),
            "gl": lambda t, now, b: workflow.link(
                t,
                now,
                required_text(b, "xt", "系统"),
                required_text(b, "bh", "编号"),
                required_text(b, "gllx", "关联类型"),
            ),
        }

    def routes(self) -> list[web.RouteDef]:
        guard = self._guarded
        return [
            web.post("/api/auth/login", self.login),
            web.post("/api/auth/logout", guard(self.logout)),
            web.get("/api/gd/list", guard(self.list_tickets)),
            web.get("/api/gd/batch", guard(self.batch)),
            web.get("/api/dw/list", guard(self.units)),
            web.post("/api/gd", guard(self.register)),
            web.get(r"/api/gd/{gdbh}", guard(self.detail)),
            web.post(r"/api/gd/{gdbh}/{action}", guard(self.act)),
        ]

    def _guarded(self, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            token = request.headers.get(SESSION_HEADER, "")
            if not token or self.sessions.check(token) is None:
                return fail(401, "会话已过期")
            try:
                return await handler(request)
            except BadRequest as exc:
                return fail(400, str(exc))
            except workflow.WorkflowError as exc:
                return fail(400, str(exc))

        return guarded

    async def login(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await _body(request)
        except BadRequest as exc:
            return fail(400, str(exc))
        user, password = body.get("yhm"), body.get("mm")
        if not isinstance(user, str) or not isinstance(password, str) or self.accounts.get(user) != password:
            return fail(500, "用户名或密码错误")
        session = self.sessions.open(user)
        return ok({"token": session.token, "expire": wire_time(session.expires_wall)})

    async def logout(self, request: web.Request) -> web.StreamResponse:
        self.sessions.close(request.headers.get(SESSION_HEADER, ""))
        return ok(None)

    async def list_tickets(self, request: web.Request) -> web.StreamResponse:
        q = request.query
        page_num = _int_param(q.get("pageNum", "1"), "pageNum")
        page_size = _int_param(q.get("pageSize", "10"), "pageSize")
        if page_num < 1:
            raise BadRequest("pageNum须大于0")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise BadRequest(f"pageSize须在1至{MAX_PAGE_SIZE}之间")
        states = tuple(s for s in q.get("zt", "").split(",") if s)
        unknown = [s for s in states if s not in CityState._value2member_map_]
        if unknown:
            raise BadRequest(f"未知状态：{'、'.join(unknown)}")
        lead_state = q.get("zbdwzt", "")
        if lead_state and lead_state not in UnitState._value2member_map_:
            raise BadRequest(f"未知单位状态：{lead_state}")
        kind = q.get("sqlx", "")
        if kind and kind not in APPEAL_KINDS:
            raise BadRequest(f"未知诉求类型：{kind}")
        query = TicketQuery(
            states=states,
            lead_state=lead_state,
            phone=q.get("lxdh", "").replace("-", "").strip(),
            id_number=q.get("zjhm", "").strip().upper(),
            text=q.get("gjz", "").strip(),
            kind=kind,
        )
        total, rows = self.store.search(query, page_num, page_size)
        return ok({"total": total, "rows": [ticket_json(t) for t in rows]})

    async def batch(self, request: web.Request) -> web.StreamResponse:
        numbers = list(dict.fromkeys(n.strip() for n in request.query.get("gdbh", "").split(",") if n.strip()))
        if not numbers:
            raise BadRequest("工单编号(gdbh)不能为空")
        if len(numbers) > MAX_BATCH:
            raise BadRequest(f"单次最多查询{MAX_BATCH}个工单")
        rows = self.store.get_many(numbers)
        return ok({"total": len(rows), "rows": [ticket_json(t) for t in rows]})

    async def detail(self, request: web.Request) -> web.StreamResponse:
        ticket = self._find(request.match_info["gdbh"])
        if ticket is None:
            return fail(404, "工单不存在")
        return ok(ticket_json(ticket))

    async def units(self, request: web.Request) -> web.StreamResponse:
        rows = [{"dwbm": u.code, "dwmc": u.name, "dwlx": u.kind, "xzqh": u.district_code} for u in self.store.units()]
        return ok({"total": len(rows), "rows": rows})

    def _replayed(self, request: web.Request) -> web.StreamResponse | None:
        """The answer to a write whose request id was seen before: the order as it stands, nothing written."""
        done = self.store.receipt(request_id_of(request.headers))
        if done is None:
            return None
        ticket = self.store.get(done)
        return fail(404, "工单不存在") if ticket is None else ok(ticket_json(ticket))

    async def register(self, request: web.Request) -> web.StreamResponse:
        replayed = self._replayed(request)
        if replayed is not None:
            return replayed
        body = await _body(request)
        now = self.clock().replace(microsecond=0)
        phone = required_text(body, "lxdh", "联系电话")
        if not _PHONE.match(phone):
            raise BadRequest("联系电话格式不正确")
        caller_number = optional_text(body, "ldhm") or phone
        if not _PHONE.match(caller_number):
            raise BadRequest("来电号码格式不正确")
        kind = required_text(body, "sqlx", "诉求类型")
        urgency = optional_text(body, "jjcd", "一般") or "一般"
        if urgency not in _URGENCY:
            raise BadRequest(f"紧急程度须为{'/'.join(_URGENCY)}之一")
        category = body.get("wtfl") or {}
        if not isinstance(category, dict):
            raise BadRequest("问题分类(wtfl)须为{dm, mc}")
        sex = optional_text(body, "ldrxb")
        if sex not in ("", "男", "女"):
            raise BadRequest("来电人性别须为男或女")
        order_no = self.store.next_order_no(now)
        draft = Ticket(
            order_no=order_no,
            tracking_no="RX" + order_no[2:],
            query_code=order_no[-4:],
            caller_name=optional_text(body, "ldr") or "匿名",
            caller_sex=sex,
            contact_phone=phone.replace("-", ""),
            caller_number=caller_number,
            id_number=optional_text(body, "zjhm").upper(),
            channel=optional_text(body, "slqd", "电话") or "电话",
            title=required_text(body, "bt", "标题"),
            content=required_text(body, "nr", "内容"),
            kind=kind,
            category_code=str(category.get("dm") or "9999"),
            category_name=str(category.get("mc") or "其他/其他"),
            urgency=urgency,
            address=optional_text(body, "sfdz"),
            admin_code=optional_text(body, "xzqh"),
            grid_code=optional_text(body, "wgbm"),
            is_secret=flag(body, "sfbm"),
            called_at=now,
            state=CityState.DRAFT,
            operator_id=optional_text(body, "zxgh") or request.headers.get(ACTING_HEADER, ""),
            accused=optional_text(body, "bfyr"),
        )
        answer = optional_text(body, "dfnr") if flag(body, "zjdf") else ""
        if flag(body, "zjdf") and not answer:
            raise BadRequest("直接答复须填写答复内容(dfnr)")
        ticket = workflow.register(draft, now, draft=flag(body, "zc"), direct_answer=answer)
        self.store.save(ticket, receipt=(request_id_of(request.headers), "登记", now))
        return ok(ticket_json(ticket))

    async def act(self, request: web.Request) -> web.StreamResponse:
        action = self._actions.get(request.match_info["action"])
        if action is None:
            return fail(404, f"未知操作：{request.match_info['action']}")
        replayed = self._replayed(request)
        if replayed is not None:
            return replayed
        body = await _body(request)
        ticket = self._find(request.match_info["gdbh"])
        if ticket is None:
            return fail(404, "工单不存在")
        now = self.clock().replace(microsecond=0)
        moved = action(ticket, now, body)
        self.store.save(moved, receipt=(request_id_of(request.headers), request.match_info["action"], now))
        return ok(ticket_json(moved))

    def _dispatch(self, ticket: Ticket, now: datetime, body: dict[str, Any]) -> Ticket:
        lead = self._known_unit(required_text(body, "cbdw", "主办单位"))
        co_raw = body.get("xbdw") or []
        if not isinstance(co_raw, list) or not all(isinstance(c, str) for c in co_raw):
            raise BadRequest("协办单位(xbdw)须为单位编码列表")
        co = [self._known_unit(c) for c in co_raw]
        return workflow.dispatch(ticket, now, lead, co, self.limits, optional_text(body, "pdyj"))

    def _known_unit(self, code: str) -> tuple[str, str]:
        unit = self.store.unit(code)
        if unit is None:
            raise BadRequest(f"单位不存在：{code}")
        return unit.code, unit.name

    def _find(self, order_no: str) -> Ticket | None:
        return self.store.get(order_no) if _ORDER_NO.match(order_no) else None


def _time_param(body: dict[str, Any], name: str) -> datetime | None:
    text = optional_text(body, name)
    try:
        return parse_time(text)
    except ValueError:
        raise BadRequest(f"参数{name}须为 YYYY-MM-DD HH:MM:SS") from None


def _int_param(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"参数{name}须为整数") from None
