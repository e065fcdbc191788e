"""The petition (信访) adapter: XfService over SOAP 1.1 + WS-Security, as :class:`PetitionRecord` values.

Contract with the legacy system (see :mod:`resolvers.adapters.petition_soap` for the wire format and how answers map
onto :mod:`resolvers.adapters.errors`):

- every call is ``POST /services/XfService`` with ``SOAPAction: "urn:minyi:xf#<Operation>"`` and a fresh
  UsernameToken (PasswordDigest unless ``password_digest=False``); faults come back with HTTP 500, which
  :class:`~resolvers.adapters.http.LegacyHttp` is told to hand over (``accept_statuses``) instead of treating as
  unavailable;
- reads: ``GetXfjDetail`` (one), ``GetXfjBatch`` (≤100 numbers; chunked by ``options.batch_size``, chunks sent
  concurrently under the HTTP semaphore), ``QueryXfjList`` (1-based pages ≤100, filters ``zt`` list, ``zjhm``,
  ``lxdh``, ``gjz``);
- writes: the workflow steps of 信访工作条例 (register, route, accept, reject, extend, opinion, review, close);
  refusals (wrong state, a statutory limit) raise :class:`~resolvers.adapters.errors.LegacyRejected`.

:func:`record_from_xml` is the one place pinyin columns become domain names. The accused (``bjbr``) is read only so
that the access rules (:mod:`resolvers.access`) can keep a 检举控告 item from the accused unit; nothing downstream
may show it (信访工作条例 Art 30 ¶3): no GraphQL type has a field for it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from xml.etree.ElementTree import Element

from auth.broker import CredentialBroker, acting_user
from resolvers.adapters.errors import LegacyNotFound, LegacyProtocolError
from resolvers.adapters.http import AdapterOptions, LegacyHttp
from resolvers.adapters.petition_soap import parse_answer, request_envelope
from resolvers.domain import UnitRef, normalize_id_number, normalize_phone, parse_legacy_datetime

__all__ = [
    "SERVICE_PATH",
    "SYSTEM",
    "NewPetition",
    "PetitionClient",
    "PetitionCriteria",
    "PetitionPage",
    "PetitionRecord",
    "record_from_xml",
]

SYSTEM = "petition"
SERVICE_PATH = "/services/XfService"
MAX_BATCH = 100  # GetXfjBatch refuses more
MAX_PAGE = 100  # QueryXfjList refuses larger pages


_READ_OPERATIONS = ("Get", "Query")  # GetXfjDetail, GetXfjBatch, QueryXfjList: reads; every other operation writes


@dataclass(frozen=True, slots=True)
class PetitionRecord:
    """One 信访件 in domain terms. Petitioner identifiers are raw here; the subgraph masks them."""

    petition_no: str  # xfjbh 信访件编号
    province_no: str  # sxfjbh 省信访件编号 (empty unless it came down from the province)
    petition_date: date  # xfrq 信访日期
    registered_at: datetime  # djsj 登记时间
    form: str  # xfxs 信访形式: 来信/来访/网上/来电/传真
    petitioner_name: str  # xm 姓名
    petitioner_sex: str  # xb 性别
    id_number: str  # zjhm 证件号码
    phone: str  # lxdh 联系电话
    address: str  # zz 住址
    location_code: str  # wtsddm 问题属地代码
    location_name: str  # wtsdmc 问题属地
    title: str  # bt 标题
    content: str  # fynr 反映内容
    content_class: str  # nrfl 内容分类 (name only)
    purpose: str  # xfmd 三类: 建议意见类/检举控告类/申诉求决类
    urgency: str  # jjcd 紧急程度
    registrar: str  # djr 登记人
    persons_involved: int  # sjrs 涉及人数
    is_group: bool  # qtbs 群体
    is_joint: bool  # lmbs 联名
    to_beijing: bool  # jjfbs 进京访
    skip_level: bool  # ybfbs 越级访
    is_repeat: bool  # cfbs 重复访
    is_accusation: bool  # jbkg 检举控告 (Art 30: never shown to the accused)
    query_code: str  # cxm 查询码 (server-side only)
    source_status: str  # zt 状态, raw
    routing_mode: str  # zjfs 转送/交办
    lead_unit: UnitRef | None  # cbdw/cbdwdm 承办单位
    routed_at: datetime | None  # zjsj
    accepted_at: datetime | None  # slsj 受理(告知)时间
    refusal_reason: str  # bslyy 不予受理理由 / 导入程序去向
    extension_days: int  # yqts 延期天数
    extension_reason: str  # yqly
    extended_at: datetime | None  # yqsj
    opinion_outcome: str  # clyj 支持/解释说明/不予支持
    opinion_text: str  # yjnr
    opinion_at: datetime | None  # yjsj 意见书时间
    review_requested_at: datetime | None  # fcsqsj 复查申请
    review_opinion: str  # fcyj
    review_decided_at: datetime | None  # fcjdsj
    recheck_requested_at: datetime | None  # fhsqsj 复核申请
    recheck_opinion: str  # fhyj
    recheck_decided_at: datetime | None  # fhjdsj
    closed_at: datetime | None  # bjsj 办结时间
    handling_deadline: datetime | None  # xbjzsj 限办截止时间 of the current stage
    overdue: bool  # sfcq 是否超期 (a step was taken late)
    overdue_note: str  # cqsm 超期说明
    accused: str = ""  # bjbr 被举报人/单位: only for the access rules (Art 30 ¶3), never shown
    evaluation_score: int | None = None  # pjfs 评价分数 1-5 (Art 21: the petitioner's own evaluation online)
    evaluation_comment: str = ""  # pjyj 评价意见
    evaluated_at: datetime | None = None  # pjsj 评价时间


@dataclass(frozen=True, slots=True)
class NewPetition:
    """What registering a petition needs (Art 19: name, address, request, facts, reasons)."""

    form: str  # 信访形式
    petitioner_name: str
    address: str
    content: str
    purpose: str  # 三类
    phone: str = ""
    id_number: str = ""
    petitioner_sex: str = ""
    title: str = ""
    location_code: str = ""
    location_name: str = ""
    content_class: str = ""
    urgency: str = "一般"
    registrar: str = ""
    persons_involved: int = 1
    is_group: bool = False
    accused: str = ""  # 被举报人/单位, stored for 检举控告 items; never read back


@dataclass(frozen=True, slots=True, kw_only=True)
class PetitionCriteria:
    """QueryXfjList filters; empty means "any"."""

    statuses: tuple[str, ...] = ()  # raw zt values
    phone: str = ""
    id_number: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class PetitionPage:
    records: tuple[PetitionRecord, ...]
    total: int


def _field(el: Element, name: str) -> str:
    return (el.findtext(name) or "").strip()


def _moment(system: str, text: str) -> datetime | None:
    """The system's string dates: ``YYYY-MM-DD HH:MM:SS``, sometimes a bare date; empty for none."""
    if not text:
        return None
    try:
        if len(text) > 10:
            return parse_legacy_datetime(text)
        if len(text) == 10 and text[4] == text[7] == "-":
            return datetime.fromisoformat(text)  # what strptime answers for YYYY-MM-DD, without its regex
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError as exc:
        raise LegacyProtocolError(system, f"bad date {text!r}") from exc


def _flag(text: str) -> bool:
    return text in ("1", "是", "Y", "true")


def _count(system: str, text: str, default: int) -> int:
    if not text:
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise LegacyProtocolError(system, f"bad number {text!r}") from exc


def record_from_xml(el: Element, system: str = SYSTEM) -> PetitionRecord:
    """An ``<XFJ>`` element as a :class:`PetitionRecord` (the one legacy-to-domain field mapping)."""

    def f(name: str) -> str:
        return _field(el, name)

    def at(name: str) -> datetime | None:
        return _moment(system, f(name))

    number, status, registered = f("xfjbh"), f("zt"), at("djsj")
    if not number or not status or registered is None:
        raise LegacyProtocolError(system, "record lacks xfjbh, zt or djsj")
    petition_day = at("xfrq")
    unit_name = f("cbdw")
    return PetitionRecord(
        petition_no=number,
        province_no=f("sxfjbh"),
        petition_date=(petition_day or registered).date(),
        registered_at=registered,
        form=f("xfxs"),
        petitioner_name=f("xm"),
        petitioner_sex=f("xb"),
        id_number=normalize_id_number(f("zjhm")),
        phone=normalize_phone(f("lxdh")),
        address=f("zz"),
        location_code=f("wtsddm"),
        location_name=f("wtsdmc"),
        title=f("bt"),
        content=f("fynr"),
        content_class=f("nrfl"),
        purpose=f("xfmd"),
        urgency=f("jjcd"),
        registrar=f("djr"),
        persons_involved=_count(system, f("sjrs"), 1),
        is_group=_flag(f("qtbs")),
        is_joint=_flag(f("lmbs")),
        to_beijing=_flag(f("jjfbs")),
        skip_level=_flag(f("ybfbs")),
        is_repeat=_flag(f("cfbs")),
        is_accusation=_flag(f("jbkg")) or f("xfmd") == "检举控告类",
        query_code=f("cxm"),
        source_status=status,
        routing_mode=f("zjfs"),
        lead_unit=UnitRef(code=f("cbdwdm"), name=unit_name) if unit_name else None,
        routed_at=at("zjsj"),
        accepted_at=at("slsj"),
        refusal_reason=f("bslyy"),
        extension_days=_count(system, f("yqts"), 0),
        extension_reason=f("yqly"),
        extended_at=at("yqsj"),
        opinion_outcome=f("clyj"),
        opinion_text=f("yjnr"),
        opinion_at=at("yjsj"),
        review_requested_at=at("fcsqsj"),
        review_opinion=f("fcyj"),
        review_decided_at=at("fcjdsj"),
        recheck_requested_at=at("fhsqsj"),
        recheck_opinion=f("fhyj"),
        recheck_decided_at=at("fhjdsj"),
        closed_at=at("bjsj"),
        handling_deadline=at("xbjzsj"),
        overdue=_flag(f("sfcq")),
        overdue_note=f("cqsm"),
        accused=f("bjbr"),
        evaluation_score=_count(system, f("pjfs"), 0) or None,
        evaluation_comment=f("pjyj"),
        evaluated_at=at("pjsj"),
    )


def _new_petition_params(p: NewPetition) -> list[tuple[str, str]]:
    params = [
        ("xfxs", p.form),
        ("xm", p.petitioner_name),
        ("xb", p.petitioner_sex),
        ("zjhm", normalize_id_number(p.id_number) if p.id_number else ""),
        ("lxdh", normalize_phone(p.phone) if p.phone else ""),
        ("zz", p.address),
        ("wtsddm", p.location_code),
        ("wtsdmc", p.location_name),
        ("bt", p.title),
        ("fynr", p.content),
        ("nrfl", p.content_class),
        ("xfmd", p.purpose),
        ("jjcd", p.urgency),
        ("djr", p.registrar),
        ("sjrs", str(p.persons_involved)),
        ("qtbs", "1" if p.is_group else "0"),
        ("bjbr", p.accused),
    ]
    return [(name, value) for name, value in params if value]


class PetitionClient:
    """XfService client. One per process; safe for concurrent use (no session state: WS-Security is per call).

    The UsernameToken's username and password are the credential broker's (:mod:`auth.broker`); without a
    ``broker`` the service account of ``options`` gets one of its own. Each call made for a user names them in
    ``minyi:ActingUser``."""

    system = SYSTEM

    def __init__(
        self,
        options: AdapterOptions,
        *,
        broker: CredentialBroker | None = None,
        password_digest: bool = True,
        nonce: Callable[[], bytes] = lambda: secrets.token_bytes(16),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.options = options
        self.broker = broker or CredentialBroker.single(SYSTEM, options.username, options.password)
        self.broker.credentials(SYSTEM)  # fail at start-up when the broker lacks them
        self.http = LegacyHttp(SYSTEM, options)
        self._digest = password_digest
        self._nonce = nonce
        self._clock = clock
        self._batch = max(1, min(options.batch_size, MAX_BATCH))

    async def call(self, operation: str, params: Sequence[tuple[str, str]]) -> Element:
        """Run one operation; its ``OPDETAIL`` or a LegacyError."""
        credentials = self.broker.credentials(SYSTEM)
        envelope = request_envelope(
            operation,
            params,
            username=credentials.username,
            password=credentials.secret,
            digest=self._digest,
            nonce=self._nonce(),
            created=self._clock(),
            acting_user=acting_user(),
        )
        answer = await self.http.request(
            "POST",
            SERVICE_PATH,
            data=envelope,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"urn:minyi:xf#{operation}"'},
            accept_statuses=frozenset({500}),
            idempotent=operation.startswith(_READ_OPERATIONS),  # a read may be retried, a write never
        )
        return parse_answer(SYSTEM, operation, answer.status, answer.body)

    async def _records(self, operation: str, params: Sequence[tuple[str, str]]) -> list[PetitionRecord]:
        return [record_from_xml(el) for el in (await self.call(operation, params)).findall("XFJ")]

    async def _one(self, operation: str, params: Sequence[tuple[str, str]]) -> PetitionRecord:
        records = await self._records(operation, params)
        if len(records) != 1:
            raise LegacyProtocolError(SYSTEM, f"{operation} answered {len(records)} records, expected 1")
        return records[0]

    # Reads -------------------------------------------------------------------------------------------------

    async def get(self, petition_no: str) -> PetitionRecord | None:
        """GetXfjDetail; ``None`` when the system does not know the number."""
        try:
            return await self._one("GetXfjDetail", [("xfjbh", petition_no)])
        except LegacyNotFound:
            return None

    async def get_many(self, petition_nos: Sequence[str]) -> dict[str, PetitionRecord]:
        """GetXfjBatch in chunks of ``batch_size``; unknown numbers are absent from the result."""
        distinct = list(dict.fromkeys(petition_nos))
        chunks = [distinct[i : i + self._batch] for i in range(0, len(distinct), self._batch)]
        answers = await asyncio.gather(
            *(self._records("GetXfjBatch", [("xfjbh", n) for n in chunk]) for chunk in chunks),
            return_exceptions=True,
        )
        found: dict[str, PetitionRecord] = {}
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
            found.update((r.petition_no, r) for r in answer)
        return found

    async def search(self, criteria: PetitionCriteria, *, offset: int, limit: int) -> PetitionPage:
        """Records ``offset`` to ``offset + limit`` of QueryXfjList (newest first); one or two page requests."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise ValueError(f"limit must be 1..{MAX_PAGE} and offset >= 0")
        first_page = offset // limit + 1
        pages = [first_page] if offset % limit == 0 else [first_page, first_page + 1]
        answers = await asyncio.gather(*(self._page(criteria, page, limit) for page in pages))
        total = answers[0][0]
        records = [r for _, page in answers for r in page]
        skip = offset - (first_page - 1) * limit
        return PetitionPage(tuple(records[skip : skip + limit]), total)

    async def _page(self, criteria: PetitionCriteria, page_no: int, size: int) -> tuple[int, list[PetitionRecord]]:
        params = [("pageNo", str(page_no)), ("pageSize", str(size))]
        if criteria.statuses:
            params.append(("zt", ",".join(criteria.statuses)))
        if criteria.id_number:
            params.append(("zjhm", normalize_id_number(criteria.id_number)))
        if criteria.phone:
            params.append(("lxdh", normalize_phone(criteria.phone)))
        if criteria.text:
            params.append(("gjz", criteria.text))
        detail = await self.call("QueryXfjList", params)
        total = _count(SYSTEM, _field(detail, "TOTAL"), -1)
        if total < 0:
            raise LegacyProtocolError(SYSTEM, "QueryXfjList answer lacks TOTAL")
        return total, [record_from_xml(el) for el in detail.findall("XFJ")]

    # Writes (信访工作条例 workflow) ------------------------------------------------------------------------

    async def register(self, petition: NewPetition) -> PetitionRecord:
        """登记."""
        return await self._one("RegisterXfj", _new_petition_params(petition))

    async def route(self, petition_no: str, *, assign: bool, unit: UnitRef, late_note: str = "") -> PetitionRecord:
        """转送 (``assign=False``) or 交办 to ``unit`` (Art 22, 15 日)."""
        params = [
            ("xfjbh", petition_no),
            ("zjfs", "交办" if assign else "转送"),
            ("cbdw", unit.name),
            ("cbdwdm", unit.code),
            ("cqsm", late_note),
        ]
        return await self._one("RouteXfj", params)

    async def accept(self, petition_no: str, *, late_note: str = "") -> PetitionRecord:
        """受理 with 书面告知 (Art 23, 15 日)."""
        return await self._one("AcceptXfj", [("xfjbh", petition_no), ("cqsm", late_note)])

    async def reject(
        self, petition_no: str, *, reason: str, to_procedure: bool = False, late_note: str = ""
    ) -> PetitionRecord:
        """不予受理, or 导入 the legal procedure named in ``reason`` (Art 31)."""
        params = [("xfjbh", petition_no), ("bslyy", reason), ("drcx", "1" if to_procedure else "0")]
        return await self._one("RejectXfj", [*params, ("cqsm", late_note)])

    async def extend(self, petition_no: str, *, days: int, reason: str) -> PetitionRecord:
        """延期 ≤30 日, once (Art 34)."""
        return await self._one("ExtendXfj", [("xfjbh", petition_no), ("yqts", str(days)), ("yqly", reason)])

    async def issue_opinion(self, petition_no: str, *, outcome: str, text: str, late_note: str = "") -> PetitionRecord:
        """信访处理意见书: 支持/解释说明/不予支持 (Art 32, 34)."""
        params = [("xfjbh", petition_no), ("clyj", outcome), ("yjnr", text), ("cqsm", late_note)]
        return await self._one("IssueOpinion", params)

    async def request_review(self, petition_no: str, *, recheck: bool = False) -> PetitionRecord:
        """复查 (Art 35) or 复核 (Art 36), within 30 日."""
        return await self._one("RequestReview", [("xfjbh", petition_no), ("sqlx", "复核" if recheck else "复查")])

    async def decide_review(self, petition_no: str, *, text: str, late_note: str = "") -> PetitionRecord:
        """复查/复核意见 within 30 日."""
        return await self._one("DecideReview", [("xfjbh", petition_no), ("fcyj", text), ("cqsm", late_note)])

    async def close(self, petition_no: str) -> PetitionRecord:
        """办结 (终结 after 复核)."""
        return await self._one("CloseXfj", [("xfjbh", petition_no)])

    async def evaluate(self, petition_no: str, *, score: int, comment: str = "") -> PetitionRecord:
        """评价 by the petitioner (Art 21): a 1-5 score and a comment, once, after the opinion."""
        return await self._one("EvaluateXfj", [("xfjbh", petition_no), ("pjfs", str(score)), ("pjyj", comment)])
