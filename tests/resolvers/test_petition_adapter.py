"""The petition adapter against the real stand-in (and a canned SOAP server for answers the stand-in never gives)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element, SubElement

import aiohttp
import pytest
from aiohttp import web

from legacy.petition.app import create_app
from legacy.standin import StandinOptions
from resilience import BreakerPolicy
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
    LegacyUnavailable,
)
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.petition import (
    NewPetition,
    PetitionClient,
    PetitionCriteria,
    PetitionRecord,
    _moment,
    record_from_xml,
)
from resolvers.adapters.petition_soap import SERVICE_NS, SOAP_NS, WSSE_NS
from resolvers.appeals.petition_source import record_of_petition
from resolvers.appeals.timeline import build_timeline, citizen_safe
from resolvers.domain import UnifiedStatus, UnitRef
from resolvers.petition_limits import LimitHolder, StatutoryLimit, statutory_stage
from resolvers.petition_status import RAW_STAGES, PetitionStage, petition_stage, source_statuses, unified_status
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

USER, PASSWORD = "minyi-service", "minyi-service-pass"


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions()))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
async def _close_session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


NEVER_OPENS = BreakerPolicy(failures=10_000)


def client(url: str, **options: object) -> PetitionClient:
    extra = {k: v for k, v in options.items() if k in ("password_digest", "nonce", "clock")}
    adapter_options = {k: v for k, v in options.items() if k not in extra}
    base = AdapterOptions(base_url=url, username=USER, password=PASSWORD)
    return PetitionClient(replace(base, **adapter_options), **extra)  # type: ignore[arg-type]


async def admin(url: str, method: str, path: str, body: object = None) -> dict[str, object]:
    async with aiohttp.ClientSession() as session, session.request(method, url + path, json=body) as resp:
        return dict(await resp.json())


async def everything(c: PetitionClient) -> list[PetitionRecord]:
    return list((await c.search(PetitionCriteria(), offset=0, limit=100)).records)


# Reads --------------------------------------------------------------------------------------------------------


async def test_records_carry_domain_names(standin: BackgroundServer) -> None:
    c = client(standin.url)
    records = await everything(c)
    routed = next(r for r in records if r.routed_at is not None and r.lead_unit is not None)
    one = await c.get(routed.petition_no)
    assert one == routed
    assert one.phone.isdigit() and len(one.phone) == 11
    assert one.registered_at <= one.routed_at  # type: ignore[operator]
    assert one.routing_mode in ("转送", "交办")
    assert all(r.petition_date <= r.registered_at.date() for r in records)
    accusations = [r for r in records if r.is_accusation]
    assert accusations and all(r.purpose == "检举控告类" for r in accusations)
    # bjbr (the accused) is read only so that access rules can hide an accusation from the accused unit
    # (信访工作条例 Art 30 ¶3); non-accusation items carry none, and no schema field exposes it.
    assert all(r.accused == "" for r in records if not r.is_accusation)


async def test_unknown_number_reads_as_none(standin: BackgroundServer) -> None:
    assert await client(standin.url).get("XF0000000") is None


async def test_hundred_numbers_cost_one_batch_request(standin: BackgroundServer) -> None:
    c = client(standin.url)
    numbers = [r.petition_no for r in await everything(c)]
    wanted = (numbers + [f"XF-MISSING-{i}" for i in range(100)])[:100]
    await admin(standin.url, "POST", "/_admin/reset")
    found = await c.get_many(wanted + wanted[:10])  # duplicates are asked once
    stats = await admin(standin.url, "GET", "/_admin/stats")
    assert stats["requests"] == 1
    assert set(found) == set(numbers) & set(wanted)


async def test_batches_are_chunked_by_batch_size(standin: BackgroundServer) -> None:
    c = client(standin.url, batch_size=30)
    numbers = [r.petition_no for r in await everything(c)]
    await admin(standin.url, "POST", "/_admin/reset")
    found = await c.get_many(numbers)
    stats = await admin(standin.url, "GET", "/_admin/stats")
    assert stats["requests"] == -(-len(numbers) // 30)
    assert list(found) == [n for n in numbers if n in found] and len(found) == len(numbers)


async def test_search_pages_at_any_offset(standin: BackgroundServer) -> None:
    c = client(standin.url)
    full = await everything(c)
    for offset, limit in ((0, 10), (5, 10), (17, 7), (len(full) - 3, 10)):
        page = await c.search(PetitionCriteria(), offset=offset, limit=limit)
        assert page.total == len(full)
        assert [r.petition_no for r in page.records] == [r.petition_no for r in full[offset : offset + limit]]


async def test_search_filters(standin: BackgroundServer) -> None:
    c = client(standin.url)
    full = await everything(c)
    sample = full[0]
    by_phone = await c.search(PetitionCriteria(phone=f"+86 {sample.phone[:3]}-{sample.phone[3:]}"), offset=0, limit=50)
    assert sample.petition_no in {r.petition_no for r in by_phone.records}
    statuses = source_statuses(UnifiedStatus.REVIEW)
    review = await c.search(PetitionCriteria(statuses=statuses), offset=0, limit=100)
    assert {r.petition_no for r in review.records} == {r.petition_no for r in full if r.source_status in statuses}


# Auth ---------------------------------------------------------------------------------------------------------


async def test_password_text_works_too(standin: BackgroundServer) -> None:
    assert (await client(standin.url, password_digest=False).search(PetitionCriteria(), offset=0, limit=1)).total > 0


@pytest.mark.parametrize("digest", [True, False])
async def test_a_wrong_password_is_refused(standin: BackgroundServer, digest: bool) -> None:
    c = client(standin.url, password="not-the-password", password_digest=digest)
    with pytest.raises(LegacyAuthError) as refused:
        await c.get("XF0000000")
    assert refused.value.system == "petition" and "FailedAuthentication" in refused.value.detail


async def test_a_replayed_nonce_is_refused(standin: BackgroundServer) -> None:
    nonce = secrets.token_bytes(16)
    c = client(standin.url, nonce=lambda: nonce)
    await c.search(PetitionCriteria(), offset=0, limit=1)
    with pytest.raises(LegacyAuthError, match="replay"):
        await c.search(PetitionCriteria(), offset=0, limit=1)


async def test_a_skewed_clock_is_refused(standin: BackgroundServer) -> None:
    c = client(standin.url, clock=lambda: datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(LegacyAuthError, match="MessageExpired"):
        await c.get("XF0000000")


# Writes and business refusals ---------------------------------------------------------------------------------


async def test_workflow_writes_and_refusals(standin: BackgroundServer) -> None:
    c = client(standin.url)
    draft = NewPetition(
        form="网上",
        petitioner_name="测试",
        address="湖南省长沙市岳麓区",
        content="反映小区电梯长期故障无人维修。",
        purpose="申诉求决类",
        phone="139-0000-2222",
        id_number="43010419800101002x",
        title="电梯故障",
    )
    record = await c.register(draft)
    assert (record.source_status, record.phone, record.id_number) == ("已登记", "13900002222", "43010419800101002X")
    with pytest.raises(LegacyRejected, match="1005"):
        await c.register(draft)  # 信访工作条例 Art 19 ¶3
    with pytest.raises(LegacyRejected, match="1002"):
        await c.extend(record.petition_no, days=10, reason="复杂")
    routed = await c.route(record.petition_no, assign=False, unit=UnitRef("430100ZJJ", "市住房和城乡建设局"))
    assert routed.lead_unit == UnitRef("430100ZJJ", "市住房和城乡建设局")
    accepted = await c.accept(record.petition_no)
    with pytest.raises(LegacyRejected, match="1001"):
        await c.extend(record.petition_no, days=31, reason="复杂")
    extended = await c.extend(record.petition_no, days=30, reason="复杂")
    assert extended.handling_deadline == accepted.handling_deadline + timedelta(days=30)  # type: ignore[operator]
    opinion = await c.issue_opinion(record.petition_no, outcome="支持", text="已维修")
    assert opinion.source_status == "已出具意见"
    closed = await c.close(record.petition_no)
    assert closed.closed_at is not None
    with pytest.raises(LegacyNotFound):
        await c.accept("XF0000000")


# Failures of the system ---------------------------------------------------------------------------------------


async def test_a_stopped_system_is_unavailable() -> None:
    with pytest.raises(LegacyUnavailable):
        await client(f"http://127.0.0.1:{free_port()}", timeout_s=1.0).get("XF1")


async def test_a_slow_system_is_unavailable(standin: BackgroundServer) -> None:
    await admin(standin.url, "POST", "/_admin/faults", {"latency_ms": 800})
    try:
        with pytest.raises(LegacyUnavailable, match="no answer"):
            await client(standin.url, timeout_s=0.2).get("XF1")
    finally:
        await admin(standin.url, "POST", "/_admin/faults", {"latency_ms": 0})


# Answers the stand-in never gives: a canned SOAP server -------------------------------------------------------


class Canned:
    def __init__(self) -> None:
        self.status = 200
        self.body = b""

    async def handle(self, request: web.Request) -> web.Response:
        return web.Response(status=self.status, body=self.body, content_type="text/xml")


@pytest.fixture(scope="module")
def canned() -> Iterator[tuple[Canned, BackgroundServer]]:
    answers = Canned()

    def make() -> web.Application:
        app = web.Application()
        app.router.add_post("/services/XfService", answers.handle)
        return app

    server = serve_aiohttp(make)
    yield answers, server
    server.stop()


def soap(body: str, extra_ns: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_NS}" xmlns:xf="{SERVICE_NS}"{extra_ns}>'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def fault(code: str, extra_ns: str = "") -> bytes:
    return soap(f"<soap:Fault><faultcode>{code}</faultcode><faultstring>nope</faultstring></soap:Fault>", extra_ns)


def returned(code: str, records: str = "") -> bytes:
    return soap(
        f"<xf:GetXfjDetailResponse><RETURN_CODE>{code}</RETURN_CODE><RETURN_MSG>msg</RETURN_MSG>"
        f"<OPDETAIL>{records}</OPDETAIL></xf:GetXfjDetailResponse>"
    )


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, fault("wsse:FailedAuthentication", f' xmlns:wsse="{WSSE_NS}"'), LegacyAuthError),
        (500, fault("sec:MessageExpired", f' xmlns:sec="{WSSE_NS}"'), LegacyAuthError),  # the prefix is resolved
        (500, fault("soap:Client"), LegacyRejected),
        (500, fault("soap:Client.BadParameter"), LegacyRejected),
        (500, fault("soap:Server"), LegacyUnavailable),
        (500, fault("soap:VersionMismatch"), LegacyProtocolError),
        (200, fault("soap:Client"), LegacyRejected),  # a fault with the wrong status is still a fault
        (500, b"<html><body>Internal Server Error</body></html>", LegacyUnavailable),
        (502, b"Bad Gateway", LegacyUnavailable),
        (503, fault("soap:Client"), LegacyUnavailable),  # only 500 is read as SOAP
        (401, b"", LegacyAuthError),
        (404, b"Not Found", LegacyRejected),
        (200, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', LegacyProtocolError),
        (200, b"<soap:Envelope", LegacyProtocolError),
        (200, b"<answer/>", LegacyProtocolError),
        (200, returned("2001"), LegacyNotFound),
        (200, returned("1002"), LegacyRejected),
        (200, returned("OK"), LegacyProtocolError),
        (
            200,
            soap("<xf:GetXfjDetailResponse><RETURN_CODE>0</RETURN_CODE></xf:GetXfjDetailResponse>"),
            LegacyProtocolError,
        ),
        (200, returned("0", "<XFJ><xfjbh>XF1</xfjbh></XFJ>"), LegacyProtocolError),  # no zt, no djsj
        (200, returned("0", "<XFJ><xfjbh>XF1</xfjbh><zt>已登记</zt><djsj>yesterday</djsj></XFJ>"), LegacyProtocolError),
        (200, returned("0", ""), LegacyProtocolError),  # a detail read must answer one record
    ],
)
async def test_answers_map_onto_legacy_errors(
    canned: tuple[Canned, BackgroundServer], status: int, body: bytes, error: type[LegacyError]
) -> None:
    answers, server = canned
    answers.status, answers.body = status, body
    c = client(server.url, breaker=NEVER_OPENS)  # one canned server answers every case: each case stands alone
    if error is LegacyNotFound:
        assert await c.get("XF1") is None  # a detail read of an unknown number is not an error
    with pytest.raises(LegacyError) as raised:
        await (c.call("GetXfjDetail", [("xfjbh", "XF1")]) if error is LegacyNotFound else c.get("XF1"))
    assert type(raised.value) is error
    assert raised.value.system == "petition"


async def test_unknown_status_in_an_answer_is_a_protocol_error() -> None:
    with pytest.raises(LegacyProtocolError):
        unified_status("审批中")


# Status mapping and statutory stages --------------------------------------------------------------------------

EXPECTED_STATUS = {
    "已登记": UnifiedStatus.SUBMITTED,
    "已转送": UnifiedStatus.DISPATCHED,
    "已交办": UnifiedStatus.DISPATCHED,
    "已受理": UnifiedStatus.HANDLING,
    "不予受理": UnifiedStatus.NOT_ACCEPTED,
    "已导入法定程序": UnifiedStatus.REDIRECTED,
    "已延期": UnifiedStatus.EXTENDED,
    "已出具意见": UnifiedStatus.REPLIED,
    "复查中": UnifiedStatus.REVIEW,
    "复查已答复": UnifiedStatus.REVIEW,
    "复核中": UnifiedStatus.REVIEW,
    "复核已答复": UnifiedStatus.REVIEW,
    "已办结": UnifiedStatus.CLOSED,
    "已终结": UnifiedStatus.CLOSED,
}


@pytest.mark.parametrize(("raw", "status"), EXPECTED_STATUS.items())
def test_status_mapping_table(raw: str, status: UnifiedStatus) -> None:
    assert unified_status(raw) is status
    assert raw in source_statuses(status)


def test_status_table_is_complete() -> None:
    assert set(RAW_STAGES) == set(EXPECTED_STATUS)
    assert source_statuses(UnifiedStatus.VISIT) == ()
    assert set(source_statuses(UnifiedStatus.REVIEW)) == {"复查中", "复查已答复", "复核中", "复核已答复"}


async def test_statutory_stage_follows_the_record(standin: BackgroundServer) -> None:
    records = await everything(client(standin.url))
    expected = {
        PetitionStage.REGISTERED: (StatutoryLimit.ROUTING, LimitHolder.ORGAN, 15),
        PetitionStage.ROUTED: (StatutoryLimit.ACCEPTANCE_NOTICE, LimitHolder.ORGAN, 15),
        PetitionStage.ACCEPTED: (StatutoryLimit.HANDLING, LimitHolder.ORGAN, 60),
        PetitionStage.OPINION_ISSUED: (StatutoryLimit.REVIEW_REQUEST, LimitHolder.PETITIONER, 30),
        PetitionStage.REVIEW_REQUESTED: (StatutoryLimit.REVIEW_DECISION, LimitHolder.ORGAN, 30),
    }
    checked = set()
    for record in records:
        stage = petition_stage(record.source_status)
        found = statutory_stage(record)
        if stage in (PetitionStage.CLOSED, PetitionStage.TERMINATED, PetitionStage.NOT_ACCEPTED):
            assert found is None
        if stage in expected and found is not None:
            assert (found.limit, found.holder, found.days) == expected[stage]
            assert found.due_at == found.started_at + timedelta(days=found.days) == record.handling_deadline
            checked.add(stage)
    assert len(checked) >= 4
    extended = next(r for r in records if r.source_status == "已受理")
    longer = replace(extended, source_status="已延期", extension_days=20, handling_deadline=None)
    running = statutory_stage(longer)
    assert running is not None and running.limit is StatutoryLimit.EXTENDED_HANDLING and running.days == 80
    assert running.due_at == (extended.accepted_at or datetime.min) + timedelta(days=80)


def _xfj(**fields: str) -> Element:
    """A minimal ``<XFJ>`` record as the petition system sends it, with ``fields`` added."""
    element = Element("XFJ")
    for name, value in {"xfjbh": "4301002026110001", "zt": "已登记", "djsj": "2026-11-02 09:00:00", **fields}.items():
        SubElement(element, name).text = value
    return element


@pytest.mark.parametrize(
    ("column", "flag"),
    [
        ("qtbs", "is_group"),
        ("lmbs", "is_joint"),
        ("jjfbs", "to_beijing"),
        ("ybfbs", "skip_level"),
        ("cfbs", "is_repeat"),
    ],
)
def test_each_flag_is_read_from_its_own_column(column: str, flag: str) -> None:
    """群体, 联名, 进京访, 越级访, 重复访: each set by its own column only, in any of the system's spellings."""
    flags = ("is_group", "is_joint", "to_beijing", "skip_level", "is_repeat")
    for spelling in ("1", "是"):
        record = record_from_xml(_xfj(**{column: spelling}))
        assert [getattr(record, f) for f in flags] == [f == flag for f in flags]
    assert not getattr(record_from_xml(_xfj(**{column: "0"})), flag)
    assert not getattr(record_from_xml(_xfj()), flag)


def test_the_petitioner_is_told_why_the_handling_was_extended() -> None:
    """信访工作条例 Art 34: the extension's reason reaches the petitioner's own timeline (node 7)."""
    extended = _xfj(zt="已延期", slsj="2026-11-03 09:00:00", yqsj="2026-12-20 09:00:00", yqts="30", yqly="需调查取证")
    record = record_of_petition(b"k", record_from_xml(extended))
    handling = citizen_safe(build_timeline(record))[6]
    assert handling.detail == "已延期 1 次（需调查取证）"  # no deadline of its own in this record
    assert record_of_petition(b"k", record_from_xml(_xfj(zt="已受理", yqly="草拟中"))).extension_reason == ""


@pytest.mark.parametrize("text", ["2024-01-05", "2024-1-5", "2023-12-31", "2024-13-01", "2024-02-30", "2024-W01-1"])
def test_a_bare_date_reads_as_strptime_reads_it(text: str) -> None:
    try:
        expected: datetime | None = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(LegacyProtocolError, match="bad date"):
            _moment("petition", text)
    else:
        assert _moment("petition", text) == expected
