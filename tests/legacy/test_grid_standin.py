"""The grid stand-in's protocol over real HTTP: OAuth2 client credentials, bearer errors, paging, the loop."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from legacy.grid.app import create_app
from legacy.grid.store import SCHEMA, seed_events
from legacy.standin import StandinOptions, open_database
from legacy.world import World
from tests.conftest import NOW
from tests.support.servers import BackgroundServer, serve_aiohttp

BASIC = "Basic " + base64.b64encode(b"minyi-service:minyi-service-pass").decode()


@dataclass
class Clocks:
    """What the stand-in under test reads as time: token expiry (seconds) and workflow stamps (datetime)."""

    tokens: float = 1000.0
    now: datetime = datetime(2026, 11, 20, 10, 0)


CLOCKS = Clocks()


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(
        lambda: create_app(
            StandinOptions(),
            now=NOW,
            token_ttl_s=60,
            token_clock=lambda: CLOCKS.tokens,
            clock=lambda: CLOCKS.now,
        )
    )
    yield server
    server.stop()


async def call(
    method: str, url: str, *, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[int, dict[str, str], Any]:
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as session, session.request(method, url, headers=hdrs, **kwargs) as resp:
        body = await resp.json(content_type=None)
        return resp.status, dict(resp.headers), body


async def get_token(standin: BackgroundServer) -> str:
    status, _, body = await call(
        "POST",
        standin.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": BASIC},
    )
    assert status == 200, body
    return str(body["access_token"])


async def test_client_credentials_in_basic_auth_or_in_the_form_both_get_a_bearer_token(
    standin: BackgroundServer,
) -> None:
    status, headers, body = await call(
        "POST",
        standin.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": BASIC},
    )
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 60
    assert headers["Cache-Control"] == "no-store"
    form = {"grant_type": "client_credentials", "client_id": "minyi-service", "client_secret": "minyi-service-pass"}
    status, _, other = await call("POST", standin.url + "/oauth/token", data=form)
    assert status == 200 and other["access_token"] != body["access_token"]


async def test_the_token_endpoint_answers_rfc6749_errors(standin: BackgroundServer) -> None:
    url = standin.url + "/oauth/token"
    wrong = "Basic " + base64.b64encode(b"minyi-service:guess").decode()
    status, headers, body = await call(
        "POST", url, data={"grant_type": "client_credentials"}, headers={"Authorization": wrong}
    )
    assert (status, body["error"]) == (401, "invalid_client") and headers["WWW-Authenticate"] == 'Basic realm="grid"'
    status, _, body = await call(
        "POST", url, data={"grant_type": "client_credentials", "client_id": "someone", "client_secret": "x"}
    )
    assert (status, body["error"]) == (401, "invalid_client")
    status, _, body = await call("POST", url, data={"grant_type": "password"}, headers={"Authorization": BASIC})
    assert (status, body["error"]) == (400, "unsupported_grant_type")
    status, _, body = await call("POST", url, data={}, headers={"Authorization": BASIC})
    assert (status, body["error"]) == (400, "invalid_request")
    status, _, body = await call(
        "POST", url, json={"grant_type": "client_credentials"}, headers={"Authorization": BASIC}
    )
    assert (status, body["error"]) == (400, "invalid_request")
    status, _, body = await call("POST", url, data={"grant_type": "client_credentials"})
    assert (status, body["error"]) == (401, "invalid_client")


async def test_no_token_gets_a_bare_bearer_challenge_and_a_bad_one_gets_invalid_token(
    standin: BackgroundServer,
) -> None:
    status, headers, _ = await call("GET", standin.url + "/api/v1/events")
    assert status == 401 and headers["WWW-Authenticate"] == 'Bearer realm="grid"'
    status, headers, body = await call("GET", standin.url + "/api/v1/events", token="made-up")
    assert status == 401 and body["error"] == "invalid_token"
    assert headers["WWW-Authenticate"] == 'Bearer realm="grid", error="invalid_token"'


async def test_tokens_expire_after_their_lifetime(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    CLOCKS.tokens += 59
    status, _, _ = await call("GET", standin.url + "/api/v1/events", token=token)
    assert status == 200
    CLOCKS.tokens += 2
    status, headers, body = await call("GET", standin.url + "/api/v1/events", token=token)
    assert status == 401 and body["error"] == "invalid_token" and 'error="invalid_token"' in headers["WWW-Authenticate"]


async def test_the_operator_can_expire_every_token_at_once(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    status, _, body = await call("POST", standin.url + "/_admin/expire-tokens")
    assert status == 200 and body["expired"] >= 1
    status, _, body = await call("GET", standin.url + "/api/v1/events", token=token)
    assert status == 401 and body["error"] == "invalid_token"


async def test_seeded_events_are_the_worlds_grid_filings_spread_over_the_loop(
    standin: BackgroundServer, world: World
) -> None:
    token = await get_token(standin)
    filings = world.filings_for("grid")
    status, _, body = await call("GET", standin.url + "/api/v1/events", token=token, params={"size": "100"})
    assert status == 200 and body["total"] == len(filings) and len(body["items"]) == 100
    _, _, rest = await call("GET", standin.url + "/api/v1/events", token=token, params={"size": "100", "page": "2"})
    events = body["items"] + rest["items"]
    assert len({e["taskNum"] for e in events}) == len(filings)
    assert Counter(e["reporterPhone"] for e in events) == Counter(f.person.phone for f in filings)
    assert {e["cellGridCode"] for e in events} == {f.matter.place.grid_code15 for f in filings}
    states = Counter(e["state"] for e in events)
    assert len(states) >= 7 and states["结案"] < len(filings) * 0.7
    assert {e["archiveType"] for e in events if e["state"] == "结案"} <= {"正常", "超时", "差错", "特殊"}
    discovered = [e["discoverTime"] for e in events]
    assert discovered == sorted(discovered, reverse=True)
    one = events[0]
    # the legacy's quirks: mixed naming, "" for nothing, coordinates as strings, two date styles
    assert {"taskNum", "rec_id", "archive_time", "coordinateX", "infobcname"} <= set(one)
    assert "T" in one["discoverTime"] and " " in one["create_time"]
    assert 112.5 < float(one["coordinateX"]) < 113.5 and 27.9 < float(one["coordinateY"]) < 28.6
    assert all(len(e["cellGridCode"]) == 15 and len(e["mainType"] + e["subType"]) == 4 for e in events)
    dispatched = [e for e in events if e["dispatchTime"]]
    assert dispatched and all(e["deadline"] and e["executeDeptName"] for e in dispatched)
    assert all(e["deadline"] == "" for e in events if e["state"] in ("上报", "核实", "立案"))


async def test_pages_are_at_most_100_and_bad_paging_is_refused(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    url = standin.url + "/api/v1/events"
    status, _, body = await call("GET", url, token=token, params={"size": "101"})
    assert status == 400 and body["error"] == "invalid_request"
    for bad in ({"page": "0"}, {"page": "x"}, {"size": "0"}, {"state": "办结"}, {"gridCode": "43a"}):
        status, _, _ = await call("GET", url, token=token, params=bad)
        assert status == 400, bad
    status, _, body = await call("GET", url, token=token, params={"page": "99", "size": "50"})
    assert status == 200 and body["items"] == [] and body["total"] > 0 and (body["page"], body["size"]) == (99, 50)


async def test_list_filters_by_state_grid_area_phone_and_keyword(standin: BackgroundServer, world: World) -> None:
    token = await get_token(standin)
    url = standin.url + "/api/v1/events"
    _, _, body = await call("GET", url, token=token, params={"state": "结案", "size": "100"})
    assert body["total"] > 0 and all(e["state"] == "结案" for e in body["items"])
    filing = world.filings_for("grid")[0]
    community = filing.matter.place.admin_code12
    _, _, body = await call("GET", url, token=token, params={"gridCode": community, "size": "100"})
    expected = sum(1 for f in world.filings_for("grid") if f.matter.place.admin_code12 == community)
    assert body["total"] == expected and all(e["cellGridCode"].startswith(community) for e in body["items"])
    phone = filing.person.phone
    _, _, body = await call("GET", url, token=token, params={"phone": f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"})
    assert body["total"] == sum(1 for f in world.filings_for("grid") if f.person.phone == phone)
    _, _, body = await call("GET", url, token=token, params={"keyword": filing.matter.place.community})
    assert body["total"] >= 1 and all(
        filing.matter.place.community in e["address"] + e["description"] for e in body["items"]
    )


async def test_an_unknown_task_number_is_404(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    status, _, body = await call("GET", standin.url + "/api/v1/events/0000000000", token=token)
    assert status == 404 and body["error"] == "not_found"
    status, _, _ = await call(
        "POST", standin.url + "/api/v1/events/0000000000/actions", token=token, json={"action": "cancel"}
    )
    assert status == 404


def _report(source: str, **extra: Any) -> dict[str, Any]:
    body = {
        "eventSrc": source,
        "reporterName": "张三",
        "reporterPhone": "13800001111",
        "description": "小区东门垃圾桶满了无人清运",
        "mainType": "01",
        "subType": "02",
        "cellGridCode": "430102001001003",
        "address": "湖南省长沙市芙蓉区五里牌街道新村社区小区东门",
        "coordinateX": "113.031",
        "coordinateY": "28.196",
    }
    return body | extra


async def test_a_public_report_is_confirmed_before_it_is_registered_and_runs_the_whole_loop(
    standin: BackgroundServer,
) -> None:
    token = await get_token(standin)
    CLOCKS.now = datetime(2026, 11, 23, 9, 30)  # a Monday
    status, _, event = await call("POST", standin.url + "/api/v1/events", token=token, json=_report("公众"))
    assert status == 201 and event["state"] == "上报" and event["taskNum"].startswith("261123")
    assert event["limitHours"] == 4 and event["streetName"] == "五里牌街道" and event["infoscname"] == "暴露垃圾"
    actions = standin.url + f"/api/v1/events/{event['taskNum']}/actions"

    async def act(body: dict[str, Any]) -> tuple[int, Any]:
        status, _, answer = await call("POST", actions, token=token, json=body)
        return status, answer

    status, body = await act({"action": "register"})
    assert status == 409 and body["error"] == "invalid_transition" and "核实" in body["message"]
    assert (await act({"action": "confirm"}))[1]["state"] == "核实"
    assert (await act({"action": "register"}))[1]["state"] == "立案"
    status, body = await act({"action": "dispatch"})
    assert status == 400 and "executeDept" in body["message"]
    CLOCKS.now = datetime(2026, 11, 23, 11, 0)
    status, body = await act(
        {"action": "dispatch", "executeDept": "芙蓉区环境卫生服务中心", "executeDeptCode": "430102-HW"}
    )
    # 4 working hours from Monday 11:00: 1 h before lunch, 3 h from 13:30
    assert status == 200 and body["state"] == "派遣" and body["deadline"] == "2026-11-23T16:30:00"
    assert body["executeDeptName"] == "芙蓉区环境卫生服务中心"
    assert (await act({"action": "dispose"}))[1]["state"] == "处置中"
    assert (await act({"action": "feedback"}))[1]["state"] == "反馈"
    assert (await act({"action": "verify", "passed": False}))[1]["state"] == "处置中"  # 核查不通过
    CLOCKS.now = datetime(2026, 11, 24, 9, 15)
    assert (await act({"action": "feedback"}))[1]["state"] == "反馈"
    assert (await act({"action": "verify"}))[1]["state"] == "核查"
    status, body = await act({"action": "close", "archiveType": "随便"})
    assert status == 400 and "archiveType" in body["message"]
    status, body = await act({"action": "close"})
    assert status == 200 and body["state"] == "结案" and body["archiveType"] == "超时" and body["archive_time"]
    status, body = await act({"action": "cancel"})
    assert status == 409
    status, body = await act({"action": "approve"})
    assert status == 400


async def test_a_grid_worker_report_is_registered_directly_and_can_be_voided(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    status, _, event = await call(
        "POST",
        standin.url + "/api/v1/events",
        token=token,
        json=_report("网格员", reporterPhone="", gridUserName="王建军", mainType="05", subType="05"),
    )
    assert status == 201 and event["eventSrc"] == "网格员" and event["limitHours"] == 2
    actions = standin.url + f"/api/v1/events/{event['taskNum']}/actions"
    status, _, body = await call("POST", actions, token=token, json={"action": "confirm"})
    assert status == 409
    status, _, body = await call("POST", actions, token=token, json={"action": "register"})
    assert status == 200 and body["state"] == "立案"
    status, _, body = await call("POST", actions, token=token, json={"action": "cancel"})
    assert status == 200 and body["state"] == "作废" and body["cancel_time"]


async def test_bad_reports_are_refused(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    url = standin.url + "/api/v1/events"
    for bad in (
        _report("公众", reporterPhone=""),
        _report("路人"),
        _report("公众", description=" "),
        _report("公众", mainType="99"),
        _report("公众", cellGridCode="43010200100"),
        _report("公众", coordinateX="east"),
        _report("公众", discoverTime="yesterday"),
    ):
        status, _, body = await call("POST", url, token=token, json=bad)
        assert status == 400 and body["error"] == "invalid_request", bad
    status, _, body = await call("POST", url, token=token, data="[1, 2]", headers={"Content-Type": "application/json"})
    assert status == 400


async def test_the_deadline_skips_the_national_day_holiday(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    _, _, event = await call("POST", standin.url + "/api/v1/events", token=token, json=_report("监督员"))
    actions = standin.url + f"/api/v1/events/{event['taskNum']}/actions"
    await call("POST", actions, token=token, json={"action": "register"})
    CLOCKS.now = datetime(2026, 9, 30, 16, 30)
    _, _, body = await call("POST", actions, token=token, json={"action": "dispatch", "executeDept": "某部门"})
    assert body["deadline"] == "2026-10-08T12:00:00"  # 1 h on 30 Sep, then 1–7 Oct off, 3 h on 8 Oct


async def test_the_load_tracker_counts_requests_in_flight_and_reads_per_task(standin: BackgroundServer) -> None:
    token = await get_token(standin)
    _, _, listing = await call("GET", standin.url + "/api/v1/events", token=token, params={"size": "3"})
    task_nums = [e["taskNum"] for e in listing["items"]]
    status, _, load = await call("POST", standin.url + "/_admin/load", json={"hold_ms": 50})
    assert status == 200 and load["hold_ms"] == 50 and load["reads"] == {}
    await asyncio.gather(
        *(call("GET", standin.url + f"/api/v1/events/{t}", token=token) for t in [*task_nums, task_nums[0]])
    )
    _, _, load = await call("GET", standin.url + "/_admin/load")
    assert load["max_in_flight"] == 4 and load["in_flight"] == 0
    assert load["reads"] == {task_nums[0]: 2, task_nums[1]: 1, task_nums[2]: 1}
    status, _, _ = await call("POST", standin.url + "/_admin/load", json={"hold_ms": -1})
    assert status == 400
    await call("POST", standin.url + "/_admin/load")


def test_seeding_happens_once(world: World, tmp_path: Path) -> None:
    conn, empty = open_database(None, SCHEMA)
    assert empty and seed_events(conn, world) == len(world.filings_for("grid"))
    conn.close()
    db = tmp_path / "grid.sqlite"
    create_app(StandinOptions(db=db), now=NOW)
    create_app(StandinOptions(db=db), now=NOW)  # existing data is kept, not seeded again
    conn, empty = open_database(db, SCHEMA)
    assert not empty and conn.execute("SELECT count(*) FROM grid_event").fetchone()[0] == len(world.filings_for("grid"))
    conn.close()
