"""Adapter for the grid management system (网格化管理 / 数字城管): JSON REST behind OAuth2 client credentials.

Protocol contract (see also :mod:`legacy.grid`, the stand-in):

- ``POST /oauth/token`` with ``grant_type=client_credentials``, the client authenticated with HTTP Basic
  (RFC 6749 §2.3.1, §4.4) → ``{"access_token", "token_type": "Bearer", "expires_in"}``. The token is cached
  until shortly before it expires (10 % of its life, at most 30 s, early) and fetched once for all callers
  waiting at that moment.
- Every API call carries ``Authorization: Bearer <token>``. A 401 saying ``invalid_token`` (RFC 6750 §3.1, in the
  ``WWW-Authenticate`` header or the body) makes the adapter fetch a new token exactly once and retry; a second
  401 is :class:`LegacyAuthError`.
- ``GET /api/v1/events/{taskNum}`` reads one event; there is no batch read, so :meth:`GridClient.events` sends
  one request per distinct task number, at most ``max_concurrency`` at a time (the :class:`LegacyHttp`
  semaphore). ``GET /api/v1/events`` lists and searches, ``page`` from 1, ``size`` ≤ 100.
- ``POST /api/v1/events`` reports (上报) and ``POST /api/v1/events/{taskNum}/actions`` moves an event along the
  loop (立案, 派遣, …); ``…/links`` links it to another system's record and ``…/tier`` moves it up the routing
  tiers. Writes carry ``X-Request-Id`` when the caller gives one: a repeated id writes nothing.

Failures: transport and 5xx → :class:`LegacyUnavailable` (from :class:`LegacyHttp`); 401 → :class:`LegacyAuthError`;
404 → :class:`LegacyNotFound`; other 4xx → :class:`LegacyRejected`; a body that is not the expected JSON →
:class:`LegacyProtocolError`. Legacy field names become domain names in :func:`event_from_legacy` and nowhere else.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, quote_plus

from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from auth.broker import CredentialBroker, Issued, ServiceCredentials
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
)
from resolvers.adapters.http import REQUEST_ID_HEADER, AdapterOptions, HttpAnswer, LegacyHttp, read_each
from resolvers.adapters.links import RecordLink
from resolvers.domain import UnitRef

__all__ = [
    "GRID_STATES",
    "SYSTEM",
    "GridClient",
    "GridEvent",
    "GridEventPage",
    "GridReport",
    "event_from_legacy",
]

TOKEN_PATH = "/oauth/token"
SYSTEM = "grid"
GRID_STATES = ("上报", "核实", "立案", "派遣", "处置中", "反馈", "核查", "结案", "作废")
_KNOWN_STATES = frozenset(GRID_STATES) | {"处置"}  # older builds write 处置 for 处置中
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class GridEvent:
    """One grid event (网格事件 / 案卷) in domain names."""

    task_num: str  # 任务号
    source: str  # 问题来源: 监督员 / 网格员 / 12345热线 / 公众
    reporter_name: str  # 反映人 (the citizen)
    reporter_phone: str
    collector_name: str  # 采集人: the 网格员/监督员 who entered it
    reflect_type: str  # 反映类型: 投诉/举报/咨询/求助/建议, "" when not given
    description: str  # 问题描述
    major_code: str  # 大类代码
    minor_code: str  # 小类代码
    major_name: str  # 大类名称 (infobcname)
    minor_name: str  # 小类名称 (infoscname)
    cell_grid_code: str  # 单元网格, 15 digits
    duty_grid_code: str  # 责任网格
    district: str
    street: str
    community: str
    address: str
    lng: float | None
    lat: float | None
    discovered_at: datetime  # 发现时间
    created_at: datetime | None  # 上报入库时间
    registered_at: datetime | None  # 立案
    dispatched_at: datetime | None  # 派遣
    replied_at: datetime | None  # 反馈
    archived_at: datetime | None  # 结案
    cancelled_at: datetime | None  # 作废
    deadline: datetime | None  # 处置时限 (from 派遣, in working hours)
    limit_working_hours: int | None  # 工作时
    state: str  # raw state text
    archive_type: str | None  # 结案类型: 正常/超时/差错/特殊
    execute_dept: UnitRef | None  # 处置部门
    is_secret: bool
    links: tuple[RecordLink, ...] = ()  # 关联记录: the 12345 order of a 网格直办 event
    routing_tier: str = ""  # 网格直办 / 镇街主办 / 部门联办 ("" when the answer does not say)

    @property
    def event_code(self) -> str:
        """2-digit major + 2-digit minor class, e.g. ``0102`` (市容环境 / 暴露垃圾)."""
        return self.major_code + self.minor_code

    @property
    def admin_code12(self) -> str | None:
        return self.cell_grid_code[:12] if len(self.cell_grid_code) == 15 else None


@dataclass(frozen=True, slots=True)
class GridEventPage:
    total: int
    page: int
    size: int
    items: tuple[GridEvent, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GridReport:
    """A new event to report (上报)."""

    source: str
    description: str
    major_code: str
    minor_code: str
    cell_grid_code: str
    reporter_name: str = ""
    reporter_phone: str = ""
    collector_name: str = ""
    reflect_type: str = ""
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    discovered_at: datetime | None = None


# --- the one mapping from legacy names to domain names ------------------------------------------------------


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value)


def _required(raw: Mapping[str, Any], key: str) -> str:
    value = _text(raw, key)
    if not value:
        raise LegacyProtocolError(SYSTEM, f"event without {key}")
    return value


def _when(raw: Mapping[str, Any], key: str) -> datetime | None:
    """``2026-08-30T04:41:00`` or ``2026-08-30 04:41:00``; ``""`` is nothing."""
    text = _text(raw, key)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError as exc:
        raise LegacyProtocolError(SYSTEM, f"{key} is not a date: {text!r}") from exc


def _number(raw: Mapping[str, Any], key: str) -> float | None:
    text = _text(raw, key)
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise LegacyProtocolError(SYSTEM, f"{key} is not a number: {text!r}") from exc


def event_from_legacy(raw: Any) -> GridEvent:
    """Map one event of the legacy JSON (camelCase/snake mix, ``""`` for nothing) onto :class:`GridEvent`."""
    if not isinstance(raw, Mapping):
        raise LegacyProtocolError(SYSTEM, "event is not a JSON object")
    state = _required(raw, "state")
    if state not in _KNOWN_STATES:
        raise LegacyProtocolError(SYSTEM, f"unknown event state {state!r}")
    discovered = _when(raw, "discoverTime")
    if discovered is None:
        raise LegacyProtocolError(SYSTEM, "event without discoverTime")
    limit = _number(raw, "limitHours")
    dept_name = _text(raw, "executeDeptName")
    return GridEvent(
        task_num=_required(raw, "taskNum"),
        source=_text(raw, "eventSrc"),
        reporter_name=_text(raw, "reporterName"),
        reporter_phone=_text(raw, "reporterPhone"),
        collector_name=_text(raw, "gridUserName"),
        reflect_type=_text(raw, "reflect_type"),
        description=_text(raw, "description"),
        major_code=_required(raw, "mainType"),
        minor_code=_required(raw, "subType"),
        major_name=_text(raw, "infobcname"),
        minor_name=_text(raw, "infoscname"),
        cell_grid_code=_required(raw, "cellGridCode"),
        duty_grid_code=_text(raw, "dutyGridCode"),
        district=_text(raw, "district_name"),
        street=_text(raw, "streetName"),
        community=_text(raw, "communityName"),
        address=_text(raw, "address"),
        lng=_number(raw, "coordinateX"),
        lat=_number(raw, "coordinateY"),
        discovered_at=discovered,
        created_at=_when(raw, "create_time"),
        registered_at=_when(raw, "registerTime"),
        dispatched_at=_when(raw, "dispatchTime"),
        replied_at=_when(raw, "feedbackTime"),
        archived_at=_when(raw, "archive_time"),
        cancelled_at=_when(raw, "cancel_time"),
        deadline=_when(raw, "deadline"),
        limit_working_hours=None if limit is None else int(limit),
        state=state,
        archive_type=_text(raw, "archiveType") or None,
        execute_dept=UnitRef(_text(raw, "executeDeptCode"), dept_name) if dept_name else None,
        is_secret=_text(raw, "secretFlag") == "1",
        links=_links(raw.get("links")),
        routing_tier=_text(raw, "routingTier"),
    )


def _links(raw: Any) -> tuple[RecordLink, ...]:
    if raw is None or raw == "":
        return ()
    if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
        raise LegacyProtocolError(SYSTEM, "links is not a list of objects")
    return tuple(
        RecordLink(_text(r, "system"), _text(r, "number"), _text(r, "kind"), _when(r, "linkTime")) for r in raw
    )


def _report_to_legacy(report: GridReport) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventSrc": report.source,
        "description": report.description,
        "mainType": report.major_code,
        "subType": report.minor_code,
        "cellGridCode": report.cell_grid_code,
        "reporterName": report.reporter_name,
        "reporterPhone": report.reporter_phone,
        "gridUserName": report.collector_name,
        "reflect_type": report.reflect_type,
        "address": report.address,
    }
    if report.lng is not None and report.lat is not None:
        body["coordinateX"], body["coordinateY"] = f"{report.lng:.6f}", f"{report.lat:.6f}"
    if report.discovered_at is not None:
        body["discoverTime"] = report.discovered_at.strftime("%Y-%m-%dT%H:%M:%S")
    return body


# --- the client ---------------------------------------------------------------------------------------------


def _client_secret_basic(
    auth: ClientAuth, method: str, uri: str, headers: dict[str, str], body: str
) -> tuple[str, dict[str, str], str]:
    """authlib's ``client_secret_basic`` as RFC 6749 §2.3.1 has it: the client id and secret are form-encoded
    before they are joined and base64-encoded (authlib's own method leaves that step out)."""
    text = f"{quote_plus(auth.client_id)}:{quote_plus(auth.client_secret)}"
    return uri, {**headers, "Authorization": "Basic " + base64.b64encode(text.encode()).decode()}, body


def _says_invalid_token(answer: HttpAnswer) -> bool:
    challenge = next((v for k, v in answer.headers.items() if k.lower() == "www-authenticate"), "")
    if 'error="invalid_token"' in challenge:
        return True
    try:
        body = answer.json(SYSTEM)
    except LegacyProtocolError:
        return False
    return isinstance(body, dict) and body.get("error") == "invalid_token"


def _reason(answer: HttpAnswer) -> str:
    try:
        body = answer.json(SYSTEM)
    except LegacyProtocolError:
        return f"HTTP {answer.status}"
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message", "error_description") if body.get(k)]
        if parts:
            return f"HTTP {answer.status}: {': '.join(parts)}"
    return f"HTTP {answer.status}"


class GridClient:
    """One per process: the shared HTTP client, the cached access token, and the grid API's operations."""

    system = SYSTEM

    def __init__(
        self,
        options: AdapterOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
        broker: CredentialBroker | None = None,
    ) -> None:
        """The access token is the credential broker's (:mod:`auth.broker`); without a ``broker`` the client
        credentials of ``options`` (``username``/``password`` = client id/secret) get one of their own, on
        ``clock``."""
        self.options = options
        self.http = LegacyHttp(SYSTEM, options)
        self.broker = broker or CredentialBroker.single(SYSTEM, options.username, options.password, clock=clock)
        self.session = self.broker.session(SYSTEM, self._fetch_token)

    # tokens

    async def _fetch_token(self, credentials: ServiceCredentials) -> Issued:
        """The client-credentials grant, the request made by authlib's client side (the grant's form body and the
        client's authentication), sent through the shared legacy HTTP client."""
        auth = ClientAuth(credentials.username, credentials.secret, _client_secret_basic)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        _, headers, body = auth.prepare("POST", TOKEN_PATH, headers, prepare_token_request("client_credentials"))
        answer = await self.http.request("POST", TOKEN_PATH, data=body, headers=headers)
        if answer.status != 200:
            raise LegacyAuthError(SYSTEM, f"token request refused ({_reason(answer)})")
        body = answer.json(SYSTEM)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise LegacyProtocolError(SYSTEM, "token answer without access_token")
        if str(body.get("token_type", "")).lower() != "bearer":
            raise LegacyProtocolError(SYSTEM, f"unexpected token_type {body.get('token_type')!r}")
        lifetime = body.get("expires_in", 600)
        if not isinstance(lifetime, int | float) or lifetime <= 0:
            raise LegacyProtocolError(SYSTEM, f"bad expires_in {lifetime!r}")
        return Issued(body["access_token"], float(lifetime))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        request_id: str = "",
    ) -> Any:
        """One API call with the bearer token; one new token and one retry on ``invalid_token``."""
        acting = self.broker.acting_headers()
        if request_id:
            acting[REQUEST_ID_HEADER] = request_id

        async def send(token: str) -> HttpAnswer:
            headers = {**acting, "Authorization": f"Bearer {token}"}
            return await self.http.request(method, path, params=params, json=json, headers=headers)

        answer = await self.session.call(send, lambda a: a.status == 401 and _says_invalid_token(a))
        if answer.status == 401:
            raise LegacyAuthError(SYSTEM, f"access token refused ({_reason(answer)})")
        if answer.status == 404:
            raise LegacyNotFound(SYSTEM, _reason(answer))
        if 400 <= answer.status < 500:
            raise LegacyRejected(SYSTEM, _reason(answer))
        if answer.status not in (200, 201):
            raise LegacyProtocolError(SYSTEM, f"unexpected HTTP {answer.status} from {method} {path}")
        return answer.json(SYSTEM)

    # reads

    async def event(self, task_num: str) -> GridEvent:
        """One event by 任务号; :class:`LegacyNotFound` when there is none."""
        return event_from_legacy(await self._call("GET", f"/api/v1/events/{quote(task_num, safe='')}"))

    async def events(self, task_nums: Sequence[str]) -> list[GridEvent | LegacyError | None]:
        """Many events, one request per distinct task number (no batch read exists), in the order asked.

        A missing event is ``None``; any other failure comes back in place as its :class:`LegacyError`.
        """
        return await read_each(task_nums, self.event)

    async def search(
        self,
        *,
        page: int = 1,
        size: int = 20,
        state: str | None = None,
        grid_code: str | None = None,
        phone: str | None = None,
        keyword: str | None = None,
    ) -> GridEventPage:
        """One page of events, newest first; every filter is optional (``grid_code`` is a prefix)."""
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError(f"page from 1 and size from 1 to {MAX_PAGE_SIZE}")
        params = {"page": str(page), "size": str(size)}
        for key, value in (("state", state), ("gridCode", grid_code), ("phone", phone), ("keyword", keyword)):
            if value:
                params[key] = value
        body = await self._call("GET", "/api/v1/events", params=params)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise LegacyProtocolError(SYSTEM, "event list without items")
        try:
            total = int(body.get("total", 0))
        except (TypeError, ValueError) as exc:
            raise LegacyProtocolError(SYSTEM, "event list with a bad total") from exc
        return GridEventPage(total, page, size, tuple(event_from_legacy(item) for item in body["items"]))

    # writes

    async def report(self, report: GridReport, *, links: Sequence[RecordLink] = (), request_id: str = "") -> GridEvent:
        """上报: the new event as the system recorded it, linked to ``links`` (system, number, kind)."""
        body = _report_to_legacy(report)
        if links:
            body["links"] = [{"system": lk.system, "number": lk.number, "kind": lk.kind} for lk in links]
        return event_from_legacy(await self._call("POST", "/api/v1/events", json=body, request_id=request_id))

    async def link(self, task_num: str, link: RecordLink, *, request_id: str = "") -> GridEvent:
        """关联: link the event to a record of another system (kept once)."""
        body = {"system": link.system, "number": link.number, "kind": link.kind}
        path = f"/api/v1/events/{quote(task_num, safe='')}/links"
        return event_from_legacy(await self._call("POST", path, json=body, request_id=request_id))

    async def route_tier(self, task_num: str, tier: str, note: str = "", *, request_id: str = "") -> GridEvent:
        """Move the event up the tiers 网格直办 → 镇街主办 → 部门联办."""
        path = f"/api/v1/events/{quote(task_num, safe='')}/tier"
        return event_from_legacy(
            await self._call("POST", path, json={"tier": tier, "note": note}, request_id=request_id)
        )

    async def act(
        self,
        task_num: str,
        action: str,
        *,
        execute_dept: UnitRef | None = None,
        archive_type: str | None = None,
        passed: bool = True,
        request_id: str = "",
    ) -> GridEvent:
        """One step of the loop: confirm 核实, register 立案, dispatch 派遣 (``execute_dept``), dispose 处置,
        feedback 反馈, verify 核查 (``passed``), close 结案 (``archive_type``), cancel 作废."""
        body: dict[str, Any] = {"action": action}
        if execute_dept is not None:
            body["executeDept"], body["executeDeptCode"] = execute_dept.name, execute_dept.code
        if archive_type is not None:
            body["archiveType"] = archive_type
        if not passed:
            body["passed"] = False
        path = f"/api/v1/events/{quote(task_num, safe='')}/actions"
        return event_from_legacy(await self._call("POST", path, json=body, request_id=request_id))
