"""Client for the suggestion-collection system (人民建议征集); the stand-in is :mod:`legacy.suggestion`.

Protocol contract: JSON over HTTP. Every call carries ``X-App-Id`` and ``X-Api-Key`` — the service username and
password of :class:`~resolvers.adapters.http.AdapterOptions` — a static key, so there is no session and no
re-login. Reads: ``GET /api/v2/suggestions`` (``pageNum`` 1-based, ``pageSize`` ≤ 100, filters ``zt``, ``lxdh``,
``sfzh``, ``keyword``) → ``{"total", "rows"}``; ``GET /api/v2/suggestions/{jybh}`` → ``{"data"}``;
``POST /api/v2/suggestions/batch {"jybhs"}`` (≤ 100) → ``{"rows"}``, unknown numbers absent. Writes:
``POST /api/v2/suggestions`` (征集) and ``POST /api/v2/suggestions/{jybh}/{action}`` (交办 … 激励).

Failures, all :class:`~resolvers.adapters.errors.LegacyError`: HTTP 401 → :class:`LegacyAuthError`; 404 →
:class:`LegacyNotFound`; other 4xx → :class:`LegacyRejected` (with the system's ``msg``); a body that is not the
expected JSON → :class:`LegacyProtocolError`; transport failures, timeouts and 5xx → :class:`LegacyUnavailable`
(from :class:`LegacyHttp`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from auth.broker import CredentialBroker
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
)
from resolvers.adapters.http import REQUEST_ID_HEADER, AdapterOptions, LegacyHttp
from resolvers.domain import UnitRef, normalize_id_number, normalize_phone, parse_legacy_datetime

__all__ = [
    "ACTIONS",
    "MAX_BATCH",
    "MAX_PAGE_SIZE",
    "SYSTEM",
    "Suggestion",
    "SuggestionClient",
    "SuggestionPage",
    "suggestion_from_json",
]

SYSTEM = "suggestion"
BASE = "/api/v2/suggestions"
MAX_PAGE_SIZE = 100  # the system refuses larger pages
MAX_BATCH = 100  # and larger batches
ACTIONS = ("assign", "reject", "handle", "feedback", "evaluate", "reward", "close")
_ADOPTION = {"1": "采纳", "2": "部分采纳", "0": "未采纳"}  # cnqk 采纳情况


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggestion (人民建议) in domain names."""

    number: str  # jybh 建议编号
    title: str  # jybt
    content: str  # jynr
    proposer_name: str  # jyrxm 建议人
    proposer_sex: str  # jyrxb
    proposer_phone: str  # lxdh, digits only
    proposer_id_number: str  # sfzh, upper case; "" when not given
    category: str  # jylb: one of the seven first-level labels
    category_code: str  # jylbdm
    channel: str  # qd 渠道: 小程序 / 网站 / 12345转办 / 来信
    submitted_at: datetime  # tjsj 提交时间
    state_code: str  # zt
    state_name: str  # ztmc
    reject_reason: str | None  # bslyy 不受理原因
    unit: UnitRef | None  # cbdw/cbdwdm 承办单位
    assigned_at: datetime | None  # jbsj 交办时间
    due_date: date | None  # blqx 办理期限
    reply: str | None  # fknr 反馈内容
    replied_at: datetime | None  # fksj
    adoption: str | None  # cnqk as text: 采纳 / 部分采纳 / 未采纳; None until the answer
    rating: int | None  # pjdj 评价等级 1-5
    reward_points: int | None  # jljf 激励积分
    address: str  # wzdz
    admin_code12: str | None  # xzqhdm


@dataclass(frozen=True, slots=True)
class SuggestionPage:
    records: tuple[Suggestion, ...]
    total: int


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{name} is {type(value).__name__}, expected a string")
    return value


def _moment(raw: Mapping[str, Any], name: str) -> datetime | None:
    value = _text(raw, name)
    return parse_legacy_datetime(value) if value else None


def suggestion_from_json(raw: Any) -> Suggestion:
    """The one mapping from the system's field names to ours; :class:`LegacyProtocolError` if it does not fit."""
    if not isinstance(raw, Mapping):
        raise LegacyProtocolError(SYSTEM, f"a suggestion is {type(raw).__name__}, expected an object")
    try:
        submitted = _moment(raw, "tjsj")
        if submitted is None or not _text(raw, "jybh") or not _text(raw, "zt"):
            raise ValueError("jybh, zt and tjsj are required")
        unit_name, unit_code = _text(raw, "cbdw"), _text(raw, "cbdwdm")
        due, grade, points = _text(raw, "blqx"), _text(raw, "pjdj"), raw.get("jljf")
        if points is not None and (isinstance(points, bool) or not isinstance(points, int)):
            raise TypeError(f"jljf is {type(points).__name__}, expected a number or null")
        adoption = _text(raw, "cnqk")
        if adoption and adoption not in _ADOPTION:
            raise ValueError(f"unknown cnqk {adoption!r}")
        return Suggestion(
            number=_text(raw, "jybh"),
            title=_text(raw, "jybt"),
            content=_text(raw, "jynr"),
            proposer_name=_text(raw, "jyrxm"),
            proposer_sex=_text(raw, "jyrxb"),
            proposer_phone=normalize_phone(_text(raw, "lxdh")),
            proposer_id_number=normalize_id_number(_text(raw, "sfzh")),
            category=_text(raw, "jylb"),
            category_code=_text(raw, "jylbdm"),
            channel=_text(raw, "qd"),
            submitted_at=submitted,
            state_code=_text(raw, "zt"),
            state_name=_text(raw, "ztmc"),
            reject_reason=_text(raw, "bslyy") or None,
            unit=UnitRef(unit_code or unit_name, unit_name) if unit_name else None,
            assigned_at=_moment(raw, "jbsj"),
            due_date=date.fromisoformat(due) if due else None,
            reply=_text(raw, "fknr") or None,
            replied_at=_moment(raw, "fksj"),
            adoption=_ADOPTION.get(adoption),
            rating=int(grade) if grade else None,
            reward_points=points,
            address=_text(raw, "wzdz"),
            admin_code12=_text(raw, "xzqhdm") or None,
        )
    except (TypeError, ValueError) as exc:
        raise LegacyProtocolError(SYSTEM, f"suggestion {raw.get('jybh')!r} does not fit the protocol: {exc}") from exc


class SuggestionClient:
    """Calls to the suggestion system; one per process (the HTTP session and the concurrency bound are shared)."""

    system = SYSTEM

    def __init__(self, options: AdapterOptions, *, broker: CredentialBroker | None = None) -> None:
        """The app id and API key come from the credential broker (:mod:`auth.broker`); without a ``broker``,
        from ``options`` (``username``/``password``). Each call carries the acting user (``X-Acting-User``)."""
        self.options = options
        self.broker = broker or CredentialBroker.single(SYSTEM, options.username, options.password)
        credentials = self.broker.credentials(SYSTEM)
        self._http = LegacyHttp(SYSTEM, options)
        self._headers = {
            "X-App-Id": credentials.username,
            "X-Api-Key": credentials.secret,
            "Accept": "application/json",
        }

    async def page(
        self,
        *,
        offset: int,
        count: int,
        state_code: str | None = None,
        phone: str | None = None,
        id_number: str | None = None,
        keyword: str | None = None,
    ) -> SuggestionPage:
        """``count`` records from ``offset``, newest first; at most two page reads (pages are numbered, not cut
        at an offset, so an offset inside a page reads that page and the next)."""
        if count < 1 or count > MAX_PAGE_SIZE or offset < 0:
            raise ValueError(f"count must be 1-{MAX_PAGE_SIZE} and offset not negative")
        filters = {"zt": state_code, "lxdh": phone, "sfzh": id_number, "keyword": keyword}
        params = {k: v for k, v in filters.items() if v is not None and v != ""}
        first_page, skip = divmod(offset, count)
        records: list[Suggestion] = []
        total = 0
        for page_num in (first_page + 1, first_page + 2) if skip else (first_page + 1,):
            body = await self._call("GET", BASE, params={**params, "pageNum": str(page_num), "pageSize": str(count)})
            rows, answered_total = body.get("rows"), body.get("total")
            if not isinstance(rows, list) or isinstance(answered_total, bool) or not isinstance(answered_total, int):
                raise LegacyProtocolError(SYSTEM, "a list answer without rows and total")
            total = answered_total
            records += [suggestion_from_json(r) for r in rows]
            if page_num * count >= total:
                break  # that was the last page
        return SuggestionPage(tuple(records[skip : skip + count]), total)

    async def everything_of(self, *, phone: str = "", id_number: str = "") -> list[Suggestion]:
        """Every suggestion filed with this phone number or (when no phone is known) ID number, newest first."""
        if not phone and not id_number:
            return []
        found: list[Suggestion] = []
        offset = 0
        while True:
            page = await self.page(
                offset=offset,
                count=MAX_PAGE_SIZE,
                phone=phone or None,
                id_number=None if phone else id_number,
            )
            found += page.records
            offset += MAX_PAGE_SIZE
            if offset >= page.total or not page.records:
                return found

    async def get(self, number: str) -> Suggestion:
        """One suggestion; :class:`LegacyNotFound` when the system has none with this number."""
        body = await self._call("GET", f"{BASE}/{number}")
        return suggestion_from_json(body.get("data"))

    async def many(self, numbers: Sequence[str]) -> list[Suggestion | None]:
        """Each number's suggestion or ``None``, in order; distinct numbers in batches of ``batch_size`` (≤ 100)."""
        distinct = list(dict.fromkeys(numbers))
        size = max(1, min(self.options.batch_size, MAX_BATCH))
        found: dict[str, Suggestion] = {}
        for start in range(0, len(distinct), size):
            body = await self._call("POST", f"{BASE}/batch", json={"jybhs": distinct[start : start + size]})
            rows = body.get("rows")
            if not isinstance(rows, list):
                raise LegacyProtocolError(SYSTEM, "a batch answer without rows")
            for row in rows:
                record = suggestion_from_json(row)
                found[record.number] = record
        return [found.get(n) for n in numbers]

    async def submit(self, fields: Mapping[str, str], *, request_id: str = "") -> Suggestion:
        """征集: file a new suggestion (legacy field names: jybt, jynr, jyrxm, lxdh, jylb, …). With ``request_id``
        the system files it once however often the request is sent."""
        body = await self._call("POST", BASE, json=dict(fields), request_id=request_id)
        return suggestion_from_json(body.get("data"))

    async def act(
        self, number: str, action: str, fields: Mapping[str, Any] | None = None, *, request_id: str = ""
    ) -> Suggestion:
        """One workflow step (``assign`` 交办 … ``reward`` 激励); :class:`LegacyRejected` when the state forbids it."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        body = await self._call("POST", f"{BASE}/{number}/{action}", json=dict(fields or {}), request_id=request_id)
        return suggestion_from_json(body.get("data"))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        request_id: str = "",
    ) -> Mapping[str, Any]:
        headers = {**self._headers, **self.broker.acting_headers()}
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        answer = await self._http.request(method, path, params=params, json=json, headers=headers)
        try:
            body = answer.json(SYSTEM)
        except LegacyProtocolError:
            if answer.status == 200:
                raise
            body = {}
        message = str(body.get("msg", "")) if isinstance(body, Mapping) else ""
        if answer.status == 401:
            raise LegacyAuthError(SYSTEM, f"API key refused: {message or 'HTTP 401'}")
        if answer.status == 404:
            raise LegacyNotFound(SYSTEM, message or f"{path} not found")
        if answer.status != 200:
            raise LegacyRejected(SYSTEM, f"HTTP {answer.status}: {message}" if message else f"HTTP {answer.status}")
        if not isinstance(body, Mapping) or body.get("code") != 200:
            raise LegacyProtocolError(SYSTEM, f"{method} {path} answered outside the protocol")
        return body
