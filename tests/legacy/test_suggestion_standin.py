"""The suggestion stand-in (人民建议征集) over real HTTP: its seed, its API key, its lists and its workflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import aiohttp
import pytest

from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app
from legacy.suggestion.seed import pick_filings, suggestion_rows
from legacy.world import World, build_world
from tests.conftest import NOW
from tests.support.servers import BackgroundServer, serve_aiohttp

KEY = {"X-App-Id": "minyi-service", "X-Api-Key": "minyi-service-pass"}
BASE = "/api/v2/suggestions"
CLOCK = datetime(2026, 11, 20, 10, 30)


@pytest.fixture(scope="module")
def standin(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), world=world, clock=lambda: CLOCK))
    yield server
    server.stop()


async def call(
    server: BackgroundServer,
    method: str,
    path: str,
    *,
    params: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, server.url + path, params=params, json=body, headers=KEY if headers is None else headers
        ) as resp,
    ):
        return resp.status, await resp.json()


def test_seeding_picks_about_sixty_suggestions_from_citizens_of_the_other_systems(world: World) -> None:
    rows = suggestion_rows(world, 1)
    assert len(rows) == 60 and len({r["jybh"] for r in rows}) == 60
    assert rows == suggestion_rows(build_world(1, now=NOW), 1)  # deterministic
    picked = pick_filings(world)
    own = {(f.person.pid, f.matter.mid) for f in world.filings if f.matter.kind == "建议"}
    assert {(f.person.pid, f.matter.mid) for f, is_own in picked if is_own} == own
    assert len({f.matter.category for f, _ in picked}) == 7  # every one of the seven categories
    elsewhere = {f.person.phone for f in world.filings}
    assert all(f.person.phone in elsewhere for f, _ in picked)  # the same citizens recur
    assert {r["zt"] for r in rows} == {"01", "02", "03", "04", "05", "06", "07", "08"}


async def test_every_call_needs_the_api_key(standin: BackgroundServer) -> None:
    status, body = await call(standin, "GET", BASE, headers={})
    assert status == 401 and body["code"] == 401
    status, _ = await call(standin, "GET", BASE, headers={**KEY, "X-Api-Key": "guess"})
    assert status == 401
    status, _ = await call(standin, "GET", BASE, headers={**KEY, "X-App-Id": "someone-else"})
    assert status == 401


async def test_lists_page_by_number_newest_first_and_refuse_big_pages(standin: BackgroundServer) -> None:
    status, first = await call(standin, "GET", BASE, params={"pageNum": "1", "pageSize": "40"})
    assert status == 200 and first["total"] == 60 and len(first["rows"]) == 40
    _, second = await call(standin, "GET", BASE, params={"pageNum": "2", "pageSize": "40"})
    rows = first["rows"] + second["rows"]
    assert len(rows) == 60 and [r["tjsj"] for r in rows] == sorted((r["tjsj"] for r in rows), reverse=True)
    assert all(r["ztmc"] and "lxdh_digits" not in r for r in rows)
    status, body = await call(standin, "GET", BASE, params={"pageSize": "101"})
    assert status == 400 and body["code"] == 400
    status, _ = await call(standin, "GET", BASE, params={"zt": "99"})
    assert status == 400


async def test_search_by_phone_in_any_format_id_number_keyword_and_status(
    standin: BackgroundServer, world: World
) -> None:
    rows = suggestion_rows(world, 1)
    dashed = next(r for r in rows if "-" in r["lxdh"])
    digits = dashed["lxdh"].replace("-", "")
    _, body = await call(standin, "GET", BASE, params={"lxdh": f"+86 {digits}", "pageSize": "100"})
    assert dashed["jybh"] in {r["jybh"] for r in body["rows"]}
    with_id = next(r for r in rows if r["sfzh"])
    _, body = await call(standin, "GET", BASE, params={"sfzh": with_id["sfzh"].lower(), "pageSize": "100"})
    assert with_id["jybh"] in {r["jybh"] for r in body["rows"]}
    _, body = await call(standin, "GET", BASE, params={"keyword": "加装电梯", "pageSize": "100"})
    assert body["rows"] and all("加装电梯" in r["jybt"] + r["jynr"] for r in body["rows"])
    _, body = await call(standin, "GET", BASE, params={"zt": "07", "pageSize": "100"})
    assert body["rows"] and all(r["zt"] == "07" and r["ztmc"] == "已激励" and r["jljf"] > 0 for r in body["rows"])


async def test_detail_and_batch_reads_keep_the_legacy_quirks(standin: BackgroundServer, world: World) -> None:
    rows = suggestion_rows(world, 1)
    pending = next(r for r in rows if r["zt"] == "01")
    status, body = await call(standin, "GET", f"{BASE}/{pending['jybh']}")
    record = body["data"]
    assert status == 200 and record["cbdw"] == "" and record["jljf"] is None and record["pjdj"] == ""
    status, body = await call(standin, "GET", f"{BASE}/JY000000000000")
    assert status == 404 and body["code"] == 404
    numbers = [r["jybh"] for r in rows[:5]] + ["JY000000000000"]
    status, body = await call(standin, "POST", f"{BASE}/batch", body={"jybhs": numbers})
    assert status == 200 and sorted(r["jybh"] for r in body["rows"]) == sorted(numbers[:5])
    status, _ = await call(standin, "POST", f"{BASE}/batch", body={"jybhs": ["x"] * 101})
    assert status == 400
    status, _ = await call(standin, "POST", f"{BASE}/batch", body=["not", "an", "object"])
    assert status == 400


async def test_a_suggestion_goes_along_the_whole_chain(standin: BackgroundServer) -> None:
    """征集—交办—办理—反馈—评价—激励, and the steps the state forbids."""
    new = {"jybt": "关于增设共享单车停放点的建议", "jynr": "建议在地铁口增设停放点。", "jyrxm": "王五"}
    status, body = await call(standin, "POST", BASE, body={**new, "lxdh": "13800001111", "jylb": "交通运输"})
    record = body["data"]
    assert status == 200 and record["zt"] == "01" and record["jybh"].startswith("JY20261120")
    number = record["jybh"]
    status, _ = await call(standin, "POST", BASE, body={**new, "lxdh": "13800001111", "jylb": "天文"})
    assert status == 400
    status, body = await call(standin, "POST", f"{BASE}/{number}/feedback", body={"fknr": "好", "cnqk": "1"})
    assert status == 409 and "feedback is not allowed" in body["msg"]
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("assign", {"cbdw": "长沙市交通运输局", "cbdwdm": "430100JTYS"}, "03"),
        ("handle", {}, "04"),
        ("feedback", {"fknr": "已采纳，将在年内实施。", "cnqk": "1"}, "05"),
        ("evaluate", {"pjdj": 5}, "06"),
        ("reward", {"jljf": 100}, "07"),
    ]
    for action, fields, state in steps:
        status, body = await call(standin, "POST", f"{BASE}/{number}/{action}", body=fields)
        assert status == 200 and body["data"]["zt"] == state, (action, body)
    final = body["data"]
    assert final["jbsj"] == "2026-11-20 10:30:00" and final["blqx"] == "2026-12-04"  # 10 working days
    assert final["cnqk"] == "1" and final["pjdj"] == "5" and final["jljf"] == 100
    status, _ = await call(standin, "POST", f"{BASE}/{number}/close")
    assert status == 409


async def test_only_adopted_suggestions_are_rewarded(standin: BackgroundServer) -> None:
    new = {"jybt": "关于公园延长开放时间的建议", "jynr": "建议夏季延长开放。", "jyrxm": "赵六", "lxdh": "13800002222"}
    _, body = await call(standin, "POST", BASE, body={**new, "jylb": "教育文体"})
    number = body["data"]["jybh"]
    for action, fields in (("assign", {"cbdw": "长沙市教育局", "cbdwdm": "430100JYJ"}), ("handle", {})):
        await call(standin, "POST", f"{BASE}/{number}/{action}", body=fields)
    status, _ = await call(standin, "POST", f"{BASE}/{number}/feedback", body={"fknr": "暂不采纳。", "cnqk": "9"})
    assert status == 400
    await call(standin, "POST", f"{BASE}/{number}/feedback", body={"fknr": "暂不采纳。", "cnqk": "0"})
    status, body = await call(standin, "POST", f"{BASE}/{number}/reward", body={"jljf": 10})
    assert status == 409 and "未采纳" in body["msg"]
    status, body = await call(standin, "POST", f"{BASE}/{number}/close")
    assert status == 200 and body["data"]["zt"] == "08"
