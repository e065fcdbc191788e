"""The board adapter against the real stand-in over loopback: signing, paging, one read per tid, errors; and the
board's vocabulary in domain terms (status table, types, 领域, deadlines)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from legacy.board.app import create_app
from legacy.standin import StandinOptions
from legacy.world import World
from resolvers import board_terms
from resolvers.adapters.board import BoardClient, BoardThread, thread_from_json
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
    LegacyUnavailable,
)
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.board_status import BOARD_STATES, STATUS_BY_TEXT, unified_status
from resolvers.calendar import calendar_for
from resolvers.domain import AppealType, UnifiedStatus
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

USER, PASSWORD = "minyi-service", "minyi-service-pass"


@pytest.fixture(scope="module")
def board(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), world=world))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
async def _session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


def client(url: str, **options: Any) -> BoardClient:
    clock = options.pop("clock", time.time)
    return BoardClient(AdapterOptions(base_url=url, username=USER, password=PASSWORD, **options), clock=clock)


async def admin(board: BackgroundServer, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as session, session.request(method, board.url + path, json=body) as resp:
        return await resp.json()


async def requests_made(board: BackgroundServer) -> dict[str, int]:
    stats = await admin(board, "GET", "/_admin/stats")
    return {"total": stats["requests"], **stats["by_route"]}


async def test_pages_follow_the_watermark_without_gaps_or_overlap(board: BackgroundServer, world: World) -> None:
    c = client(board.url)
    first = await c.list_threads(count=10)
    assert len(first.threads) == 10 and first.next_before == first.threads[-1].thread_id
    pages = [first]
    before: int | None = first.next_before
    while before is not None:
        pages.append(await c.list_threads(count=100, before=before))  # over 50: several board pages
        before = pages[-1].next_before
    tids = [t.thread_id for page in pages for t in page.threads]
    assert tids == sorted(set(tids), reverse=True)
    assert len(tids) == len(world.filings_for("board")) and [len(p.threads) for p in pages][:2] == [10, 100]


async def test_a_page_that_fills_exactly_still_knows_it_is_the_last(board: BackgroundServer, world: World) -> None:
    total = len(world.filings_for("board"))
    page = await client(board.url).list_threads(count=total)
    assert len(page.threads) == total and page.next_before is None


async def test_the_mapping_speaks_domain_names_and_irons_out_the_quirks(board: BackgroundServer, world: World) -> None:
    c = client(board.url)
    listed = (await c.list_threads(count=len(world.filings_for("board")))).threads
    oldest = listed[-1]
    assert oldest.poster is None  # lists carry no private fields
    detail = await c.thread(oldest.thread_id)
    filing = world.filings_for("board")[0]
    assert detail.posted_at == filing.received_at  # Unix seconds back to naive Beijing time
    assert detail.title == filing.title and detail.poster is not None
    assert detail.poster.name == filing.person.name
    assert detail.likes == oldest.likes  # a string in the list, a number in the detail
    answered = [t for t in listed if t.answer_content]
    assert answered and all(isinstance(t.answered_at, datetime) for t in answered)
    assert all(t.answered_at is None and t.answer_organization is None for t in listed if not t.answer_content)
    assert all(t.rating_manner is None or 1 <= t.rating_manner <= 5 for t in listed)


async def test_filters_reach_the_board(board: BackgroundServer, world: World) -> None:
    c = client(board.url)
    person = world.filings_for("board")[0].person
    mine = await c.list_threads(count=50, phone=f"+86 {person.phone[:3]}-{person.phone[3:]}")
    expected = sum(1 for f in world.filings_for("board") if f.person.pid == person.pid)
    assert len(mine.threads) == expected
    closed = await c.list_threads(count=50, state_text="已办结")
    assert closed.threads and {t.state_text for t in closed.threads} == {"已办结"}
    assert (await c.list_threads(count=5, keywords="没有这种内容")).threads == ()


async def test_reads_without_a_batch_send_one_request_per_distinct_tid_with_bounded_concurrency(
    board: BackgroundServer,
) -> None:
    c = client(board.url, max_concurrency=4)
    known = [t.thread_id for t in (await c.list_threads(count=60)).threads]
    asked = known + known[:40]  # 100 with duplicates
    await admin(board, "POST", "/_admin/reset")
    await admin(board, "POST", "/_admin/probes", {"hold_ms": 15})
    try:
        found = await c.threads(asked)
    finally:
        probes = await admin(board, "GET", "/_admin/probes")
        await admin(board, "POST", "/_admin/probes", {"hold_ms": 0})
    assert [t.thread_id for t in found if isinstance(t, BoardThread)] == asked
    assert (await requests_made(board)) == {"total": 60, "POST /v1/threads/content": 60}
    assert probes["detail_reads"] == {str(tid): 1 for tid in known}
    assert 2 <= probes["max_in_flight"] <= 4  # concurrent, and never more than allowed


async def test_a_missing_thread_is_not_found_alone_and_none_in_a_batch(board: BackgroundServer) -> None:
    c = client(board.url)
    with pytest.raises(LegacyNotFound):
        await c.thread(1)
    tid = (await c.list_threads(count=1)).threads[0].thread_id
    found = await c.threads([1, tid, 2])
    assert found[0] is None and found[2] is None
    assert isinstance(found[1], BoardThread) and found[1].thread_id == tid


async def test_a_wrong_secret_fails_at_once(board: BackgroundServer) -> None:
    c = BoardClient(AdapterOptions(base_url=board.url, username=USER, password="guess"))
    await admin(board, "POST", "/_admin/reset")
    with pytest.raises(LegacyAuthError, match="signature mismatch") as caught:
        await c.list_threads(count=1)
    assert caught.value.system == "board"
    assert (await requests_made(board))["total"] == 1
    stranger = BoardClient(AdapterOptions(base_url=board.url, username="nobody", password=PASSWORD))
    with pytest.raises(LegacyAuthError, match="unknown appCode"):
        await stranger.list_threads(count=1)


async def test_a_skewed_clock_is_corrected_by_signing_again_once(board: BackgroundServer) -> None:
    c = client(board.url, clock=lambda: time.time() - 3600)
    await admin(board, "POST", "/_admin/reset")
    assert len((await c.list_threads(count=2)).threads) == 2
    assert (await requests_made(board))["total"] == 2  # refused, then signed with the board's time
    await c.list_threads(count=2)
    assert (await requests_made(board))["total"] == 3  # the offset is remembered


async def test_handling_goes_through_and_refusals_are_rejections(board: BackgroundServer) -> None:
    c = client(board.url)
    pending = (await c.list_threads(count=1, state_text="待回复")).threads[0]
    assert await c.set_state(pending.thread_id, "办理中") == "办理中"
    with pytest.raises(LegacyRejected, match="STATE_ERROR"):
        await c.set_state(pending.thread_id, "已受理")
    assert await c.reply(pending.thread_id, "长沙市城管局", "已安排处理。") == "已回复"
    replied = await c.thread(pending.thread_id)
    assert replied.answer_organization == "长沙市城管局" and replied.state_text == "已回复"
    with pytest.raises(LegacyNotFound):
        await c.reply(1, "x", "y")


async def test_the_firewall_page_is_a_rejection(board: BackgroundServer) -> None:
    with pytest.raises(LegacyRejected, match="firewall"):
        await client(board.url).list_threads(count=1, keywords="1' or '1'='1")


async def test_nothing_listening_is_unavailable() -> None:
    with pytest.raises(LegacyUnavailable) as caught:
        await client(f"http://127.0.0.1:{free_port()}").thread(1)
    assert caught.value.system == "board"


ODD_ANSWERS: dict[str, tuple[int, str]] = {}


@pytest.fixture(scope="module")
def odd_board() -> Iterator[BackgroundServer]:
    """A board that answers whatever ``ODD_ANSWERS[path]`` says."""

    async def answer(request: web.Request) -> web.Response:
        status, text = ODD_ANSWERS[request.path]
        return web.Response(status=status, text=text, content_type="application/json")

    def make() -> web.Application:
        app = web.Application()
        app.router.add_post("/{tail:.*}", answer)
        return app

    server = serve_aiohttp(make)
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("status", "text", "error"),
    [
        (200, "<html>维护中</html>", LegacyProtocolError),
        (200, '["no envelope"]', LegacyProtocolError),
        (200, '{"result": "success", "code": "0000"}', LegacyProtocolError),
        (200, '{"result": "success", "code": "0000", "data": {"tid": "abc"}}', LegacyProtocolError),
        (200, '{"result": "success", "code": "0000", "data": [1, 2]}', LegacyProtocolError),
        (200, '{"result": "fail", "code": "PARAM_ERROR", "message": "参数错误"}', LegacyRejected),
        (200, '{"result": "fail", "code": "SIGN_ERROR", "message": "签名错误"}', LegacyAuthError),
        (404, "not found", LegacyProtocolError),
        (502, "<html>Bad Gateway</html>", LegacyUnavailable),
    ],
)
async def test_answers_outside_the_protocol_become_legacy_errors(
    odd_board: BackgroundServer, status: int, text: str, error: type[Exception]
) -> None:
    ODD_ANSWERS["/v1/threads/content"] = ODD_ANSWERS["/v1/threads/queryThreadsList"] = (status, text)
    c = client(odd_board.url)
    with pytest.raises(error):
        await (c.thread(5) if "[1, 2]" not in text else c.list_threads(count=1))


def test_thread_mapping_accepts_the_quirks_and_refuses_the_rest() -> None:
    raw = {
        "tid": 7,
        "fid": 2351,
        "forumName": "长沙市委书记",
        "subject": "s",
        "content": "c",
        "dateline": 1_767_225_600,  # 2026-01-01 08:00 +08:00
        "domainName": "其他",
        "typeName": "建言",
        "stateInfo": "待回复",
        "answerOrganization": "",
        "answerContent": "",
        "answerTime": "",
        "favNum": "3",
        "gradeManner": 0,
        "gradeSpeed": 5,
        "nickName": "网友1",
        "ip": "湖南",
    }
    thread = thread_from_json(raw)
    assert thread.posted_at == datetime(2026, 1, 1, 8, 0) and thread.likes == 3
    assert thread.rating_manner is None and thread.rating_speed == 5 and thread.answered_at is None
    assert thread.poster is None and thread.answer_organization is None
    with_poster = thread_from_json({**raw, "truename": "张三", "linktel": "13800000000", "address": ""})
    assert with_poster.poster is not None and with_poster.poster.phone == "13800000000"
    for broken in ({**raw, "dateline": "soon"}, {**raw, "answerTime": "yesterday"}, {**raw, "tid": None}, [raw]):
        with pytest.raises(LegacyProtocolError):
            thread_from_json(broken)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("待回复", UnifiedStatus.PENDING_SIGN),
        ("已受理", UnifiedStatus.HANDLING),
        ("受理", UnifiedStatus.HANDLING),
        ("办理中", UnifiedStatus.HANDLING),
        ("处理中", UnifiedStatus.HANDLING),
        ("已办理", UnifiedStatus.REPLIED),
        ("已回复", UnifiedStatus.REPLIED),
        ("已办结", UnifiedStatus.CLOSED),
    ],
)
def test_status_table(text: str, status: UnifiedStatus) -> None:
    assert unified_status(text) is status


def test_every_board_state_is_mapped_and_unknown_texts_are_protocol_errors() -> None:
    assert set(BOARD_STATES) <= set(STATUS_BY_TEXT)
    with pytest.raises(LegacyProtocolError, match="unknown stateInfo"):
        unified_status("审核中")


def test_types_categories_deadlines_and_places() -> None:
    assert board_terms.appeal_type("建言") is AppealType.SUGGESTION
    assert board_terms.appeal_type("投诉") is AppealType.COMPLAINT
    assert board_terms.appeal_type("闲聊") is AppealType.CONSULT
    assert board_terms.unified_category("城建") == "城乡建设" and board_terms.unified_category("其他") is None
    # 咨询 3 working days; 7 otherwise — across the National Day holiday with its adjusted workdays.
    assert board_terms.deadline(datetime(2026, 9, 29, 9, 0), "咨询", calendar_for()) == datetime(2026, 10, 9, 9, 0)
    assert board_terms.deadline(datetime(2026, 11, 20, 9, 0), "投诉", calendar_for()) == datetime(2026, 12, 1, 9, 0)
    assert board_terms.deadline(datetime(2030, 1, 4, 9, 0), "咨询", calendar_for()) == datetime(
        2030, 1, 9, 9, 0
    )  # past 2026
    place = "湖南省长沙市芙蓉区东湖街道桃花社区3栋楼下"
    assert board_terms.community_level(place) == "湖南省长沙市芙蓉区东湖街道桃花社区"
    assert board_terms.community_level("某地") is None
