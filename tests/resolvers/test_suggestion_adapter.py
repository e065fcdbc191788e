"""The suggestion adapter against the real stand-in over loopback: API key, numbered pages cut at any offset,
batched reads, the workflow, errors; the one legacy→domain mapping and the status table."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app
from legacy.suggestion.seed import suggestion_rows
from legacy.world import World
from resolvers import suggestion_terms
from resolvers.adapters.errors import (
    LegacyAuthError,
    LegacyNotFound,
    LegacyProtocolError,
    LegacyRejected,
    LegacyUnavailable,
)
from resolvers.adapters.http import AdapterOptions, close_shared_session
from resolvers.adapters.suggestion import SuggestionClient, suggestion_from_json
from resolvers.domain import UnifiedStatus, UnitRef
from resolvers.suggestion_status import STATUS_BY_CODE, SUGGESTION_STATES, unified_status
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp

USER, PASSWORD = "minyi-service", "minyi-service-pass"
RAW: dict[str, Any] = {
    "jybh": "JY202611010003",
    "jybt": "关于增建健身设施的建议",
    "jynr": "建议增建全民健身设施。",
    "jyrxm": "张三",
    "jyrxb": "男",
    "lxdh": "138-0000-1234",
    "sfzh": "43010219900101123x",
    "jylb": "教育文体",
    "jylbdm": "04",
    "qd": "小程序",
    "tjsj": "2026-11-01 09:15:00",
    "zt": "07",
    "ztmc": "已激励",
    "bslyy": "",
    "cbdw": "长沙市教育局",
    "cbdwdm": "430100JYJ",
    "jbsj": "2026-11-02 10:00:00",
    "blqx": "2026-11-16",
    "fknr": "已采纳。",
    "fksj": "2026-11-10 16:00:00",
    "cnqk": "2",
    "pjdj": "4",
    "jljf": 30,
    "wzdz": "湖南省长沙市芙蓉区文艺路街道荷花社区学校门口",
    "xzqhdm": "430102002008",
}


@pytest.fixture(scope="module")
def standin(world: World) -> Iterator[BackgroundServer]:
    server = serve_aiohttp(lambda: create_app(StandinOptions(), world=world))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
async def _session() -> AsyncIterator[None]:
    yield
    await close_shared_session()


def client(url: str, **options: Any) -> SuggestionClient:
    return SuggestionClient(AdapterOptions(base_url=url, username=USER, password=PASSWORD, **options))


async def admin(server: BackgroundServer, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as session, session.request(method, server.url + path, json=body) as resp:
        return await resp.json()


def test_the_mapping_turns_legacy_fields_into_domain_names() -> None:
    record = suggestion_from_json(RAW)
    assert record.number == "JY202611010003" and record.proposer_name == "张三"
    assert record.proposer_phone == "13800001234" and record.proposer_id_number == "43010219900101123X"
    assert record.submitted_at == datetime(2026, 11, 1, 9, 15) and record.due_date == date(2026, 11, 16)
    assert record.unit == UnitRef("430100JYJ", "长沙市教育局") and record.assigned_at == datetime(2026, 11, 2, 10)
    assert record.adoption == "部分采纳" and record.rating == 4 and record.reward_points == 30
    assert record.state_code == "07" and record.state_name == "已激励" and record.reject_reason is None


def test_empty_strings_mean_no_value() -> None:
    fresh = {**RAW, "zt": "01", "cbdw": "", "cbdwdm": "", "jbsj": "", "blqx": "", "fknr": "", "fksj": ""}
    record = suggestion_from_json({**fresh, "cnqk": "", "pjdj": "", "jljf": None, "sfzh": "", "xzqhdm": ""})
    assert record.unit is None and record.assigned_at is None and record.due_date is None and record.reply is None
    assert record.adoption is None and record.rating is None and record.reward_points is None
    assert record.proposer_id_number == "" and record.admin_code12 is None


@pytest.mark.parametrize(
    "broken",
    [
        {"tjsj": "2026/11/01"},
        {"jljf": "30"},
        {"cnqk": "9"},
        {"jybt": 12},
        {"zt": ""},
    ],
)
def test_a_record_outside_the_protocol_is_a_protocol_error(broken: dict[str, Any]) -> None:
    with pytest.raises(LegacyProtocolError) as caught:
        suggestion_from_json({**RAW, **broken})
    assert caught.value.system == "suggestion"
    with pytest.raises(LegacyProtocolError):
        suggestion_from_json(["not", "an", "object"])


def test_every_status_code_maps_onto_the_unified_vocabulary() -> None:
    assert {code: status.value for code, status in STATUS_BY_CODE.items()} == {
        "01": "SUBMITTED",
        "02": "NOT_ACCEPTED",
        "03": "DISPATCHED",
        "04": "HANDLING",
        "05": "REPLIED",
        "06": "VISIT",
        "07": "CLOSED",
        "08": "CLOSED",
    }
    assert set(SUGGESTION_STATES.values()) == set(STATUS_BY_CODE)
    assert unified_status("05") is UnifiedStatus.REPLIED
    with pytest.raises(LegacyProtocolError, match="zt='99'"):
        unified_status("99")


def test_adoption_channel_and_deadline_in_domain_terms() -> None:
    assert [suggestion_terms.adopted(a) for a in ("采纳", "部分采纳", "未采纳", None)] == [True, True, False, None]
    assert [suggestion_terms.channel(c) for c in ("小程序", "网站", "12345转办", "来信")] == [
        "wechat",
        "web",
        "hotline",
        "letter",
    ]
    assert suggestion_terms.deadline(date(2026, 11, 16)) == datetime(2026, 11, 16, 23, 59, 59)


async def test_pages_at_any_offset_read_at_most_two_numbered_pages(standin: BackgroundServer, world: World) -> None:
    expected = sorted(suggestion_rows(world, 1), key=lambda r: (r["tjsj"], r["jybh"]), reverse=True)
    await admin(standin, "POST", "/_admin/reset")
    page = await client(standin.url).page(offset=7, count=10)
    stats = await admin(standin, "GET", "/_admin/stats")
    assert [r.number for r in page.records] == [r["jybh"] for r in expected[7:17]]
    assert page.total == 60 and stats["requests"] == 2
    last = await client(standin.url).page(offset=55, count=10)
    assert [r.number for r in last.records] == [r["jybh"] for r in expected[55:]]


async def test_many_reads_distinct_numbers_in_batches(standin: BackgroundServer, world: World) -> None:
    numbers = [r["jybh"] for r in suggestion_rows(world, 1)]
    asked = [*numbers, *numbers[:10], "JY000000000000"]
    await admin(standin, "POST", "/_admin/load")
    found = await client(standin.url, batch_size=25).many(asked)
    load = await admin(standin, "GET", "/_admin/load")
    assert [r.number if r else None for r in found] == [*numbers, *numbers[:10], None]
    assert load["batch_sizes"] == [25] * (len(numbers) // 25) + [61 % 25]  # 61 distinct, none twice
    assert len(load["batch_sizes"]) == math.ceil(61 / 25)


async def test_everything_of_a_person_by_phone_or_id_number(standin: BackgroundServer, world: World) -> None:
    rows = suggestion_rows(world, 1)
    row = next(r for r in rows if r["sfzh"])
    phone = row["lxdh"].replace("-", "")
    by_phone = await client(standin.url).everything_of(phone=phone)
    assert row["jybh"] in {r.number for r in by_phone} and {r.proposer_phone for r in by_phone} == {phone}
    by_id = await client(standin.url).everything_of(id_number=row["sfzh"])
    assert row["jybh"] in {r.number for r in by_id}
    assert await client(standin.url).everything_of() == []


async def test_workflow_steps_and_refusals(standin: BackgroundServer) -> None:
    fields = {"jybt": "关于夜市的建议", "jynr": "建议规划夜市。", "jyrxm": "李四", "lxdh": "13900001111"}
    created = await client(standin.url).submit({**fields, "jylb": "商贸旅游"})
    assert unified_status(created.state_code) is UnifiedStatus.SUBMITTED
    assigned = await client(standin.url).act(created.number, "assign", {"cbdw": "长沙市商务局", "cbdwdm": "430100SWJ"})
    assert assigned.unit == UnitRef("430100SWJ", "长沙市商务局") and assigned.due_date is not None
    with pytest.raises(LegacyRejected, match="HTTP 409"):
        await client(standin.url).act(created.number, "reward", {"jljf": 5})
    with pytest.raises(LegacyRejected, match="HTTP 400"):
        await client(standin.url).submit({**fields, "jylb": "天文"})
    with pytest.raises(ValueError, match="unknown action"):
        await client(standin.url).act(created.number, "approve")


async def test_an_unknown_number_is_not_found(standin: BackgroundServer) -> None:
    with pytest.raises(LegacyNotFound):
        await client(standin.url).get("JY000000000000")


async def test_a_wrong_api_key_is_an_auth_error(standin: BackgroundServer) -> None:
    wrong = SuggestionClient(AdapterOptions(base_url=standin.url, username=USER, password="guess"))
    with pytest.raises(LegacyAuthError) as caught:
        await wrong.page(offset=0, count=1)
    assert caught.value.system == "suggestion"


async def test_a_stopped_system_or_a_5xx_is_unavailable(standin: BackgroundServer) -> None:
    with pytest.raises(LegacyUnavailable):
        await client(f"http://127.0.0.1:{free_port()}").get("JY202611010003")
    await admin(standin, "POST", "/_admin/faults", {"failure_rate": 1.0})
    try:
        with pytest.raises(LegacyUnavailable, match="HTTP 503"):
            await client(standin.url).many(["JY202611010003"])
    finally:
        await admin(standin, "POST", "/_admin/faults", {"failure_rate": 0.0})


async def test_an_answer_that_is_not_json_is_a_protocol_error() -> None:
    def make() -> web.Application:
        app = web.Application()

        async def html(request: web.Request) -> web.Response:
            return web.Response(text="<html>维护中</html>", content_type="text/html")

        app.router.add_route("*", "/{tail:.*}", html)
        return app

    server = serve_aiohttp(make)
    try:
        with pytest.raises(LegacyProtocolError, match="not JSON"):
            await client(server.url).get("JY202611010003")
    finally:
        server.stop()
