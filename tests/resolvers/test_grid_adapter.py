"""The grid adapter against the real stand-in (and a few broken servers) over loopback HTTP."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from auth.broker import ServiceCredentials
from legacy.grid.app import create_app
from legacy.standin import StandinOptions
from legacy.world import World
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
    LegacyUnavailable,
)
from resolvers.adapters.grid import GRID_STATES, GridClient, GridReport, event_from_legacy
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.domain import AppealType, Confidentiality, UnifiedStatus, UnitRef
from resolvers.grid_mapping import GRID_STATUS, appeal_type, confidentiality, unified_category, unified_status
from tests.conftest import NOW
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

TOKEN_ROUTE = "POST /oauth/token"
EVENT_ROUTE = "GET /api/v1/events/{taskNum}"


@pytest.fixture(scope="module")
def standin() -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), now=NOW))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
async def _session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


def client_for(url: str, **options: Any) -> GridClient:
    return GridClient(AdapterOptions(base_url=url, username="minyi-service", password="minyi-service-pass", **options))


async def admin(server: BackgroundServer, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as s, s.request(method, server.url + path, json=body) as r:
        return await r.json()


async def stats(server: BackgroundServer) -> dict[str, int]:
    return dict((await admin(server, "GET", "/_admin/stats"))["by_route"])


async def some_task_nums(client: GridClient, count: int) -> list[str]:
    page = await client.search(size=count)
    return [e.task_num for e in page.items]


async def test_an_event_comes_back_in_domain_names(standin: BackgroundServer, world: World) -> None:
    client = client_for(standin.url)
    page = await client.search(state="派遣", size=1)
    event = await client.event(page.items[0].task_num)
    assert event == page.items[0]
    assert event.state == "派遣" and isinstance(event.execute_dept, UnitRef) and event.execute_dept.name
    assert isinstance(event.discovered_at, datetime) and isinstance(event.deadline, datetime)
    assert event.dispatched_at is not None and event.deadline > event.dispatched_at
    assert isinstance(event.lng, float) and 112.5 < event.lng < 113.5 and event.lat is not None
    assert len(event.event_code) == 4 and event.admin_code12 == event.cell_grid_code[:12]
    assert event.archive_type is None and event.archived_at is None  # "" in the legacy is nothing here
    assert event.reporter_phone in {f.person.phone for f in world.filings_for("grid")}


async def test_the_token_is_cached_across_calls(standin: BackgroundServer) -> None:
    client = client_for(standin.url)
    await admin(standin, "POST", "/_admin/reset")
    task_nums = await some_task_nums(client, 3)
    for task_num in task_nums:
        await client.event(task_num)
    assert (await stats(standin))[TOKEN_ROUTE] == 1


async def test_the_token_is_renewed_shortly_before_it_expires(standin: BackgroundServer) -> None:
    now = [0.0]
    client = GridClient(
        AdapterOptions(base_url=standin.url, username="minyi-service", password="minyi-service-pass"),
        clock=lambda: now[0],
    )
    await admin(standin, "POST", "/_admin/reset")
    [task_num] = await some_task_nums(client, 1)
    now[0] = 569.0  # the stand-in's tokens live 600 s; the adapter renews 30 s early
    await client.event(task_num)
    assert (await stats(standin))[TOKEN_ROUTE] == 1
    now[0] = 571.0
    await client.event(task_num)
    assert (await stats(standin))[TOKEN_ROUTE] == 2


async def test_an_expired_token_costs_exactly_one_new_token_and_the_call_succeeds(standin: BackgroundServer) -> None:
    client = client_for(standin.url)
    [task_num] = await some_task_nums(client, 1)
    await admin(standin, "POST", "/_admin/expire-tokens")
    await admin(standin, "POST", "/_admin/reset")
    event = await client.event(task_num)
    assert event.task_num == task_num
    assert await stats(standin) == {TOKEN_ROUTE: 1, EVENT_ROUTE: 2}


async def test_concurrent_calls_on_an_expired_token_share_one_new_token(standin: BackgroundServer) -> None:
    client = client_for(standin.url, max_concurrency=4)
    task_nums = await some_task_nums(client, 10)
    await admin(standin, "POST", "/_admin/expire-tokens")
    await admin(standin, "POST", "/_admin/reset")
    found = await client.events(task_nums)
    assert [e.task_num for e in found if not isinstance(e, BaseException) and e is not None] == task_nums
    assert (await stats(standin))[TOKEN_ROUTE] == 1


async def test_wrong_client_credentials_are_an_auth_error(standin: BackgroundServer) -> None:
    client = GridClient(AdapterOptions(base_url=standin.url, username="minyi-service", password="guess"))
    with pytest.raises(LegacyAuthError, match="invalid_client"):
        await client.search()


async def test_events_reads_each_distinct_task_once_within_the_concurrency_limit(standin: BackgroundServer) -> None:
    client = client_for(standin.url, max_concurrency=4)
    distinct = await some_task_nums(client, 40)
    asked = [*distinct, *distinct[:30], *distinct[:20], "0000000000", "0000000000", *distinct[:8]]
    assert len(asked) == 100
    await admin(standin, "POST", "/_admin/reset")
    await admin(standin, "POST", "/_admin/load", {"hold_ms": 20})
    try:
        found = await client.events(asked)
        load = await admin(standin, "GET", "/_admin/load")
    finally:
        await admin(standin, "POST", "/_admin/load")
    assert len(found) == 100 and found[len(distinct) + 50] is None  # the missing one, in place
    assert all(
        e is not None and not isinstance(e, BaseException) and e.task_num == t
        for e, t in zip(found, asked, strict=True)
        if t != "0000000000"
    )
    assert set(load["reads"]) == {*distinct, "0000000000"} and set(load["reads"].values()) == {1}
    assert (await stats(standin)).get(EVENT_ROUTE) == len(distinct) + 1
    assert 2 <= load["max_in_flight"] <= 4  # in parallel, but never past max_concurrency


async def test_a_missing_event_is_not_found_and_an_illegal_step_is_rejected(standin: BackgroundServer) -> None:
    client = client_for(standin.url)
    with pytest.raises(LegacyNotFound, match="不存在"):
        await client.event("0000000000")
    [closed] = await some_task_nums_in(client, "结案")
    with pytest.raises(LegacyRejected, match="invalid_transition") as caught:
        await client.act(closed, "cancel")
    assert not isinstance(caught.value, LegacyNotFound) and caught.value.system == "grid"


async def some_task_nums_in(client: GridClient, state: str) -> list[str]:
    page = await client.search(state=state, size=1)
    return [e.task_num for e in page.items]


async def test_search_filters_and_pages(standin: BackgroundServer, world: World) -> None:
    client = client_for(standin.url)
    person = world.filings_for("grid")[-1].person
    mine = await client.search(phone=person.phone, size=100)
    assert mine.total == sum(1 for f in world.filings_for("grid") if f.person.phone == person.phone)
    assert {e.reporter_phone for e in mine.items} == {person.phone}
    first, second = await client.search(page=1, size=5), await client.search(page=2, size=5)
    assert first.total == second.total == len(world.filings_for("grid"))
    assert not {e.task_num for e in first.items} & {e.task_num for e in second.items}
    with pytest.raises(ValueError, match="size"):
        await client.search(size=101)


async def test_reporting_and_walking_the_loop_through_the_adapter(standin: BackgroundServer) -> None:
    client = client_for(standin.url)
    report = GridReport(
        source="12345热线",
        description="桃花社区公交站台旁暴露垃圾",
        major_code="01",
        minor_code="02",
        cell_grid_code="430103002006004",
        reporter_name="李四",
        reporter_phone="13900002222",
        reflect_type="投诉",
        lng=112.99,
        lat=28.11,
        discovered_at=datetime(2026, 11, 20, 8, 5),
    )
    event = await client.report(report)
    assert event.state == "上报" and event.source == "12345热线" and event.discovered_at == datetime(2026, 11, 20, 8, 5)
    assert event.lng == pytest.approx(112.99) and event.limit_working_hours == 4
    for action in ("confirm", "register"):
        event = await client.act(event.task_num, action)
    event = await client.act(event.task_num, "dispatch", execute_dept=UnitRef("430103-HW", "天心区环境卫生服务中心"))
    assert event.execute_dept == UnitRef("430103-HW", "天心区环境卫生服务中心") and event.deadline is not None
    for action in ("dispose", "feedback"):
        event = await client.act(event.task_num, action)
    assert (await client.act(event.task_num, "verify", passed=False)).state == "处置中"
    for action in ("feedback", "verify"):
        event = await client.act(event.task_num, action)
    with pytest.raises(LegacyRejected, match="archiveType"):
        await client.act(event.task_num, "close", archive_type="随便")
    event = await client.act(event.task_num, "close", archive_type="特殊")
    assert (event.state, event.archive_type) == ("结案", "特殊") and event.archived_at is not None


# --- broken or unreachable systems ----------------------------------------------------------------------------


async def _token_ok(request: web.Request) -> web.Response:
    request.app[TOKENS]["issued"] += 1
    return web.json_response({"access_token": "t", "token_type": "Bearer", "expires_in": 600})


async def _always_invalid(request: web.Request) -> web.Response:
    return web.json_response(
        {"error": "invalid_token"}, status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


async def _html(request: web.Request) -> web.Response:
    return web.Response(text="<html>维护中</html>", content_type="text/html")


async def _odd_state(request: web.Request) -> web.Response:
    return web.json_response(
        {"taskNum": "1", "state": "待办", "discoverTime": "2026-01-01T00:00:00", "mainType": "01", "subType": "02"}
    )


async def _token_count(request: web.Request) -> web.Response:
    return web.json_response({"tokens": request.app[TOKENS]["issued"]})


async def _forbidden(request: web.Request) -> web.Response:
    return web.json_response({"error": "insufficient_scope"}, status=403)


TOKENS = web.AppKey("tokens", Counter[str])


@pytest.fixture(scope="module")
def broken() -> Iterator[BackgroundServer]:
    def make() -> web.Application:
        app = web.Application()
        app[TOKENS] = Counter()
        app.add_routes(
            [
                web.post("/oauth/token", _token_ok),
                web.get("/api/v1/events/refused", _always_invalid),
                web.get("/api/v1/events/html", _html),
                web.get("/api/v1/events/odd", _odd_state),
                web.get("/api/v1/events/forbidden", _forbidden),
                web.get("/api/v1/events", _html),
                web.get("/tokens", _token_count),
            ]
        )
        return app

    server = serve_aiohttp(make)
    yield server
    server.stop()


async def test_refused_again_after_the_one_new_token_is_an_auth_error(broken: BackgroundServer) -> None:
    client = client_for(broken.url)
    before = (await admin(broken, "GET", "/tokens"))["tokens"]
    with pytest.raises(LegacyAuthError, match="access token refused"):
        await client.event("refused")
    assert (await admin(broken, "GET", "/tokens"))["tokens"] - before == 2  # the first token and exactly one more


async def test_answers_that_break_the_protocol_are_protocol_errors(broken: BackgroundServer) -> None:
    client = client_for(broken.url)
    with pytest.raises(LegacyProtocolError, match="not JSON"):
        await client.event("html")
    with pytest.raises(LegacyProtocolError, match="unknown event state"):
        await client.event("odd")
    with pytest.raises(LegacyProtocolError):
        await client.search()
    with pytest.raises(LegacyRejected, match="insufficient_scope"):
        await client.event("forbidden")
    bad: list[Any] = [[], {"state": "上报"}, {"taskNum": "1", "state": "上报", "discoverTime": "soon"}]
    for raw in bad:
        with pytest.raises(LegacyProtocolError):
            event_from_legacy(raw)


async def test_nothing_listening_is_unavailable() -> None:
    client = client_for(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(LegacyUnavailable, match="cannot reach"):
        await client.event("2611200001")


async def test_a_slow_system_is_unavailable_within_the_timeout_for_every_waiting_caller() -> None:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), now=NOW))
    try:
        await admin(server, "POST", "/_admin/faults", {"hold": True})
        client = client_for(server.url, timeout_s=0.2)
        answers = await client.events([f"26112000{n:02d}" for n in range(10)])
        stats = await admin(server, "GET", "/_admin/stats")
        assert all(isinstance(a, LegacyUnavailable) for a in answers)
        # One shared token fetch timed out (the system still holds it), and none of the ten waited for another.
        assert stats["requests"] == 1 and stats["held"] == 1
        assert list(stats["by_route"]) == ["POST /oauth/token"]
    finally:
        await admin(server, "POST", "/_admin/faults", {"hold": False})
        server.stop()


# --- the vocabulary ---------------------------------------------------------------------------------------------


def test_every_grid_state_maps_as_domain_section_5_says() -> None:
    assert {s: unified_status(s).value for s in GRID_STATUS} == {
        "上报": "SUBMITTED",
        "核实": "ACCEPTED",
        "立案": "ACCEPTED",
        "派遣": "DISPATCHED",
        "处置": "HANDLING",
        "处置中": "HANDLING",
        "反馈": "REPLIED",
        "核查": "AUDIT",
        "结案": "CLOSED",
        "作废": "INVALID",
    }
    assert set(GRID_STATES) <= set(GRID_STATUS)
    assert unified_status("派遣") is UnifiedStatus.DISPATCHED


def test_appeal_type_category_and_confidentiality() -> None:
    assert appeal_type("举报") is AppealType.REPORT and appeal_type("") is AppealType.COMPLAINT
    assert unified_category("0102") == "环境保护" and unified_category("0605") is None
    assert confidentiality(True) is Confidentiality.SECRET and confidentiality(False) is Confidentiality.NORMAL


async def test_the_token_request_authenticates_the_client_as_rfc_6749_encodes_it() -> None:
    # a client id and secret with characters the Basic header must carry form-encoded (RFC 6749 §2.3.1)
    seen: list[tuple[str, str]] = []

    async def token(request: web.Request) -> web.Response:
        seen.append((request.headers.get("Authorization", ""), await request.text()))
        return web.json_response({"access_token": "t-1", "token_type": "Bearer", "expires_in": 600})

    def app() -> web.Application:
        application = web.Application()
        application.router.add_post("/oauth/token", token)
        return application

    server = serve_aiohttp(app)
    try:
        options = AdapterOptions(base_url=server.url, username="minyi client:1", password="s3cret&x=y")
        issued = await GridClient(options)._fetch_token(ServiceCredentials("grid", "minyi client:1", "s3cret&x=y"))
    finally:
        server.stop()
    [(authorization, body)] = seen
    assert authorization == "Basic " + base64.b64encode(b"minyi+client%3A1:s3cret%26x%3Dy").decode()
    assert body == "grant_type=client_credentials"
    assert (issued.value, issued.lifetime_s) == ("t-1", 600.0)
