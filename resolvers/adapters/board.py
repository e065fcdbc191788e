"""Client for the leaders' message board (领导留言板), DOMAIN.md §4.1; the stand-in is :mod:`legacy.board`.

Protocol contract: form-POSTs answered by a JSON envelope with HTTP 200 even for errors —
``{"result": "success", "code": "0000", "data": ...}`` or ``{"result": "fail", "code", "message"}``. Every call
carries ``appCode``, ``timestamp`` (ms) and ``signature`` = hex HMAC-SHA256(secret, the other form fields sorted
by key as ``k=v`` joined with ``&``). ``appCode``/secret come from the credential broker (:mod:`auth.broker`;
without one, the service username/password of :class:`~resolvers.adapters.http.AdapterOptions`), and when the
request acts for a user, the signed form field ``actingUser`` (代办人) names them.

- ``/v1/threads/queryThreadsList`` (``fid``, ``lastItem`` = tid watermark, ``pageSize`` ≤ 50, ``stateInfo``,
  ``keywords``, ``linktel``) lists threads newest first, without the poster's private fields;
- ``/v1/threads/content`` (``tid``) reads one thread with them. **There is no batch read**: :meth:`BoardClient.threads`
  sends one request per distinct tid, at most ``max_concurrency`` at a time (the :class:`LegacyHttp` semaphore);
- ``/v1/threads/reply`` and ``/v1/threads/state`` handle a thread.

Failures, all :class:`~resolvers.adapters.errors.LegacyError`: ``SIGN_ERROR`` → :class:`LegacyAuthError` — but
first, when the board's ``serverTime`` shows our clock is off, the adapter corrects its offset and signs again,
exactly once (the signature's analogue of one re-login); ``NOT_EXIST`` → :class:`LegacyNotFound`; other codes and
the WAF's HTTP 403 page → :class:`LegacyRejected`; anything not in the envelope's shape → :class:`LegacyProtocolError`;
transport failures and 5xx → :class:`LegacyUnavailable` (from :class:`LegacyHttp`).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from auth.broker import CredentialBroker, acting_user
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
)
from resolvers.adapters.http import AdapterOptions, LegacyHttp, read_each
from resolvers.domain import normalize_phone, parse_legacy_datetime

__all__ = [
    "ACTING_USER_FIELD",
    "MAX_PAGE_SIZE",
    "SYSTEM",
    "BoardClient",
    "BoardThread",
    "Poster",
    "ThreadPage",
    "canonical_string",
    "sign_form",
    "thread_from_json",
]

SYSTEM = "board"
MAX_PAGE_SIZE = 50  # the board refuses larger pages
CST = timezone(timedelta(hours=8), "CST")  # datelines are Unix seconds; we report naive Beijing time

ACTING_USER_FIELD = "actingUser"  # signed with the other fields, so it cannot be altered on the way

LIST = "/v1/threads/queryThreadsList"
CONTENT = "/v1/threads/content"
REPLY = "/v1/threads/reply"
STATE = "/v1/threads/state"

_SKEW_MS = 4 * 60 * 1000  # below the board's 5-minute window, so a corrected clock signs safely


@dataclass(frozen=True, slots=True)
class Poster:
    """The poster as the submit form recorded them; private: only the detail read carries it."""

    name: str  # truename
    phone: str  # linktel, as typed
    address: str  # address 地址


@dataclass(frozen=True, slots=True)
class BoardThread:
    """One thread (帖子) in domain names; ``poster`` is ``None`` when it came from a list."""

    thread_id: int  # tid
    forum_id: int  # fid: one leader's board
    forum_name: str
    title: str  # subject
    content: str
    posted_at: datetime  # dateline, naive Beijing time
    domain_name: str  # 领域
    type_name: str  # 类型: 建言/投诉/咨询/求助
    state_text: str  # stateInfo
    answer_organization: str | None
    answer_content: str | None
    answered_at: datetime | None  # answerTime
    likes: int  # favNum
    rating_manner: int | None  # gradeManner, 1-5
    rating_speed: int | None  # gradeSpeed, 1-5
    nickname: str  # nickName
    ip_province: str  # ip
    poster: Poster | None


@dataclass(frozen=True, slots=True)
class ThreadPage:
    threads: tuple[BoardThread, ...]
    next_before: int | None  # the lastItem of the next page; None when this was the last one


def canonical_string(fields: Mapping[str, str]) -> str:
    return "&".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "signature")


def sign_form(fields: Mapping[str, str], app_code: str, secret: str, now_ms: int) -> dict[str, str]:
    """``fields`` plus ``appCode``, ``timestamp`` and the ``signature`` over all of them."""
    form = {**fields, "appCode": app_code, "timestamp": str(now_ms)}
    form["signature"] = hmac.new(secret.encode(), canonical_string(form).encode(), hashlib.sha256).hexdigest()
    return form


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise TypeError(f"{name} is {type(value).__name__}")
    return str(value)


def _number(raw: Mapping[str, Any], name: str) -> int:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{name} is {type(value).__name__}")
    return int(value)  # favNum comes as a string in lists


def _grade(raw: Mapping[str, Any], name: str) -> int | None:
    value = _number(raw, name) if raw.get(name) not in (None, "") else 0
    return value if 1 <= value <= 5 else None  # 0 means not rated


def thread_from_json(raw: Any) -> BoardThread:
    """The one mapping from the board's field names to ours; :class:`LegacyProtocolError` if it does not fit."""
    if not isinstance(raw, Mapping):
        raise LegacyProtocolError(SYSTEM, f"a thread is {type(raw).__name__}, expected an object")
    try:
        answer_time = _text(raw, "answerTime")
        private = "linktel" in raw or "truename" in raw
        return BoardThread(
            thread_id=_number(raw, "tid"),
            forum_id=_number(raw, "fid"),
            forum_name=_text(raw, "forumName"),
            title=_text(raw, "subject"),
            content=_text(raw, "content"),
            posted_at=datetime.fromtimestamp(_number(raw, "dateline"), CST).replace(tzinfo=None),
            domain_name=_text(raw, "domainName"),
            type_name=_text(raw, "typeName"),
            state_text=_text(raw, "stateInfo"),
            answer_organization=_text(raw, "answerOrganization") or None,
            answer_content=_text(raw, "answerContent") or None,
            answered_at=parse_legacy_datetime(answer_time) if answer_time else None,
            likes=_number(raw, "favNum") if raw.get("favNum") not in (None, "") else 0,
            rating_manner=_grade(raw, "gradeManner"),
            rating_speed=_grade(raw, "gradeSpeed"),
            nickname=_text(raw, "nickName"),
            ip_province=_text(raw, "ip"),
            poster=(Poster(_text(raw, "truename"), _text(raw, "linktel"), _text(raw, "address")) if private else None),
        )
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise LegacyProtocolError(SYSTEM, f"thread {raw.get('tid')!r} does not fit the protocol: {exc}") from exc


class BoardClient:
    """Signed calls to the board. One per process; ``clock`` (seconds) is the seam for tests.

    The app code and HMAC secret are the credential broker's (:mod:`auth.broker`); without a ``broker`` the
    service account of ``options`` gets one of its own. Each call made for a user carries ``actingUser``."""

    system = SYSTEM

    def __init__(
        self,
        options: AdapterOptions,
        *,
        broker: CredentialBroker | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.options = options
        self.broker = broker or CredentialBroker.single(SYSTEM, options.username, options.password)
        self.broker.credentials(SYSTEM)  # fail at start-up, not on the first call, when the broker lacks them
        self._http = LegacyHttp(SYSTEM, options)
        self._clock = clock
        self._offset_ms = 0  # the board's clock minus ours, learnt from a SIGN_ERROR's serverTime

    @property
    def max_concurrency(self) -> int:
        return self.options.max_concurrency

    async def list_threads(
        self,
        *,
        count: int,
        before: int | None = None,
        forum_id: int | None = None,
        state_text: str | None = None,
        keywords: str | None = None,
        phone: str | None = None,
    ) -> ThreadPage:
        """Up to ``count`` threads with ``tid < before``, newest first, in pages of at most 50."""
        if count < 1:
            raise ValueError("count must be positive")
        fields = {"fid": str(forum_id or 0)}
        if state_text:
            fields["stateInfo"] = state_text
        if keywords:
            fields["keywords"] = keywords
        if phone:
            fields["linktel"] = normalize_phone(phone)
        wanted = count + 1  # one more than asked tells whether a next page exists
        found: list[BoardThread] = []
        watermark = before or 0
        while len(found) < wanted:
            size = min(MAX_PAGE_SIZE, wanted - len(found))
            data = await self._call(LIST, {**fields, "lastItem": str(watermark), "pageSize": str(size)})
            if data is None:
                break  # the board says null for an empty page
            if not isinstance(data, list):
                raise LegacyProtocolError(SYSTEM, f"list data is {type(data).__name__}, expected a list")
            page = [thread_from_json(item) for item in data]
            found.extend(page)
            if len(page) < size:
                break
            watermark = page[-1].thread_id
        items = tuple(found[:count])
        more = len(found) > count
        return ThreadPage(items, items[-1].thread_id if more and items else None)

    async def thread(self, tid: int) -> BoardThread:
        """One thread with its poster; :class:`LegacyNotFound` when the board has no such tid."""
        return thread_from_json(await self._call(CONTENT, {"tid": str(tid)}))

    async def threads(self, tids: Sequence[int]) -> list[BoardThread | LegacyError | None]:
        """Each tid's thread (``None`` if missing, the error if its read failed), one request per distinct tid."""
        return await read_each(tids, self.thread)

    async def reply(self, tid: int, organization: str, content: str) -> str:
        """Publish the answer (答复); returns the new stateInfo."""
        data = await self._call(REPLY, {"tid": str(tid), "answerOrganization": organization, "answerContent": content})
        return self._state_of(data)

    async def set_state(self, tid: int, state_text: str) -> str:
        """Move the thread to ``state_text``; returns the new stateInfo."""
        return self._state_of(await self._call(STATE, {"tid": str(tid), "stateInfo": state_text}))

    @staticmethod
    def _state_of(data: Any) -> str:
        if not isinstance(data, Mapping) or not isinstance(data.get("stateInfo"), str):
            raise LegacyProtocolError(SYSTEM, "a handling answer without stateInfo")
        return str(data["stateInfo"])

    def _now_ms(self) -> int:
        return int(self._clock() * 1000) + self._offset_ms

    async def _call(self, path: str, fields: Mapping[str, str]) -> Any:
        credentials = self.broker.credentials(SYSTEM)
        subject = acting_user()
        if subject:
            fields = {**fields, ACTING_USER_FIELD: subject}
        for attempt in range(2):
            sent_ms = self._now_ms()
            form = sign_form(fields, credentials.username, credentials.secret, sent_ms)
            answer = await self._http.request("POST", path, data=form)
            if answer.status == 403:
                raise LegacyRejected(SYSTEM, f"request blocked by the board's firewall (HTTP 403 on {path})")
            if answer.status != 200:
                raise LegacyProtocolError(SYSTEM, f"HTTP {answer.status} from {path}")
            body = answer.json(SYSTEM)
            if not isinstance(body, Mapping) or "result" not in body:
                raise LegacyProtocolError(SYSTEM, f"{path} answered outside the envelope")
            if body.get("result") == "success":
                if "data" not in body:
                    raise LegacyProtocolError(SYSTEM, f"{path} succeeded without data")
                return body["data"]
            code, message = str(body.get("code", "")), str(body.get("message", ""))
            if code == "SIGN_ERROR":
                server_ms = body.get("serverTime")
                if attempt == 0 and isinstance(server_ms, int) and abs(server_ms - sent_ms) > _SKEW_MS:
                    self._offset_ms += server_ms - sent_ms
                    continue  # our clock was off: sign again, once
                raise LegacyAuthError(SYSTEM, f"signature refused: {message or code}")
            if code == "NOT_EXIST":
                raise LegacyNotFound(SYSTEM, message or "not found")
            raise LegacyRejected(SYSTEM, f"{code}: {message}" if message else code)
        raise AssertionError("unreachable")  # pragma: no cover
