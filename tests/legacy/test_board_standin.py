"""The message-board stand-in over real HTTP: signed form POSTs, the tid watermark, private fields, the WAF."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.board.app import create_app, open_store
from legacy.board.seed import CST
from legacy.board.signature import sign
from legacy.standin import StandinOptions
from legacy.world import World
from tests.support.servers import BackgroundServer, serve_aiohttp

APP, SECRET = "minyi-service", "minyi-service-pass"
LIST, CONTENT, REPLY, STATE = (
    "/v1/threads/queryThreadsList",
    "/v1/threads/content",
    "/v1/threads/reply",
    "/v1/threads/state",
)
PRIVATE = {"truename", "linktel", "address"}


@pytest.fixture(scope="module")
def board(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), world=world))
    yield server
    server.stop()


def signed(fields: dict[str, str], *, app: str = APP, secret: str = SECRET, at_ms: int | None = None) -> dict[str, str]:
    form = {**fields, "appCode": app, "timestamp": str(at_ms if at_ms is not None else int(time.time() * 1000))}
    form["signature"] = sign(secret, form)
    return form


async def post(board: BackgroundServer, path: str, form: dict[str, str] | list[tuple[str, str]]) -> Any:
    async with aiohttp.ClientSession() as session, session.post(board.url + path, data=form) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def call(board: BackgroundServer, path: str, **fields: str | int) -> Any:
    return await post(board, path, signed({k: str(v) for k, v in fields.items()}))


async def all_threads(board: BackgroundServer, **filters: str | int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    last = 0
    while True:
        body = await call(board, LIST, lastItem=last, pageSize=50, **filters)
        assert body["result"] == "success", body
        page = body["data"] or []
        found.extend(page)
        if len(page) < 50:
            return found
        last = page[-1]["tid"]


async def test_the_watermark_pages_through_every_thread_newest_first(board: BackgroundServer, world: World) -> None:
    threads = await all_threads(board)
    tids = [t["tid"] for t in threads]
    assert len(tids) == len(world.filings_for("board")) and len(set(tids)) == len(tids)
    assert tids == sorted(tids, reverse=True)
    datelines = [t["dateline"] for t in threads]
    assert datelines == sorted(datelines, reverse=True)  # tid increases with the post time


async def test_lists_never_carry_the_posters_private_fields(board: BackgroundServer) -> None:
    threads = await all_threads(board)
    assert threads and not any(PRIVATE & set(t) for t in threads)
    body = await call(board, CONTENT, tid=threads[0]["tid"])
    assert set(body["data"]) >= PRIVATE


async def test_page_sizes_over_fifty_are_refused_in_the_body(board: BackgroundServer) -> None:
    for size in (51, 0):
        body = await call(board, LIST, pageSize=size)
        assert body["result"] == "fail" and body["code"] == "PARAM_ERROR", body
    body = await call(board, LIST)
    assert body["result"] == "success" and len(body["data"]) == 10  # the default page


async def test_a_forum_is_one_leaders_board(board: BackgroundServer) -> None:
    threads = await all_threads(board)
    forums = Counter((t["fid"], t["forumName"]) for t in threads)
    assert {"长沙市委书记", "长沙市市长"} <= {name for _, name in forums}
    assert any(name.endswith("区长") for _, name in forums) and any(name.endswith("区委书记") for _, name in forums)
    (fid, _), expected = forums.most_common(1)[0]
    own = await all_threads(board, fid=fid)
    assert len(own) == expected and {t["fid"] for t in own} == {fid}
    body = await call(board, LIST, fid=999_999)
    assert body["code"] == "NOT_EXIST"


async def test_filters_by_state_keywords_and_phone(board: BackgroundServer, world: World) -> None:
    closed = await all_threads(board, stateInfo="已办结")
    assert closed and {t["stateInfo"] for t in closed} == {"已办结"}
    found = await all_threads(board, keywords="油烟 扰民")
    assert found and all("油烟" in t["subject"] + t["content"] for t in found)
    assert await call(board, LIST, keywords="完全没有的词语") == {
        "result": "success",
        "code": "0000",
        "message": "",
        "data": None,  # the board says null, not []
    }
    counts = Counter(f.person.pid for f in world.filings_for("board"))
    person = next(f.person for f in world.filings_for("board") if f.person.pid == counts.most_common(1)[0][0])
    mine = await all_threads(board, linktel=f"+86 {person.phone}")
    assert len(mine) == counts[person.pid]
    detail = await call(board, CONTENT, tid=mine[0]["tid"])
    assert detail["data"]["truename"] == person.name
    assert "".join(ch for ch in detail["data"]["linktel"] if ch.isdigit()).endswith(person.phone)


async def test_a_detail_reads_one_thread_with_the_boards_quirks(board: BackgroundServer, world: World) -> None:
    oldest = (await all_threads(board))[-1]
    body = await call(board, CONTENT, tid=oldest["tid"])
    data = body["data"]
    filing = world.filings_for("board")[0]
    assert data["subject"] == filing.title and data["content"] == filing.content
    assert datetime.fromtimestamp(data["dateline"], CST).replace(tzinfo=None) == filing.received_at
    assert isinstance(data["favNum"], int) and isinstance(oldest["favNum"], str)  # a string in lists
    assert data["nickName"].startswith("网友")
    missing = await call(board, CONTENT, tid=1)
    assert missing["result"] == "fail" and missing["code"] == "NOT_EXIST"
    assert (await call(board, CONTENT))["code"] == "PARAM_ERROR"


async def test_seeded_threads_are_partly_answered_with_string_answer_times(board: BackgroundServer) -> None:
    threads = await all_threads(board)
    states = Counter(t["stateInfo"] for t in threads)
    assert states["待回复"] and states["已回复"] and states["已办结"]
    answered = [t for t in threads if t["answerContent"]]
    assert answered and all(t["answerOrganization"] for t in answered)
    for t in answered:
        datetime.strptime(t["answerTime"], "%Y-%m-%d %H:%M:%S")
    assert all(t["answerTime"] == "" for t in threads if not t["answerContent"])
    rated = [t for t in threads if t["gradeManner"]]
    assert rated and all(1 <= t["gradeManner"] <= 5 for t in rated)


async def test_a_bad_signature_a_stale_timestamp_and_an_unknown_app_are_refused(board: BackgroundServer) -> None:
    forged = signed({"pageSize": "5"})
    forged["signature"] = "0" * 64
    stale = signed({"pageSize": "5"}, at_ms=int(time.time() * 1000) - 6 * 60 * 1000)
    future = signed({"pageSize": "5"}, at_ms=int(time.time() * 1000) + 6 * 60 * 1000)
    stranger = signed({"pageSize": "5"}, app="someone-else")
    wrong_secret = signed({"pageSize": "5"}, secret="guess")
    tampered = signed({"pageSize": "5"})
    tampered["pageSize"] = "50"
    unsigned = {"pageSize": "5"}
    for form in (forged, stale, future, stranger, wrong_secret, tampered, unsigned):
        body = await post(board, LIST, form)
        assert body["result"] == "fail" and body["code"] == "SIGN_ERROR", (form, body)
        assert isinstance(body["serverTime"], int) and "data" not in body
    assert "expired" in (await post(board, LIST, stale))["message"]


async def test_a_repeated_form_field_is_refused(board: BackgroundServer) -> None:
    form = [*signed({"pageSize": "5"}).items(), ("pageSize", "6")]
    body = await post(board, LIST, form)
    assert body["code"] == "PARAM_ERROR"


async def test_the_firewall_blocks_injection_with_an_html_page(board: BackgroundServer) -> None:
    form = signed({"keywords": "<script>alert(1)</script>"})
    async with aiohttp.ClientSession() as session, session.post(board.url + LIST, data=form) as resp:
        assert resp.status == 403 and resp.content_type == "text/html"
        assert "拦截" in await resp.text()


async def test_handling_follows_the_workflow(board: BackgroundServer) -> None:
    pending = await all_threads(board, stateInfo="待回复")
    tid = pending[-1]["tid"]
    assert (await call(board, STATE, tid=tid, stateInfo="已办结"))["code"] == "STATE_ERROR"
    assert (await call(board, STATE, tid=tid, stateInfo="已回复"))["code"] == "STATE_ERROR"  # replies go via reply
    assert (await call(board, STATE, tid=tid, stateInfo="审核中"))["code"] == "PARAM_ERROR"
    moved = await call(board, STATE, tid=tid, stateInfo="已受理")
    assert moved["data"] == {"tid": tid, "stateInfo": "已受理"}
    assert (await call(board, REPLY, tid=tid, answerOrganization="芙蓉区城管局"))["code"] == "PARAM_ERROR"
    replied = await call(board, REPLY, tid=tid, answerOrganization="芙蓉区城管局", answerContent="已处理。")
    assert replied["data"]["stateInfo"] == "已回复"
    detail = (await call(board, CONTENT, tid=tid))["data"]
    assert detail["answerOrganization"] == "芙蓉区城管局" and detail["answerContent"] == "已处理。"
    assert detail["answerTime"] == replied["data"]["answerTime"] and detail["answerId"]
    assert (await call(board, STATE, tid=tid, stateInfo="已办结"))["data"]["stateInfo"] == "已办结"
    again = await call(board, REPLY, tid=tid, answerOrganization="x", answerContent="y")
    assert again["code"] == "STATE_ERROR"
    assert (await call(board, REPLY, tid=1, answerOrganization="x", answerContent="y"))["code"] == "NOT_EXIST"


def test_seeding_is_deterministic(world: World) -> None:
    first = open_store(StandinOptions(seed=1), world)
    second = open_store(StandinOptions(seed=1), world)
    rows = [tuple(r) for r in first.conn.execute("SELECT * FROM thread ORDER BY tid")]
    assert rows == [tuple(r) for r in second.conn.execute("SELECT * FROM thread ORDER BY tid")]
    nicknames: dict[str, set[str]] = {}
    for r in first.conn.execute("SELECT truename, nick_name FROM thread"):
        nicknames.setdefault(r["truename"], set()).add(r["nick_name"])
    assert all(len(nicks) == 1 for nicks in nicknames.values())  # derived from the name
    first.close()
    second.close()


def test_a_database_file_is_seeded_once_and_keeps_its_changes(tmp_path: Path, world: World) -> None:
    options = StandinOptions(db=tmp_path / "board.sqlite")
    store = open_store(options, world)
    tid = store.conn.execute("SELECT max(tid) FROM thread").fetchone()[0]
    store.reply(tid, "长沙市城管局", "已处理。", "2026-11-20 10:00:00", "已回复")
    count = store.conn.execute("SELECT count(*) FROM thread").fetchone()[0]
    store.close()
    reopened = open_store(options, world)
    assert reopened.conn.execute("SELECT count(*) FROM thread").fetchone()[0] == count
    row = reopened.thread(tid)
    assert row is not None and row["state_info"] == "已回复"
    reopened.close()
