"""The hotline adapter against the real stand-in over loopback: sessions, batching, paging, errors, statuses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from legacy.hotline.app import create_app
from legacy.standin import StandinOptions
from legacy.world import build_world
from resolvers.adapters.errors import LegacyAuthError, LegacyProtocolError, LegacyRejected, LegacyUnavailable
from resolvers.adapters.hotline import HotlineClient, page_plan, ticket_from_legacy
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.appeals.hotline_source import record_of_ticket
from resolvers.domain import AppealType, UnifiedStatus
from resolvers.hotline_status import DISPATCHED, STATUS_TABLE, StatusFilter, filter_for, unified_status
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

LOGIN = "POST /api/auth/login"
BATCH = "GET /api/gd/batch"


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
async def _close_http() -> AsyncIterator[None]:
    yield
    await close_shared_session()


def _client(url: str, **options: Any) -> HotlineClient:
    return HotlineClient(
        AdapterOptions(base_url=url, username="minyi-service", password="minyi-service-pass", **options)
    )


async def _admin(url: str, path: str, body: Any = None) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        method = "GET" if path == "/_admin/stats" else "POST"
        async with http.request(method, url + path, json=body) as resp:
            answer: dict[str, Any] = await resp.json()
            return answer


async def _order_nos(url: str, count: int) -> list[str]:
    page = await _client(url).list_tickets(limit=count)
    return [r.order_no for r in page.records]


# -- sessions -----------------------------------------------------------------------------------------------


async def test_expired_session_costs_exactly_one_relogin(standin: BackgroundServer) -> None:
    client = _client(standin.url)
    numbers = await _order_nos(standin.url, 3)
    assert len(await client.get_many(numbers)) == 3
    await _admin(standin.url, "/_admin/expire-sessions")
    await _admin(standin.url, "/_admin/reset")
    assert len(await client.get_many(numbers)) == 3
    stats = await _admin(standin.url, "/_admin/stats")
    assert stats["by_route"][LOGIN] == 1
    assert stats["by_route"][BATCH] == 2  # the refused call, then its one retry
    assert stats["requests"] == 3


async def test_concurrent_callers_share_one_relogin(standin: BackgroundServer) -> None:
    client = _client(standin.url)
    numbers = await _order_nos(standin.url, 10)
    await client.get(numbers[0])
    await _admin(standin.url, "/_admin/expire-sessions")
    await _admin(standin.url, "/_admin/reset")
    found = await asyncio.gather(*(client.get(n) for n in numbers))
    assert all(r is not None for r in found)
    assert (await _admin(standin.url, "/_admin/stats"))["by_route"][LOGIN] == 1


async def test_wrong_credentials_are_an_auth_error(standin: BackgroundServer) -> None:
    client = HotlineClient(AdapterOptions(base_url=standin.url, username="minyi-service", password="nope"))
    with pytest.raises(LegacyAuthError, match="login refused"):
        await client.get("20260101000001")


async def test_a_session_refused_again_after_relogin_is_an_auth_error() -> None:
    logins = 0

    async def login(request: web.Request) -> web.Response:
        nonlocal logins
        logins += 1
        return web.json_response({"code": 0, "data": {"token": f"t{logins}", "expire": ""}})

    async def always_expired(request: web.Request) -> web.Response:
        return web.json_response({"code": 401, "msg": "会话已过期"})

    def make() -> web.Application:
        app = web.Application()
        app.router.add_post("/api/auth/login", login)
        app.router.add_get("/api/gd/batch", always_expired)
        return app

    server = serve_aiohttp(make)
    try:
        with pytest.raises(LegacyAuthError, match="right after a new login"):
            await _client(server.url).get("20260101000001")
        assert logins == 2  # the first login and exactly one re-login
    finally:
        server.stop()


# -- batch reads --------------------------------------------------------------------------------------------


async def test_hundred_ids_take_one_login_and_one_batch(standin: BackgroundServer) -> None:
    numbers = await _order_nos(standin.url, 100)
    await _admin(standin.url, "/_admin/reset")
    found = await _client(standin.url).get_many([*numbers, *numbers[:10]])  # duplicates are sent once
    assert set(found) == set(numbers)
    stats = await _admin(standin.url, "/_admin/stats")
    assert stats["requests"] == 2 and stats["by_route"] == {LOGIN: 1, BATCH: 1}


async def test_batches_are_chunked_by_batch_size(standin: BackgroundServer) -> None:
    numbers = await _order_nos(standin.url, 5)
    await _admin(standin.url, "/_admin/reset")
    found = await _client(standin.url, batch_size=2).get_many(numbers)
    assert set(found) == set(numbers)
    assert (await _admin(standin.url, "/_admin/stats"))["by_route"][BATCH] == 3


async def test_unknown_numbers_are_absent_not_errors(standin: BackgroundServer) -> None:
    client = _client(standin.url)
    assert await client.get("20000101000001") is None
    assert await client.get_many([]) == {}


async def test_records_carry_domain_names(standin: BackgroundServer) -> None:
    world = build_world(1)
    filing = world.filings_for("hotline")[0]
    page = await _client(standin.url).list_tickets(limit=100, phone=filing.person.phone)
    record = next(r for r in page.records if r.title == filing.title)
    assert record.caller_name == filing.person.name and record.contact_phone == filing.person.phone
    assert record.call_time == filing.received_at
    assert (
        record.appeal_type
        is {
            "咨询": AppealType.CONSULT,
            "求助": AppealType.HELP,
            "投诉": AppealType.COMPLAINT,
            "举报": AppealType.REPORT,
            "建议": AppealType.SUGGESTION,
        }[filing.matter.kind]
    )
    assert record.address == filing.matter.place.text and record.admin_code == filing.matter.place.admin_code12
    assert record.status is unified_status(record.city_state, record.lead_state)


# -- paging -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "limit", "plan"),
    [
        (0, 20, (20, 1, 1)),
        (40, 20, (20, 3, 1)),
        (5, 20, (25, 1, 1)),
        (90, 20, (22, 5, 1)),
        (95, 10, (15, 7, 1)),
        (197, 100, (100, 2, 2)),
    ],
)
def test_page_plan_covers_the_window(offset: int, limit: int, plan: tuple[int, int, int]) -> None:
    assert page_plan(offset, limit) == plan
    size, first, pages = plan
    assert (first - 1) * size <= offset and offset + limit <= (first - 1 + pages) * size


async def test_offset_windows_match_the_legacy_order(standin: BackgroundServer) -> None:
    client = _client(standin.url)
    head = await client.list_tickets(offset=0, limit=100)
    tail = await client.list_tickets(offset=100, limit=100)
    whole = [r.order_no for r in head.records + tail.records]
    assert head.total >= 200 and len(set(whole)) == 200
    for offset, limit in ((5, 20), (37, 50), (99, 2), (150, 50)):
        window = await client.list_tickets(offset=offset, limit=limit)
        assert [r.order_no for r in window.records] == whole[offset : offset + limit]
        assert window.total == head.total


async def test_list_by_status_filter(standin: BackgroundServer) -> None:
    client = _client(standin.url)
    for status in (UnifiedStatus.PENDING_SIGN, UnifiedStatus.HANDLING, UnifiedStatus.CLOSED, UnifiedStatus.VISIT):
        page = await client.list_tickets(limit=100, status=filter_for(status))
        assert page.records and {r.status for r in page.records} == {status}, status


# -- failures -----------------------------------------------------------------------------------------------


async def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(LegacyUnavailable):
        await _client(f"http://127.0.0.1:{free_port()}").get("20260101000001")


async def test_a_slow_system_is_unavailable_after_the_timeout(standin: BackgroundServer) -> None:
    await _admin(standin.url, "/_admin/faults", {"latency_ms": 1500})
    try:
        with pytest.raises(LegacyUnavailable, match=r"no answer within 0\.2s"):
            await _client(standin.url, timeout_s=0.2).get("20260101000001")
    finally:
        await _admin(standin.url, "/_admin/faults", {"latency_ms": 0})


async def test_legacy_rejections_are_rejected_errors(standin: BackgroundServer) -> None:
    with pytest.raises(LegacyRejected, match="code 400"):
        await _client(standin.url).list_tickets(limit=10, status=StatusFilter(("处理中",)))


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, b"<html>", "not JSON"),
        (404, b"{}", "HTTP 404"),
        (200, b'{"data": 1}', "envelope"),
        (200, b'{"code": 0, "data": {"rows": [{"gdbh": "1"}], "total": 1}}', "work order 1"),
    ],
)
async def test_protocol_breaches_are_protocol_errors(status: int, body: bytes, error: str) -> None:
    async def login(request: web.Request) -> web.Response:
        return web.json_response({"code": 0, "data": {"token": "t", "expire": "2999-01-01 00:00:00"}})

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type="application/json")

    def make() -> web.Application:
        app = web.Application()
        app.router.add_post("/api/auth/login", login)
        app.router.add_get("/api/gd/batch", broken)
        return app

    server = serve_aiohttp(make)
    try:
        with pytest.raises(LegacyProtocolError, match=error):
            await _client(server.url).get("20260101000001")
    finally:
        server.stop()


# -- mapping ------------------------------------------------------------------------------------------------


# The mapping itself is tested against the rulebook's words in tests/resolvers/test_hotline_status_rules.py.


def test_status_mapping_edges() -> None:
    assert unified_status(DISPATCHED, None) is UnifiedStatus.DISPATCHED
    assert unified_status("已办结", "办理中") is UnifiedStatus.CLOSED  # unit states only matter while dispatched
    with pytest.raises(ValueError, match="unknown hotline state"):
        unified_status("处理中", None)


@pytest.mark.parametrize("status", list(UnifiedStatus))
def test_status_filters_select_exactly_their_status(status: UnifiedStatus) -> None:
    selector = filter_for(status)
    produced = {s for (city, lead), s in STATUS_TABLE.items()}
    if status not in produced or status is UnifiedStatus.DISPATCHED:
        assert selector is None
        return
    assert isinstance(selector, StatusFilter)
    assert {unified_status(c, selector.lead_state or None) for c in selector.city_states} == {status}


def _raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "gdbh": "20260301000007",
        "lsh": "RX260301000007",
        "ldr": "王五",
        "ldrxb": "男",
        "lxdh": "13700137000",
        "ldhm": "0731-88888888",
        "zjhm": "",
        "slqd": "电话",
        "bt": "标题",
        "nr": "内容",
        "sqlx": "建议",
        "wtfl": {"dm": "0301", "mc": "交通运输/增设红绿灯"},
        "jjcd": "一般",
        "sfdz": "长沙",
        "xzqh": "430102001001",
        "wgbm": "",
        "sfbm": 1,
        "ldsj": "2026-03-01 08:00:00",
        "slsj": "2026-03-01 08:00:00",
        "pdsj": "2026-03-01 09:00:00",
        "blsx": "10",
        "sxdw": "工作日",
        "jzsj": "2026-03-13 09:00:00",
        "zt": "已转办处理中",
        "cbdw": {"dwbm": "43010204", "dwmc": "芙蓉区交通运输局"},
        "xbdw": [],
        "dwzt": [
            {
                "dwbm": "43010211",
                "dwmc": "街道",
                "js": "主办",
                "zt": "已退单",
                "pdsj": "2026-03-01 08:30:00",
                "qsjzsj": "",
                "jzsj": "",
                "qssj": "",
                "dfsj": "",
                "dfnr": "",
                "tdyy": "不归我管",
                "yqts": 0,
                "yqyy": "",
            },
            {
                "dwbm": "43010204",
                "dwmc": "芙蓉区交通运输局",
                "js": "主办",
                "zt": "延期申请中",
                "pdsj": "2026-03-01 09:00:00",
                "qsjzsj": "2026-03-02 09:00:00",
                "jzsj": "2026-03-13 09:00:00",
                "qssj": "2026-03-01 10:00:00",
                "dfsj": "",
                "dfnr": "",
                "tdyy": "",
                "yqts": 5,
                "yqyy": "协调",
            },
        ],
        "thcs": 1,
        "yqcs": 0,
        "cbcs": 0,
        "zjdf": 0,
        "dfsj": "",
        "dfnr": "",
        "shyj": "",
        "hfcs": 0,
        "hfsj": "",
        "sfmy": "",
        "hfyj": "",
        "bjsj": "",
        "lzjl": [{"czsj": "2026-03-01 08:00:00", "czlx": "登记", "czdw": "12345中心", "czsm": ""}],
    }
    raw.update(changes)
    return raw


def test_mapping_handles_the_legacy_quirks() -> None:
    record = ticket_from_legacy(_raw())
    assert record.time_limit == 10 and record.time_unit == "工作日"  # "10" in a string
    assert record.reply_time is None and record.complete_time is None  # "" dates
    assert record.callback_satisfied is None and record.is_secret is True
    assert record.status is UnifiedStatus.HANDLING and record.lead_state == "延期申请中"  # the returned lead is history
    assert record.units[0].sign_deadline is None and record.units[1].extension_days == 5
    assert record.lead_unit is not None and record.lead_unit.code == "43010204"
    assert ticket_from_legacy(_raw(blsx="", sfmy="1")).time_limit is None
    assert ticket_from_legacy(_raw(sfmy="1")).callback_satisfied is True


def test_the_closure_level_reaches_the_tracking_record() -> None:
    closed = ticket_from_legacy(_raw(zt="已办结", bjsj="2026-03-09 17:00:00", bjlx="阶段性办结"))
    assert record_of_ticket(b"k", closed).closure_level == "阶段性办结"
    assert record_of_ticket(b"k", ticket_from_legacy(_raw())).closure_level == ""


def test_only_a_granted_extension_s_reason_reaches_the_tracking_record() -> None:
    pending = record_of_ticket(b"k", ticket_from_legacy(_raw()))  # the lead's request still waits for the centre
    assert (pending.extension_count, pending.extension_reason) == (0, "")
    units = _raw()["dwzt"]
    granted_units = [units[0], {**units[1], "zt": "办理中"}]
    granted = record_of_ticket(b"k", ticket_from_legacy(_raw(yqcs=1, dwzt=granted_units)))
    assert (granted.extension_count, granted.extension_reason) == (1, "协调")


@pytest.mark.parametrize(
    "changes",
    [
        {"ldsj": "2026/03/01"},
        {"ldsj": ""},
        {"sqlx": "闲聊"},
        {"zt": "处理中"},
        {"dwzt": [{"js": "主办"}]},
        {"sfmy": "满意"},
        {"blsx": "十"},
        {"wtfl": "0301"},
        {"gdbh": ""},
    ],
)
def test_mapping_rejects_malformed_records(changes: dict[str, Any]) -> None:
    with pytest.raises(LegacyProtocolError):
        ticket_from_legacy(_raw(**changes))
