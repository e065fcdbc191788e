"""The 12345 hotline stand-in: its session protocol, paged search, batch read and workflow, over real HTTP."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.hotline import workflow
from legacy.hotline.app import create_app
from legacy.hotline.limits import HOURS, WORKDAYS, TimeLimits
from legacy.hotline.model import CityState, Ticket, UnitState
from legacy.hotline.seed import SEED_OPERATORS, seed_tickets
from legacy.hotline.sessions import SessionStore
from legacy.hotline.store import SCHEMA, HotlineStore
from legacy.hotline.workdays import add_workdays, is_workday
from legacy.standin import StandinOptions, open_database
from legacy.world import build_world
from tests.support.servers import BackgroundServer, serve_aiohttp

DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
ACCOUNT = {"yhm": "minyi-service", "mm": "minyi-service-pass"}


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(seed=1)))
    yield server
    server.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _json(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    async with http.request(method, url, **kwargs) as resp:
        assert resp.status == 200, f"the hotline answers HTTP 200 whatever happens, got {resp.status}"
        body: dict[str, Any] = await resp.json()
        return body


async def _login(http: aiohttp.ClientSession, base: str) -> dict[str, str]:
    body = await _json(http, "POST", f"{base}/api/auth/login", json=ACCOUNT)
    assert body["code"] == 0
    return {"X-Session-Token": body["data"]["token"]}


class Api:
    """A logged-in caller of the stand-in."""

    def __init__(self, http: aiohttp.ClientSession, base: str, headers: dict[str, str]) -> None:
        self.http, self.base, self.headers = http, base, headers

    async def get(self, path: str, **params: str) -> dict[str, Any]:
        return await _json(self.http, "GET", self.base + path, params=params, headers=self.headers)

    async def post(self, path: str, body: Any = None) -> dict[str, Any]:
        return await _json(self.http, "POST", self.base + path, json=body or {}, headers=self.headers)

    async def act(self, order_no: str, action: str, **body: Any) -> dict[str, Any]:
        return await self.post(f"/api/gd/{order_no}/{action}", body)


@pytest.fixture
async def api(http: aiohttp.ClientSession, standin: BackgroundServer) -> Api:
    return Api(http, standin.url, await _login(http, standin.url))


def _unit(row: dict[str, Any], code: str) -> dict[str, Any]:
    return next(u for u in row["dwzt"] if u["dwbm"] == code and u["zt"] != "已退单")


# -- seeding ------------------------------------------------------------------------------------------------


def test_seeding_plays_every_hotline_filing_into_a_spread_of_states() -> None:
    world = build_world(1, people=400)
    units, tickets = seed_tickets(world, 1, TimeLimits())
    conn, empty = open_database(None, SCHEMA)
    HotlineStore(conn).save_all(tickets, units)
    assert empty
    assert len(tickets) == len(world.filings_for("hotline")) and 200 <= len(tickets) <= 280
    city = Counter(t.state for t in tickets)
    assert len(city) >= 7, city
    assert city[CityState.CLOSED] < len(tickets) * 0.8
    lead_states = {t.lead.state for t in tickets if t.lead is not None and t.state is CityState.DISPATCHED}
    assert {UnitState.PENDING_SIGN, UnitState.HANDLING} <= lead_states
    assert any(t.return_count for t in tickets) and any(t.extension_count for t in tickets)
    assert any(t.rehandle_count for t in tickets) and any(t.is_secret for t in tickets)
    assert any(len(t.co_units) >= 1 for t in tickets)


def test_seeding_is_deterministic() -> None:
    world = build_world(1, people=60, now=datetime(2026, 6, 1, 9))
    first = seed_tickets(world, 1, TimeLimits())
    again = seed_tickets(world, 1, TimeLimits())
    assert first == again


def test_every_seeded_order_has_a_registering_operator_the_demo_operator_among_them() -> None:
    world = build_world(1, people=60, now=datetime(2026, 6, 1, 9))
    _, tickets = seed_tickets(world, 1, TimeLimits())
    by_operator = Counter(t.operator_id for t in tickets)
    assert set(by_operator) == set(SEED_OPERATORS) and "operator" in by_operator  # auth/users.py demo operator
    assert min(by_operator.values()) >= len(tickets) // (2 * len(SEED_OPERATORS))


def test_a_database_file_without_the_operator_column_gets_it(tmp_path: Path) -> None:
    conn, _ = open_database(tmp_path / "old.db", SCHEMA.replace(",\n    zxgh TEXT NOT NULL DEFAULT ''", ""))
    assert "zxgh" not in {row[1] for row in conn.execute("PRAGMA table_info(gd)")}
    HotlineStore(conn)
    assert "zxgh" in {row[1] for row in conn.execute("PRAGMA table_info(gd)")}
    conn.close()


# -- session protocol ---------------------------------------------------------------------------------------


async def test_login_with_wrong_password_is_refused_in_the_body(
    http: aiohttp.ClientSession, standin: BackgroundServer
) -> None:
    body = await _json(http, "POST", f"{standin.url}/api/auth/login", json={"yhm": "minyi-service", "mm": "x"})
    assert body["code"] == 500 and "密码" in body["msg"]


async def test_login_returns_token_and_string_expiry(http: aiohttp.ClientSession, standin: BackgroundServer) -> None:
    body = await _json(http, "POST", f"{standin.url}/api/auth/login", json=ACCOUNT)
    assert body["code"] == 0 and len(body["data"]["token"]) >= 16
    assert DATE.match(body["data"]["expire"])


@pytest.mark.parametrize("headers", [{}, {"X-Session-Token": "not-a-session"}])
async def test_missing_or_unknown_session_is_code_401_with_http_200(
    http: aiohttp.ClientSession, standin: BackgroundServer, headers: dict[str, str]
) -> None:
    body = await _json(http, "GET", f"{standin.url}/api/gd/list", headers=headers)
    assert body == {"code": 401, "msg": "会话已过期"}


async def test_admin_route_expires_every_session(http: aiohttp.ClientSession, standin: BackgroundServer) -> None:
    headers = await _login(http, standin.url)
    assert (await _json(http, "GET", f"{standin.url}/api/gd/list", headers=headers))["code"] == 0
    async with http.post(f"{standin.url}/_admin/expire-sessions") as resp:
        assert (await resp.json())["expired"] >= 1
    assert (await _json(http, "GET", f"{standin.url}/api/gd/list", headers=headers))["code"] == 401


async def test_admin_route_sets_the_session_ttl(http: aiohttp.ClientSession, standin: BackgroundServer) -> None:
    async with http.post(f"{standin.url}/_admin/session-ttl", json={"ttl_s": 0}) as resp:
        assert resp.status == 400
    async with http.post(f"{standin.url}/_admin/session-ttl", json={"ttl_s": 7200}) as resp:
        assert (await resp.json()) == {"ttl_s": 7200}
    try:
        body = await _json(http, "POST", f"{standin.url}/api/auth/login", json=ACCOUNT)
        expire = datetime.strptime(body["data"]["expire"], "%Y-%m-%d %H:%M:%S")
        assert 7100 < (expire - datetime.now()).total_seconds() <= 7200
    finally:
        async with http.post(f"{standin.url}/_admin/session-ttl", json={"ttl_s": 1800}) as resp:
            assert resp.status == 200


def test_sessions_expire_after_their_ttl() -> None:
    now = [100.0]
    sessions = SessionStore(ttl_s=60, clock=lambda: now[0])
    token = sessions.open("minyi-service").token
    now[0] += 59
    assert sessions.check(token) is not None
    now[0] += 1
    assert sessions.check(token) is None


# -- reads --------------------------------------------------------------------------------------------------


async def test_list_pages_newest_first_with_total(api: Api) -> None:
    first = await api.get("/api/gd/list", pageNum="1", pageSize="10")
    second = await api.get("/api/gd/list", pageNum="2", pageSize="10")
    both = await api.get("/api/gd/list", pageNum="1", pageSize="20")
    assert first["code"] == 0 and first["data"]["total"] >= 200
    ids = [r["gdbh"] for r in first["data"]["rows"] + second["data"]["rows"]]
    assert ids == [r["gdbh"] for r in both["data"]["rows"]]
    times = [r["ldsj"] for r in both["data"]["rows"]]
    assert times == sorted(times, reverse=True)
    beyond = await api.get("/api/gd/list", pageNum="999", pageSize="100")
    assert beyond["data"]["rows"] == [] and beyond["data"]["total"] == first["data"]["total"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"pageSize": "101"}, "pageSize"),
        ({"pageNum": "0"}, "pageNum"),
        ({"pageNum": "x"}, "pageNum"),
        ({"zt": "处理中"}, "未知状态"),
        ({"zbdwzt": "处理中"}, "未知单位状态"),
    ],
)
async def test_list_rejects_bad_parameters_in_the_body(api: Api, params: dict[str, str], fragment: str) -> None:
    body = await api.get("/api/gd/list", **params)
    assert body["code"] == 400 and fragment in body["msg"]


async def test_work_order_fields_follow_the_legacy_format(api: Api) -> None:
    rows = (await api.get("/api/gd/list", pageSize="100", zt="已办结"))["data"]["rows"]
    row = next(r for r in rows if r["dwzt"])
    assert re.match(r"^\d{14}$", row["gdbh"]) and row["zt"] == "已办结"
    for key in ("ldsj", "pdsj", "jzsj", "dfsj", "hfsj", "bjsj"):
        assert DATE.match(row[key]), key
    assert isinstance(row["blsx"], str) and row["blsx"].isdigit() and row["sxdw"] in (WORKDAYS, HOURS)
    assert row["sfbm"] in (0, 1) and row["sfmy"] in ("0", "1")
    assert row["zxgh"] in SEED_OPERATORS  # 坐席工号 of the registering operator
    assert set(row["wtfl"]) == {"dm", "mc"} and "/" in row["wtfl"]["mc"]
    assert row["cbdw"]["dwbm"] == next(u["dwbm"] for u in row["dwzt"] if u["js"] == "主办" and u["zt"] != "已退单")
    assert [e["czlx"] for e in row["lzjl"]][:2] == ["登记", "受理"] and row["lzjl"][-1]["czlx"] == "办结"
    assert "tqm" not in row
    open_rows = (await api.get("/api/gd/list", pageSize="5", zt="已受理"))["data"]["rows"]
    assert all(r["pdsj"] == "" or r["thcs"] > 0 for r in open_rows)  # absent dates are "", never null
    assert all(r["bjsj"] == "" and r["hfsj"] == "" and r["sfmy"] == "" for r in open_rows)


async def test_list_filters_by_city_state_lead_state_phone_and_text(api: Api) -> None:
    waiting = await api.get("/api/gd/list", pageSize="100", zt="已转办处理中", zbdwzt="待签收")
    rows = waiting["data"]["rows"]
    assert rows and all(r["zt"] == "已转办处理中" for r in rows)
    assert all(_unit(r, r["cbdw"]["dwbm"])["zt"] == "待签收" for r in rows)
    visit = await api.get("/api/gd/list", pageSize="100", zt="待回访,已回访")
    assert {r["zt"] for r in visit["data"]["rows"]} == {"待回访", "已回访"}

    world = build_world(1)
    person = world.filings_for("hotline")[0].person
    mine = (await api.get("/api/gd/list", pageSize="100", lxdh=person.phone))["data"]["rows"]
    assert mine and all(person.phone in (r["lxdh"], r["ldhm"]) for r in mine)
    expected = sum(1 for f in world.filings_for("hotline") if f.person.phone == person.phone)
    assert len(mine) == expected

    text = (await api.get("/api/gd/list", pageSize="100", gjz="油烟"))["data"]["rows"]
    assert text and all("油烟" in r["bt"] + r["nr"] + r["sfdz"] for r in text)
    nothing = await api.get("/api/gd/list", gjz="%_不存在的内容")
    assert nothing["data"] == {"total": 0, "rows": []}


async def test_batch_read_skips_unknown_numbers_and_caps_at_100(api: Api) -> None:
    known = [r["gdbh"] for r in (await api.get("/api/gd/list", pageSize="3"))["data"]["rows"]]
    body = await api.get("/api/gd/batch", gdbh=",".join([*known, "20000101000001", "bogus"]))
    assert body["code"] == 0 and sorted(r["gdbh"] for r in body["data"]["rows"]) == sorted(known)
    too_many = await api.get("/api/gd/batch", gdbh=",".join(f"2026010100{i:04d}" for i in range(101)))
    assert too_many["code"] == 400 and "100" in too_many["msg"]
    assert (await api.get("/api/gd/batch", gdbh=""))["code"] == 400


async def test_unknown_work_order_is_code_404(api: Api) -> None:
    assert (await api.get("/api/gd/20000101000001"))["code"] == 404
    assert (await api.act("20000101000001", "qs", dwbm="x"))["code"] == 404


# -- workflow over HTTP -------------------------------------------------------------------------------------


async def _units(api: Api) -> list[str]:
    rows = (await api.get("/api/dw/list"))["data"]["rows"]
    return [r["dwbm"] for r in rows]


async def _register(api: Api, **extra: Any) -> dict[str, Any]:
    body = {
        "ldr": "张三",
        "ldrxb": "男",
        "lxdh": "13800138000",
        "bt": "测试小区噪音扰民",
        "nr": "小区旁工地夜间施工，影响休息。",
        "sqlx": "投诉",
        "wtfl": {"dm": "0103", "mc": "城乡建设/夜间施工扰民"},
        "sfdz": "湖南省长沙市芙蓉区五里牌街道新村社区",
        "xzqh": "430102001001",
        **extra,
    }
    answer = await api.post("/api/gd", body)
    assert answer["code"] == 0, answer
    data: dict[str, Any] = answer["data"]
    return data


async def test_full_lead_and_co_unit_workflow_with_rehandle(api: Api) -> None:
    lead, co = (await _units(api))[:2]
    order = await _register(api)
    no = order["gdbh"]
    assert order["zt"] == "已受理" and order["pdsj"] == "" and order["ldhm"] == "13800138000"

    order = (await api.act(no, "pd", cbdw=lead, xbdw=[co]))["data"]
    assert order["zt"] == "已转办处理中" and order["blsx"] == "15" and order["sxdw"] == WORKDAYS
    assert [(u["js"], u["zt"]) for u in order["dwzt"]] == [("主办", "待签收"), ("协办", "待签收")]
    dispatched = datetime.strptime(order["pdsj"], "%Y-%m-%d %H:%M:%S")
    assert order["jzsj"] == add_workdays(dispatched, 15).strftime("%Y-%m-%d %H:%M:%S")

    assert (await api.act(no, "df", dwbm=lead, dfnr="x"))["code"] == 400  # must sign first
    order = (await api.act(no, "qs", dwbm=lead))["data"]
    assert _unit(order, lead)["zt"] == "办理中" and _unit(order, co)["zt"] == "待签收"
    assert order["zt"] == "已转办处理中"  # the S14 回显: city state, then one state per unit
    await api.act(no, "qs", dwbm=co)
    refused = await api.act(no, "df", dwbm=lead, dfnr="已处理")
    assert refused["code"] == 400 and "协办单位尚未回复" in refused["msg"]
    await api.act(no, "df", dwbm=co, dfnr="已配合核查")
    order = (await api.act(no, "df", dwbm=lead, dfnr="已责令停止夜间施工"))["data"]
    assert order["zt"] == "已回复待审核" and order["dfnr"] == "已责令停止夜间施工"

    order = (await api.act(no, "sh", tg=1))["data"]
    assert order["zt"] == "待回访"
    order = (await api.act(no, "hf", sfmy=0, hfyj="还在施工"))["data"]
    assert order["zt"] == "重办中" and order["cbcs"] == 1 and order["sfmy"] == "0"
    assert _unit(order, lead)["zt"] == "办理中"
    await api.act(no, "df", dwbm=lead, dfnr="已联合执法，工地已停工")
    await api.act(no, "sh", tg="1")
    order = (await api.act(no, "hf", sfmy="1"))["data"]
    assert order["zt"] == "已回访" and order["sfmy"] == "1" and order["hfcs"] == 2
    order = (await api.act(no, "bj"))["data"]
    assert order["zt"] == "已办结" and DATE.match(order["bjsj"])
    again = await api.act(no, "bj")
    assert again["code"] == 400 and "已办结" in again["msg"]
    fetched = await api.get(f"/api/gd/{no}")
    assert fetched["data"] == order


async def test_failed_audit_sends_the_reply_back_to_the_lead(api: Api) -> None:
    lead = (await _units(api))[0]
    no = (await _register(api))["gdbh"]
    await api.act(no, "pd", cbdw=lead)
    await api.act(no, "qs", dwbm=lead)
    await api.act(no, "df", dwbm=lead, dfnr="已处理")
    order = (await api.act(no, "sh", tg=0, shyj="请补充处理结果"))["data"]
    assert order["zt"] == "已转办处理中" and _unit(order, lead)["zt"] == "办理中" and order["shyj"] == "请补充处理结果"


async def test_approved_return_of_the_lead_sends_the_order_back_for_redispatch(api: Api) -> None:
    lead, co, other = (await _units(api))[:3]
    no = (await _register(api))["gdbh"]
    await api.act(no, "pd", cbdw=lead, xbdw=[co])
    assert (await api.act(no, "td", dwbm=lead))["code"] == 400  # a reason is required
    order = (await api.act(no, "td", dwbm=lead, tdyy="不属于本单位职责"))["data"]
    assert _unit(order, lead)["zt"] == "退单申请中"
    order = (await api.act(no, "tdsh", dwbm=lead, ty=1))["data"]
    assert order["zt"] == "已受理" and order["thcs"] == 1 and order["cbdw"] is None and order["xbdw"] == []
    assert {u["zt"] for u in order["dwzt"]} == {"已退单"}
    order = (await api.act(no, "pd", cbdw=other))["data"]
    assert order["cbdw"]["dwbm"] == other and len(order["dwzt"]) == 3


async def test_rejected_return_keeps_the_unit_handling(api: Api) -> None:
    lead = (await _units(api))[0]
    no = (await _register(api))["gdbh"]
    await api.act(no, "pd", cbdw=lead)
    await api.act(no, "td", dwbm=lead, tdyy="不属于本单位职责")
    order = (await api.act(no, "tdsh", dwbm=lead, ty=0, yj="属于本单位职责"))["data"]
    assert _unit(order, lead)["zt"] == "办理中" and order["zt"] == "已转办处理中" and order["thcs"] == 0


async def test_extension_is_bounded_and_granted_once(api: Api) -> None:
    lead = (await _units(api))[0]
    no = (await _register(api))["gdbh"]
    order = (await api.act(no, "pd", cbdw=lead))["data"]
    before = datetime.strptime(order["jzsj"], "%Y-%m-%d %H:%M:%S")
    await api.act(no, "qs", dwbm=lead)
    too_long = await api.act(no, "yq", dwbm=lead, yqts=11, yqyy="需要协调")
    assert too_long["code"] == 400 and "10" in too_long["msg"]
    order = (await api.act(no, "yq", dwbm=lead, yqts=5, yqyy="需要协调"))["data"]
    assert _unit(order, lead)["zt"] == "延期申请中"
    order = (await api.act(no, "yqsp", dwbm=lead, ty=1))["data"]
    assert order["yqcs"] == 1 and order["jzsj"] == add_workdays(before, 5).strftime("%Y-%m-%d %H:%M:%S")
    second = await api.act(no, "yq", dwbm=lead, yqts=2, yqyy="还需时间")
    assert second["code"] == 400 and "1次" in second["msg"]


async def test_register_variants_draft_direct_answer_urgent(api: Api) -> None:
    draft = await _register(api, zc=1)
    assert draft["zt"] == "暂存" and draft["slsj"] == ""
    assert (await api.act(draft["gdbh"], "sl"))["data"]["zt"] == "已受理"
    assert (await api.act(draft["gdbh"], "zf", yy="骚扰电话"))["data"]["zt"] == "无效件"

    direct = await _register(api, sqlx="咨询", zjdf=1, dfnr="已告知办理流程")
    assert direct["zt"] == "已直接答复" and direct["zjdf"] == 1 and direct["dfnr"] == "已告知办理流程"
    refused = await api.post("/api/gd", {**direct, "sqlx": "投诉", "zjdf": 1, "dfnr": "x"})
    assert refused["code"] == 400 and "咨询" in refused["msg"]

    urgent = await _register(api, sqlx="求助", jjcd="特急")
    order = (await api.act(urgent["gdbh"], "pd", cbdw=(await _units(api))[0]))["data"]
    assert (order["blsx"], order["sxdw"]) == ("2", HOURS)


async def test_register_records_the_operator_given_or_else_the_acting_user(api: Api) -> None:
    assert (await _register(api, zxgh="zx2001"))["zxgh"] == "zx2001"
    acting = Api(api.http, api.base, {**api.headers, "X-Acting-User": "op-7"})
    registered = await _register(acting)
    assert registered["zxgh"] == "op-7"
    assert (await api.get(f"/api/gd/{registered['gdbh']}"))["data"]["zxgh"] == "op-7"  # stored, not just echoed
    assert (await _register(api))["zxgh"] == ""  # nobody named: unknown


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"lxdh": "13800138000", "bt": "x", "nr": "y", "sqlx": "闲聊"}, "诉求类型"),
        ({"lxdh": "12", "bt": "x", "nr": "y", "sqlx": "投诉"}, "联系电话"),
        ({"lxdh": "13800138000", "nr": "y", "sqlx": "投诉"}, "标题"),
        ({"lxdh": "13800138000", "bt": "x", "nr": "y", "sqlx": "投诉", "jjcd": "很急"}, "紧急程度"),
    ],
)
async def test_register_validates_fields(api: Api, body: dict[str, Any], fragment: str) -> None:
    answer = await api.post("/api/gd", body)
    assert answer["code"] == 400 and fragment in answer["msg"]


async def test_bad_requests_are_answered_in_the_body(api: Api) -> None:
    no = (await _register(api))["gdbh"]
    assert (await api.act(no, "pd", cbdw="99999999"))["code"] == 400
    assert (await api.act(no, "fly"))["code"] == 404
    async with api.http.post(f"{api.base}/api/gd/{no}/qs", data=b"{not json", headers=api.headers) as resp:
        body = await resp.json()
    assert resp.status == 200 and body["code"] == 400


# -- rules without HTTP -------------------------------------------------------------------------------------


def test_working_days_follow_the_official_calendar_then_weekdays() -> None:
    assert not is_workday(date(2026, 10, 1)) and is_workday(date(2026, 9, 20))  # 国庆 and a 调休 Sunday
    assert add_workdays(datetime(2026, 9, 30, 10), 1) == datetime(2026, 10, 8, 10)
    assert add_workdays(datetime(2026, 9, 19, 10), 1) == datetime(2026, 9, 20, 10)
    # chinesecalendar stops at 2026: later years fall back to Monday–Friday instead of raising.
    assert add_workdays(datetime(2026, 12, 31, 9), 1) == datetime(2027, 1, 1, 9)
    assert add_workdays(datetime(2027, 1, 8, 9), 1) == datetime(2027, 1, 11, 9)


@pytest.mark.parametrize(
    ("kind", "urgency", "expected"),
    [
        ("咨询", "一般", (2, WORKDAYS)),
        ("求助", "一般", (10, WORKDAYS)),
        ("建议", "一般", (10, WORKDAYS)),
        ("投诉", "一般", (15, WORKDAYS)),
        ("举报", "一般", (15, WORKDAYS)),
        ("投诉", "紧急", (24, HOURS)),
        ("咨询", "特急", (2, HOURS)),
    ],
)
def test_changsha_default_time_limits(kind: str, urgency: str, expected: tuple[int, str]) -> None:
    assert TimeLimits().handling(kind, urgency) == expected


def _dispatched(at: datetime) -> Ticket:
    base = Ticket(
        "20260101000001",
        "RX260101000001",
        "0001",
        "李四",
        "女",
        "13900139000",
        "13900139000",
        "",
        "电话",
        "t",
        "c",
        "投诉",
        "0101",
        "城乡建设/违章搭建",
        "一般",
        "",
        "",
        "",
        False,
        at,
        CityState.DRAFT,
    )
    registered = workflow.register(base, at)
    return workflow.dispatch(registered, at, ("43010201", "住建局"), [], TimeLimits())


def test_return_is_refused_after_two_working_days() -> None:
    at = datetime(2026, 3, 2, 9)  # a Monday
    ticket = _dispatched(at)
    assert workflow.request_return(ticket, datetime(2026, 3, 4, 9), "43010201", "不归我管", TimeLimits()).units
    with pytest.raises(workflow.WorkflowError, match="退单时限"):
        workflow.request_return(ticket, datetime(2026, 3, 4, 9, 1), "43010201", "不归我管", TimeLimits())


def test_sign_deadline_is_one_working_day() -> None:
    ticket = _dispatched(datetime(2026, 3, 6, 15))  # a Friday
    assert ticket.units[0].sign_deadline == datetime(2026, 3, 9, 15)
