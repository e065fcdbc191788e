"""The 12345 hotline adapter: session login, batch reads, paged search; pinyin fields become domain names here.

Protocol (see :mod:`legacy.hotline` for the stand-in): JSON over HTTP, every answer HTTP 200 with
``{"code": 0, "data": ...}`` or ``{"code": C, "msg": ...}``.

- ``POST /api/auth/login {yhm, mm}`` → ``{token, expire}``; the token goes in the ``X-Session-Token`` header.
  Sessions expire (30 min by default) and an expired or unknown token is answered ``{"code": 401}``: the client
  then logs in again **once** and retries; a second 401 is :class:`LegacyAuthError`. Concurrent callers share
  one login and one re-login.
- ``GET /api/gd/batch?gdbh=a,b,c`` reads at most 100 orders: :meth:`HotlineClient.get_many` splits the ids
  into chunks of ``options.batch_size`` and sends the chunks in parallel (bounded by the HTTP semaphore).
- ``GET /api/gd/list`` with ``pageNum``/``pageSize`` (≤ 100) and filters: :meth:`HotlineClient.list_tickets`
  turns an offset and a limit into one page request (two when the offset is not on any page boundary).
- Writes: ``POST /api/gd`` registers (:meth:`HotlineClient.register`), ``POST /api/gd/{gdbh}/{action}`` moves an
  order along the workflow (:meth:`HotlineClient.act`); both carry ``X-Request-Id`` when the caller gives one, and
  the hotline answers a repeated id with the order as it stands, writing nothing. ``GET /api/dw/list`` lists the
  handling units (:meth:`HotlineClient.units`).

Errors: code 401 twice → ``LegacyAuthError``; login refused → ``LegacyAuthError``; code 404 → ``LegacyNotFound``;
other codes → ``LegacyRejected``; a body that is not the envelope, or a work order missing fields, →
``LegacyProtocolError``; transport failures and 5xx → ``LegacyUnavailable`` (from :class:`LegacyHttp`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auth.broker import CredentialBroker, Issued, ServiceCredentials
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
)
from resolvers.adapters.http import REQUEST_ID_HEADER, AdapterOptions, HttpAnswer, LegacyHttp
from resolvers.adapters.links import RecordLink
from resolvers.domain import AppealType, UnifiedStatus, UnitRef, parse_legacy_datetime
from resolvers.hotline_status import StatusFilter, unified_status

__all__ = [
    "SYSTEM",
    "HotlineClient",
    "HotlineEvent",
    "HotlinePage",
    "HotlineTicketRecord",
    "HotlineUnitAssignment",
    "ticket_from_legacy",
]

SYSTEM = "hotline"
SESSION_HEADER = "X-Session-Token"
MAX_PAGE = 100
RETURNED = "已退单"  # the unit state of a unit whose return (退单) was approved

_APPEAL_TYPES = {
    "咨询": AppealType.CONSULT,
    "求助": AppealType.HELP,
    "投诉": AppealType.COMPLAINT,
    "举报": AppealType.REPORT,
    "建议": AppealType.SUGGESTION,
    "表扬": AppealType.PRAISE,
}
_ROLES = {"主办": "LEAD", "协办": "CO"}


@dataclass(frozen=True, slots=True)
class HotlineUnitAssignment:
    """One unit's share of a work order (单位办理情况)."""

    unit: UnitRef
    role: str  # LEAD (主办) | CO (协办, 会办)
    state: str  # 单位状态 as the hotline says it: 待签收, 办理中, 延期申请中, 退单申请中, 已回复, 已退单
    dispatched_at: datetime | None
    sign_deadline: datetime | None  # 签收截止
    deadline: datetime | None  # 办理截止
    signed_at: datetime | None
    replied_at: datetime | None
    reply: str
    return_reason: str  # 退单原因
    extension_days: int  # 延期 working days asked
    extension_reason: str


@dataclass(frozen=True, slots=True)
class HotlineEvent:
    """One line of the flow log (流转记录)."""

    at: datetime
    action: str  # 登记, 受理, 派单, 签收, 退单申请, 退单审核, 延期申请, 延期审批, 答复, 审核, 回访, 办结, 作废
    unit: str
    note: str


@dataclass(frozen=True, slots=True)
class HotlineTicketRecord:
    """A 12345 work order (工单) in domain terms (DOMAIN.md §2.1)."""

    order_no: str  # 工单编号
    tracking_no: str  # 流水号, citizen-facing
    caller_name: str  # 来电人
    caller_sex: str  # 男 | 女 | ""
    contact_phone: str  # 联系电话 (PII)
    caller_phone: str  # 来电号码 (PII; may be a landline)
    id_number: str  # 证件号码 (PII), often empty
    source_channel: str  # 受理渠道: 电话/网站/微信/APP
    title: str
    content: str
    appeal_type: AppealType  # 诉求类型
    category_code: str  # 问题分类
    category_name: str  # "大类/小类"
    urgency: str  # 紧急程度: 一般/紧急/特急
    address: str  # 事发地址
    admin_code: str  # 行政区划, 12 digits
    grid_code: str  # 网格编码, 15 digits, or ""
    is_secret: bool  # 是否保密
    registered_by: str  # 坐席工号: the operator (登记人) who registered it, "" when unknown
    call_time: datetime  # 来电时间
    accepted_at: datetime | None  # 受理时间
    dispatch_time: datetime | None  # 派单时间
    time_limit: int | None  # 办理时限
    time_unit: str  # 工作日 | 小时
    deadline: datetime | None  # 办理截止时间
    city_state: str  # 市级状态, raw
    status: UnifiedStatus
    lead_unit: UnitRef | None  # 主办单位
    co_units: tuple[UnitRef, ...]  # 协办单位 (会办)
    units: tuple[HotlineUnitAssignment, ...]  # every unit ever assigned, returned ones included
    return_count: int  # 退单次数
    extension_count: int  # 延期次数
    rehandle_count: int  # 重办次数
    direct_answer: bool  # 直接答复
    reply_time: datetime | None  # 答复时间
    reply_content: str  # 答复内容 (the consolidated or direct reply)
    audit_opinion: str  # 审核意见
    callback_count: int  # 回访次数
    callback_time: datetime | None  # 回访时间
    callback_satisfied: bool | None  # 回访是否满意
    callback_opinion: str
    complete_time: datetime | None  # 办结时间
    history: tuple[HotlineEvent, ...]
    accused: str = ""  # 被反映人/单位 bfyr: read only for the access rules (the accused never sees it), never shown
    closure: str = ""  # 办结类型 (三级办结): 阶段性办结 / 程序性办结 / 实质性办结, "" when not given
    links: tuple[RecordLink, ...] = ()  # 关联记录: grid events (网格直办), petitions (重合件), duplicates

    @property
    def lead_state(self) -> str | None:
        return _lead_state(self.units)


@dataclass(frozen=True, slots=True)
class HotlinePage:
    total: int
    records: tuple[HotlineTicketRecord, ...]


class _Bad(Exception):
    pass


def _lead_state(units: Sequence[HotlineUnitAssignment]) -> str | None:
    """The state of the lead unit still holding the order (a returned lead is history)."""
    return next((u.state for u in units if u.role == "LEAD" and u.state != RETURNED), None)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise _Bad(f"{key} is not text")


def _time(raw: Mapping[str, Any], key: str) -> datetime | None:
    text = _text(raw, key)
    if not text:
        return None
    try:
        return parse_legacy_datetime(text)
    except ValueError:
        raise _Bad(f"{key} is not a YYYY-MM-DD HH:MM:SS date: {text!r}") from None


def _int(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(f"{key} is not a number")
    try:
        return int(value)
    except ValueError:
        raise _Bad(f"{key} is not a number: {value!r}") from None


def _unit_ref(raw: Any) -> UnitRef:
    if not isinstance(raw, Mapping) or not raw.get("dwbm"):
        raise _Bad("unit without dwbm")
    return UnitRef(code=_text(raw, "dwbm"), name=_text(raw, "dwmc"))


def _list(raw: Mapping[str, Any], key: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(f"{key} is not a list")
    return value


def _assignment(raw: Any) -> HotlineUnitAssignment:
    if not isinstance(raw, Mapping):
        raise _Bad("dwzt entry is not an object")
    role = _ROLES.get(_text(raw, "js"))
    if role is None:
        raise _Bad(f"unknown unit role {raw.get('js')!r}")
    return HotlineUnitAssignment(
        unit=_unit_ref(raw),
        role=role,
        state=_text(raw, "zt"),
        dispatched_at=_time(raw, "pdsj"),
        sign_deadline=_time(raw, "qsjzsj"),
        deadline=_time(raw, "jzsj"),
        signed_at=_time(raw, "qssj"),
        replied_at=_time(raw, "dfsj"),
        reply=_text(raw, "dfnr"),
        return_reason=_text(raw, "tdyy"),
        extension_days=_int(raw, "yqts"),
        extension_reason=_text(raw, "yqyy"),
    )


def _event(raw: Any) -> HotlineEvent:
    if not isinstance(raw, Mapping):
        raise _Bad("lzjl entry is not an object")
    at = _time(raw, "czsj")
    if at is None:
        raise _Bad("lzjl entry without czsj")
    return HotlineEvent(at=at, action=_text(raw, "czlx"), unit=_text(raw, "czdw"), note=_text(raw, "czsm"))


def _link(raw: Any) -> RecordLink:
    if not isinstance(raw, Mapping) or not raw.get("xt") or not raw.get("bh"):
        raise _Bad("gljl entry without xt/bh")
    return RecordLink(system=_text(raw, "xt"), number=_text(raw, "bh"), kind=_text(raw, "gllx"), at=_time(raw, "glsj"))


def _satisfied(raw: Mapping[str, Any]) -> bool | None:
    value = _text(raw, "sfmy")
    if value == "":
        return None
    if value not in ("0", "1"):
        raise _Bad(f"sfmy is {value!r}")
    return value == "1"


def ticket_from_legacy(raw: Any) -> HotlineTicketRecord:
    """The one place where hotline field names (pinyin abbreviations) become domain names."""
    order_no = raw.get("gdbh") if isinstance(raw, Mapping) else None
    if not isinstance(order_no, str) or not order_no:
        raise LegacyProtocolError(SYSTEM, "work order without gdbh")
    try:
        kind = _text(raw, "sqlx")
        appeal_type = _APPEAL_TYPES.get(kind)
        if appeal_type is None:
            raise _Bad(f"unknown sqlx {kind!r}")
        call_time = _time(raw, "ldsj")
        if call_time is None:
            raise _Bad("ldsj missing")
        category = raw.get("wtfl") or {}
        if not isinstance(category, Mapping):
            raise _Bad("wtfl is not an object")
        lead = raw.get("cbdw")
        units = tuple(_assignment(u) for u in _list(raw, "dwzt"))
        city_state = _text(raw, "zt")
        try:
            status = unified_status(city_state, _lead_state(units))
        except ValueError as exc:
            raise _Bad(str(exc)) from None
        time_limit = _int(raw, "blsx")
        return HotlineTicketRecord(
            order_no=order_no,
            tracking_no=_text(raw, "lsh") or order_no,
            caller_name=_text(raw, "ldr"),
            caller_sex=_text(raw, "ldrxb"),
            contact_phone=_text(raw, "lxdh"),
            caller_phone=_text(raw, "ldhm"),
            id_number=_text(raw, "zjhm"),
            source_channel=_text(raw, "slqd"),
            title=_text(raw, "bt"),
            content=_text(raw, "nr"),
            appeal_type=appeal_type,
            category_code=_text(category, "dm"),
            category_name=_text(category, "mc"),
            urgency=_text(raw, "jjcd"),
            address=_text(raw, "sfdz"),
            admin_code=_text(raw, "xzqh"),
            grid_code=_text(raw, "wgbm"),
            is_secret=_int(raw, "sfbm") == 1,
            registered_by=_text(raw, "zxgh"),
            accused=_text(raw, "bfyr"),
            call_time=call_time,
            accepted_at=_time(raw, "slsj"),
            dispatch_time=_time(raw, "pdsj"),
            time_limit=time_limit or None,
            time_unit=_text(raw, "sxdw"),
            deadline=_time(raw, "jzsj"),
            city_state=city_state,
            status=status,
            lead_unit=None if lead is None else _unit_ref(lead),
            co_units=tuple(_unit_ref(u) for u in _list(raw, "xbdw")),
            units=units,
            return_count=_int(raw, "thcs"),
            extension_count=_int(raw, "yqcs"),
            rehandle_count=_int(raw, "cbcs"),
            direct_answer=_int(raw, "zjdf") == 1,
            reply_time=_time(raw, "dfsj"),
            reply_content=_text(raw, "dfnr"),
            audit_opinion=_text(raw, "shyj"),
            callback_count=_int(raw, "hfcs"),
            callback_time=_time(raw, "hfsj"),
            callback_satisfied=_satisfied(raw),
            callback_opinion=_text(raw, "hfyj"),
            complete_time=_time(raw, "bjsj"),
            history=tuple(_event(e) for e in _list(raw, "lzjl")),
            closure=_text(raw, "bjlx"),
            links=tuple(_link(lk) for lk in _list(raw, "gljl")),
        )
    except _Bad as exc:
        raise LegacyProtocolError(SYSTEM, f"work order {order_no}: {exc}") from None


def page_plan(offset: int, limit: int, max_page: int = MAX_PAGE) -> tuple[int, int, int]:
    """``(page_size, first_page, pages)`` covering ``[offset, offset + limit)`` with 1-based pages.

    One page when some page size between ``limit`` and ``max_page`` has the whole window on one page (always
    the case when callers keep the same ``limit``), otherwise two pages of ``limit``.
    """
    if offset < 0 or not 1 <= limit <= max_page:
        raise ValueError("offset >= 0 and 1 <= limit <= max_page")
    for size in range(limit, max_page + 1):
        start = offset - offset % size
        if offset + limit <= start + size:
            return size, start // size + 1, 1
    return limit, offset // limit + 1, 2


class HotlineClient:
    """One per process: the HTTP client and the hotline session, which the credential broker keeps
    (:mod:`auth.broker`: one login for all callers, one re-login on code 401). Without a ``broker`` the service
    account of ``options`` (``username``/``password`` → ``yhm``/``mm``) gets a broker of its own. Each call
    carries the acting user (``X-Acting-User``) of the request it is made for."""

    system = SYSTEM

    def __init__(self, options: AdapterOptions, *, broker: CredentialBroker | None = None) -> None:
        self.options = options
        self.http = LegacyHttp(SYSTEM, options)
        self.broker = broker or CredentialBroker.single(SYSTEM, options.username, options.password)
        self.session = self.broker.session(SYSTEM, self._login)

    # -- session ---------------------------------------------------------------------------------------------

    async def login(self) -> str:
        """Log in with the service account now; returns the new session token."""
        self.session.forget()
        return await self.session.current()

    async def _login(self, credentials: ServiceCredentials) -> Issued:
        answer = await self.http.request(
            "POST", "/api/auth/login", json={"yhm": credentials.username, "mm": credentials.secret}
        )
        body = self._envelope(answer, "/api/auth/login")
        if body["code"] != 0:
            raise LegacyAuthError(SYSTEM, f"login refused: {body.get('msg', '')}")
        data = body.get("data")
        token = data.get("token") if isinstance(data, Mapping) else None
        if not isinstance(token, str) or not token:
            raise LegacyProtocolError(SYSTEM, "login answer without a token")
        expire = data.get("expire") if isinstance(data, Mapping) else None
        try:
            expires = parse_legacy_datetime(expire) if isinstance(expire, str) and expire else None
        except ValueError:
            expires = None
        lifetime = None if expires is None else (expires - datetime.now()).total_seconds()
        return Issued(token, lifetime)

    # -- calls -----------------------------------------------------------------------------------------------

    def _envelope(self, answer: HttpAnswer, path: str) -> dict[str, Any]:
        if answer.status != 200:
            raise LegacyProtocolError(SYSTEM, f"HTTP {answer.status} from {path}")
        body = answer.json(SYSTEM)
        if not isinstance(body, dict) or not isinstance(body.get("code"), int):
            raise LegacyProtocolError(SYSTEM, f"answer of {path} is not a {{code, msg, data}} envelope")
        return body

    async def _get(self, path: str, params: Mapping[str, str]) -> Any:
        """GET with the session; on code 401 log in again exactly once and retry."""
        return await self._send("GET", path, params=params)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        request_id: str = "",
    ) -> Any:
        headers = self.broker.acting_headers()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id

        async def send(token: str) -> dict[str, Any]:
            answer = await self.http.request(
                method, path, params=params, json=json, headers={**headers, SESSION_HEADER: token}
            )
            return self._envelope(answer, path)

        body = await self.session.call(send, lambda answer: answer["code"] == 401)
        if body["code"] == 401:
            raise LegacyAuthError(SYSTEM, f"session refused right after a new login: {body.get('msg', '')}")
        code = body["code"]
        if code == 0:
            return body.get("data")
        message = str(body.get("msg", ""))
        if code == 404:
            raise LegacyNotFound(SYSTEM, message or "not found")
        raise LegacyRejected(SYSTEM, f"code {code}: {message}")

    # -- writes ----------------------------------------------------------------------------------------------

    async def register(self, fields: Mapping[str, Any], *, request_id: str = "") -> HotlineTicketRecord:
        """登记: ``fields`` in the hotline's own names (``bt``, ``nr``, ``lxdh``, ``sqlx``, …); the new order."""
        return ticket_from_legacy(await self._send("POST", "/api/gd", json=dict(fields), request_id=request_id))

    async def act(
        self, order_no: str, action: str, body: Mapping[str, Any], *, request_id: str = ""
    ) -> HotlineTicketRecord:
        """One workflow action (``pd`` 派单, ``qs`` 签收, ``df`` 答复, ``gl`` 关联, …) on an order; the order after it.
        A refusal of the workflow is :class:`LegacyRejected` with the hotline's reason."""
        path = f"/api/gd/{order_no}/{action}"
        return ticket_from_legacy(await self._send("POST", path, json=dict(body), request_id=request_id))

    async def units(self) -> tuple[UnitRef, ...]:
        """The handling units (承办单位) the hotline dispatches to."""
        data = await self._get("/api/dw/list", {})
        rows = data.get("rows") if isinstance(data, Mapping) else None
        if not isinstance(rows, list):
            raise LegacyProtocolError(SYSTEM, "/api/dw/list answered without data.rows")
        try:
            return tuple(_unit_ref(r) for r in rows)
        except _Bad as exc:
            raise LegacyProtocolError(SYSTEM, f"/api/dw/list: {exc}") from None

    # -- reads -----------------------------------------------------------------------------------------------

    async def get_many(self, order_nos: Sequence[str]) -> dict[str, HotlineTicketRecord]:
        """The work orders among ``order_nos`` that exist, by number; one batch request per ``batch_size`` ids."""
        unique = list(dict.fromkeys(order_nos))
        if not unique:
            return {}
        size = max(1, min(self.options.batch_size, MAX_PAGE))
        chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
        pages = await asyncio.gather(*(self._batch(chunk) for chunk in chunks))
        return {r.order_no: r for page in pages for r in page}

    async def _batch(self, chunk: Sequence[str]) -> list[HotlineTicketRecord]:
        data = await self._get("/api/gd/batch", {"gdbh": ",".join(chunk)})
        return list(self._rows(data, "/api/gd/batch")[1])

    async def get(self, order_no: str) -> HotlineTicketRecord | None:
        return (await self.get_many([order_no])).get(order_no)

    async def list_tickets(
        self,
        *,
        offset: int = 0,
        limit: int = 20,
        status: StatusFilter | None = None,
        phone: str = "",
        id_number: str = "",
        text: str = "",
    ) -> HotlinePage:
        """Orders ``[offset, offset + limit)`` matching every filter given, newest call first, with the total."""
        size, first_page, pages = page_plan(offset, limit)
        params: dict[str, str] = {"pageSize": str(size)}
        if status is not None:
            params["zt"] = ",".join(status.city_states)
            if status.lead_state:
                params["zbdwzt"] = status.lead_state
        for key, value in (("lxdh", phone), ("zjhm", id_number), ("gjz", text)):
            if value:
                params[key] = value
        answers = await asyncio.gather(
            *(self._get("/api/gd/list", {**params, "pageNum": str(n)}) for n in range(first_page, first_page + pages))
        )
        total = 0
        rows: list[HotlineTicketRecord] = []
        for data in answers:
            total, page_rows = self._rows(data, "/api/gd/list")
            rows.extend(page_rows)
        skip = offset - (first_page - 1) * size
        return HotlinePage(total=total, records=tuple(rows[skip : skip + limit]))

    @staticmethod
    def _rows(data: Any, path: str) -> tuple[int, tuple[HotlineTicketRecord, ...]]:
        if not isinstance(data, Mapping) or not isinstance(data.get("rows"), list):
            raise LegacyProtocolError(SYSTEM, f"{path} answered without data.rows")
        total = data.get("total")
        if not isinstance(total, int):
            raise LegacyProtocolError(SYSTEM, f"{path} answered without data.total")
        return total, tuple(ticket_from_legacy(r) for r in data["rows"])
