"""Writes to the petition and suggestion systems, end to end in one process: registration in any system of record,
the one-unit workflows of 信访 and 人民建议征集, their checks before anything is written, request receipts in the
suggestion system and read-back in the petition system (whose SOAP operations carry no request id)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from auth.principal import Principal
from legacy.hotline.app import create_app as create_hotline
from legacy.petition.app import create_app as create_petition
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion
from resolvers.dispatch import (
    Action,
    Command,
    DispatchRecord,
    DispatchState,
    InputRefused,
    PermissionRefused,
)
from resolvers.domain import person_key
from tests.resolvers.dispatch.harness import DISPATCHER, HANDLER, Rig, rig_for, suggestion_client
from tests.support.servers import BackgroundServer, serve_aiohttp

UNIT = "43010503"  # 开福区生态环境分局, the demo handler's unit (HANDLER)
OFFICER = Principal.from_claims({"sub": "officer", "roles": ["petition_officer"]})
OTHER_HANDLER = Principal.from_claims({"sub": "h2", "roles": ["unit_handler"], "unit": "43010201"})
GRID_WORKER = Principal.from_claims(
    {"sub": "gw", "roles": ["grid_worker"], "jurisdiction": {"grid_codes": ["430105002003001"]}}
)


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("channels")
    servers = {
        "hotline": serve_aiohttp(lambda: create_hotline(StandinOptions(db=data / "hotline.sqlite"))),
        "petition": serve_aiohttp(lambda: create_petition(StandinOptions(db=data / "petition.sqlite"))),
        "suggestion": serve_aiohttp(lambda: create_suggestion(StandinOptions(db=data / "suggestion.sqlite"))),
    }
    yield {"servers": servers, "data": data}
    for server in servers.values():
        server.stop()


def _rig(redis: Redis, standins: dict[str, Any], workers: int = 1) -> Any:
    servers: dict[str, BackgroundServer] = standins["servers"]
    return rig_for(
        redis,
        servers["hotline"].url,
        "http://127.0.0.1:9",
        petition_url=servers["petition"].url,
        suggestion_url=servers["suggestion"].url,
        workers=workers,
    )


def _rows(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def _registration(system: str, title: str, **extra: Any) -> Command:
    params = {
        "title": title,
        "content": f"{title}：小区旁河道污水直排，气味很大",
        "phone": "13900007777",
        "callerName": "李四",
        "appealType": "COMPLAINT",
        "address": "开福区四方坪街道某小区",
        "adminCode": "430105002003",
        "system": system,
        **extra,
    }
    return Command(Action.REGISTER, None, params)


async def _apply(rig: Rig, who: Principal, command: Command, key: str) -> DispatchRecord:
    done = await rig.service.submit(who, command, key, wait_s=10)
    assert done.record.state is DispatchState.APPLIED, done.record.reason
    return done.record


async def test_a_suggestion_is_registered_assigned_handled_answered_and_closed_each_once(
    redis: Redis, standins: dict[str, Any]
) -> None:
    db = standins["data"] / "suggestion.sqlite"
    async with _rig(redis, standins) as rig:
        register = _registration("suggestion", "建议增设河道监测点", category="环境保护", appealType="SUGGESTION")
        first = await _apply(rig, DISPATCHER, register, "sg-register")
        again = await rig.service.submit(DISPATCHER, register, "sg-register", wait_s=5)
        appeal = first.appeal
        assert appeal is not None and appeal.startswith("suggestion:JY")
        assert again.replayed and again.record.id == first.id
        number = appeal.removeprefix("suggestion:")
        await _apply(rig, DISPATCHER, Command(Action.DISPATCH, appeal, {"leadUnit": UNIT}), "sg-assign")
        await _apply(rig, HANDLER, Command(Action.SIGN, appeal, {}), "sg-handle")
        reply = {"text": "已采纳，将在河道增设两处监测点。", "adoption": "ADOPTED"}
        await _apply(rig, HANDLER, Command(Action.REPLY, appeal, reply), "sg-feedback")
        await _apply(rig, DISPATCHER, Command(Action.CLOSE, appeal, {"closure": "SUBSTANTIVE"}), "sg-close")
    assert _rows(db, "SELECT count(*) FROM suggestion WHERE jybt = '建议增设河道监测点'") == [(1,)]
    row = _rows(db, "SELECT zt, cbdwdm, cbdw, cnqk, fknr, jylb FROM suggestion WHERE jybh = ?", number)
    assert row == [("08", UNIT, "开福区生态环境分局", "1", "已采纳，将在河道增设两处监测点。", "环境保护")]
    # every write carried its request id and left one receipt: a retry would have changed nothing twice
    actions = _rows(db, "SELECT action FROM request_receipt WHERE record_no = ? ORDER BY at, action", number)
    assert sorted(a for (a,) in actions) == sorted(["征集", "assign", "handle", "feedback", "close"])


async def test_a_petition_is_registered_handed_to_a_unit_accepted_extended_answered_and_closed(
    redis: Redis, standins: dict[str, Any]
) -> None:
    db = standins["data"] / "petition.sqlite"
    async with _rig(redis, standins) as rig:
        register = _registration("petition", "河道污水直排", channel="来访", idNumber="430105199001011234")
        first = await _apply(rig, OFFICER, register, "pt-register")
        appeal = first.appeal
        assert appeal is not None and appeal.startswith("petition:")
        number = appeal.removeprefix("petition:")
        assert _rows(db, "SELECT zt, xfxs, xfmd, xm FROM xfj WHERE xfjbh = ?", number) == [
            ("已登记", "来访", "申诉求决类", "李四")
        ]
        await _apply(rig, OFFICER, Command(Action.DISPATCH, appeal, {"leadUnit": UNIT}), "pt-route")
        await _apply(rig, HANDLER, Command(Action.SIGN, appeal, {}), "pt-accept")
        extension = {"days": 20, "reason": "需会同水务部门现场监测"}
        await _apply(rig, HANDLER, Command(Action.REQUEST_EXTENSION, appeal, extension), "pt-extend")
        opinion = {"text": "经核查属实，责令排污单位限期整改。", "outcome": "SUPPORT"}
        await _apply(rig, HANDLER, Command(Action.REPLY, appeal, opinion), "pt-opinion")
        await _apply(rig, OFFICER, Command(Action.CLOSE, appeal, {"closure": "SUBSTANTIVE"}), "pt-close")
    assert _rows(db, "SELECT zt, zjfs, cbdwdm, yqts, clyj, yjnr FROM xfj WHERE xfjbh = ?", number) == [
        ("已办结", "交办", UNIT, "20", "支持", "经核查属实，责令排污单位限期整改。")
    ]
    assert _rows(db, "SELECT count(*) FROM xfj WHERE bt = '河道污水直排'") == [(1,)]


async def test_a_grid_worker_reports_an_event_only_in_their_own_cells(redis: Redis, standins: dict[str, Any]) -> None:
    elsewhere = _registration("grid", "井盖缺失", eventType="0102", gridCode="430102001001001")
    async with _rig(redis, standins, workers=0) as rig:
        with pytest.raises(PermissionRefused) as refused:
            await rig.service.submit(GRID_WORKER, elsewhere, "grid-elsewhere")
        assert (refused.value.code, refused.value.field) == ("OUTSIDE_JURISDICTION", "gridCode")
        no_type = _registration("grid", "井盖缺失", gridCode="430105002003001")
        with pytest.raises(InputRefused) as bad:
            await rig.service.submit(GRID_WORKER, no_type, "grid-no-type")
        assert (bad.value.code, bad.value.field) == ("BAD_VALUE", "eventType")
        own = _registration("grid", "井盖缺失", eventType="0102", gridCode="430105002003001")
        accepted = await rig.service.submit(GRID_WORKER, own, "grid-own")
    assert [(s.spec.system, s.spec.operation, s.spec.body["eventSrc"]) for s in accepted.record.steps] == [
        ("grid", "report", "网格员")
    ]


async def _refusal(rig: Rig, who: Principal, command: Command, key: str) -> tuple[str, str | None]:
    with pytest.raises((InputRefused, PermissionRefused)) as refused:
        await rig.service.submit(who, command, key)
    error = refused.value
    assert isinstance(error, InputRefused | PermissionRefused)
    return error.code, error.field


async def test_what_the_petition_and_suggestion_systems_would_refuse_is_refused_before_anything_is_written(
    redis: Redis, standins: dict[str, Any]
) -> None:
    db = standins["data"]
    async with _rig(redis, standins) as rig:
        suggestion = (
            await _apply(rig, DISPATCHER, _registration("suggestion", "拒绝用例建议", category="城乡建设"), "r1")
        ).appeal
        petition = (await _apply(rig, OFFICER, _registration("petition", "拒绝用例信访"), "r2")).appeal
        assert suggestion is not None and petition is not None
        before = (
            _rows(db / "suggestion.sqlite", "SELECT count(*) FROM request_receipt"),
            _rows(db / "petition.sqlite", "SELECT zt FROM xfj WHERE xfjbh = ?", petition.removeprefix("petition:")),
        )
        cases = [
            (DISPATCHER, Command(Action.DISPATCH, suggestion, {"leadUnit": UNIT, "coUnits": ["43010201"]})),
            (DISPATCHER, Command(Action.DISPATCH, suggestion, {"leadUnit": "99999999"})),
            (HANDLER, Command(Action.SIGN, suggestion, {})),  # not yet assigned to the unit
            (DISPATCHER, Command(Action.DISPATCH, petition, {"leadUnit": UNIT})),  # the petition officer's work
            (OFFICER, Command(Action.REPLY, petition, {"text": "意见", "outcome": "SUPPORT"})),
            (OFFICER, Command(Action.URGE, petition, {})),
            (OFFICER, Command(Action.CLOSE, petition, {"closure": "SUBSTANTIVE"})),  # not answered yet
            (DISPATCHER, _registration("suggestion", "无类别建议")),
            (DISPATCHER, _registration("suggestion", "未知类别建议", category="天文")),
            (OFFICER, _registration("petition", "错误形式", channel="微信")),
            (DISPATCHER, _registration("petition", "无权登记")),
            (DISPATCHER, _registration("msgboard", "留言板登记")),
        ]
        answers = [await _refusal(rig, who, command, f"refused-{i}") for i, (who, command) in enumerate(cases)]
        assert answers == [
            ("UNSUPPORTED", "coUnits"),
            ("UNKNOWN_UNIT", "leadUnit"),
            ("OUTSIDE_JURISDICTION", "id"),
            ("FORBIDDEN", None),
            ("FORBIDDEN", None),
            ("UNSUPPORTED", "id"),
            ("TRANSITION_NOT_ALLOWED", "id"),
            ("BAD_VALUE", "category"),
            ("BAD_VALUE", "category"),
            ("BAD_VALUE", "channel"),
            ("FORBIDDEN", None),
            ("UNSUPPORTED", "system"),
        ]
        await _apply(rig, DISPATCHER, Command(Action.DISPATCH, suggestion, {"leadUnit": UNIT}), "r3")
        await _apply(rig, HANDLER, Command(Action.SIGN, suggestion, {}), "r4")
        await _apply(rig, OFFICER, Command(Action.DISPATCH, petition, {"leadUnit": UNIT}), "r5")
        await _apply(rig, HANDLER, Command(Action.SIGN, petition, {}), "r6")
        later = [
            (OTHER_HANDLER, Command(Action.REPLY, suggestion, {"text": "答复", "adoption": "ADOPTED"})),
            (HANDLER, Command(Action.REPLY, suggestion, {"text": "答复"})),
            (HANDLER, Command(Action.REPLY, petition, {"text": "意见"})),
            (HANDLER, Command(Action.REQUEST_EXTENSION, petition, {"days": 31, "reason": "太久"})),
        ]
        answers = [await _refusal(rig, who, command, f"later-{i}") for i, (who, command) in enumerate(later)]
    assert answers == [
        ("OUTSIDE_JURISDICTION", "id"),
        ("REQUIRED", "adoption"),
        ("REQUIRED", "outcome"),
        ("BAD_VALUE", "days"),
    ]
    receipts = _rows(db / "suggestion.sqlite", "SELECT count(*) FROM request_receipt")
    assert receipts[0][0] == before[0][0][0] + 2  # only the two writes that were allowed


async def test_a_petition_step_past_its_statutory_limit_needs_a_late_note(
    redis: Redis, standins: dict[str, Any]
) -> None:
    async with _rig(redis, standins) as rig:
        petition = (await _apply(rig, OFFICER, _registration("petition", "超期交办用例"), "late-1")).appeal
        assert petition is not None
        rig.service.clock = lambda: datetime.now(UTC) + timedelta(days=40)  # Art 22 allows 15 日 to route
        route = Command(Action.DISPATCH, petition, {"leadUnit": UNIT})
        code_field = await _refusal(rig, OFFICER, route, "late-2")
        assert code_field == ("REQUIRED", "lateNote")
        noted = Command(Action.DISPATCH, petition, {"leadUnit": UNIT, "lateNote": "信访人补充材料后方可交办"})
        record = await _apply(rig, OFFICER, noted, "late-3")
    assert record.steps[0].spec.body["cqsm"] == "信访人补充材料后方可交办"


async def test_a_petition_step_that_reached_the_system_before_its_worker_died_is_read_back_not_sent_again(
    redis: Redis, standins: dict[str, Any]
) -> None:
    db = standins["data"] / "petition.sqlite"
    async with _rig(redis, standins, workers=0) as rig:
        petition = (await rig.service.submit(OFFICER, _registration("petition", "读回用例"), "rb-1")).record
        # the first worker sent the registration and died before it could record the step (attempts still 0)
        assert rig.writers.petition is not None
        sent = await rig.writers.apply(petition.steps[0].spec, petition.steps[0].request_id, "officer")
        assert petition.steps[0].attempts == 0
    async with _rig(redis, standins) as rig:
        record = petition
        for _ in range(200):
            loaded = await rig.outbox.load(petition.id)
            assert loaded is not None
            record = loaded
            if record.terminal:
                break
            await asyncio.sleep(0.05)
    assert record.state is DispatchState.APPLIED, record.reason
    assert record.steps[0].result == sent
    assert _rows(db, "SELECT count(*) FROM xfj WHERE bt = '读回用例'") == [(1,)]


async def test_the_suggestion_system_answers_a_repeated_request_id_without_writing_again(
    standins: dict[str, Any],
) -> None:
    servers: dict[str, BackgroundServer] = standins["servers"]
    client = suggestion_client(servers["suggestion"].url)
    fields = {"jybt": "同一请求两次", "jynr": "内容", "jyrxm": "王五", "lxdh": "13700001111", "jylb": "交通运输"}
    first = await client.submit(fields, request_id="sg-same-1")
    second = await client.submit(fields, request_id="sg-same-1")
    assigned = await client.act(first.number, "assign", {"cbdw": "某单位", "cbdwdm": UNIT}, request_id="sg-same-2")
    again = await client.act(first.number, "assign", {"cbdw": "某单位", "cbdwdm": UNIT}, request_id="sg-same-2")
    assert second.number == first.number
    assert (assigned.state_code, again.state_code) == ("03", "03")  # the second assign was not refused as a 409
    db = standins["data"] / "suggestion.sqlite"
    assert _rows(db, "SELECT count(*) FROM suggestion WHERE jybt = '同一请求两次'") == [(1,)]


SECRET = b"rating-test-secret"


def _citizen(phone: str) -> Principal:
    key = person_key(SECRET, phone=phone)
    return Principal.from_claims({"sub": f"citizen-{phone}", "roles": ["citizen"], "person_key": key})


async def test_a_petitioner_rates_their_own_answered_petition_once_and_nobody_else_can(
    redis: Redis, standins: dict[str, Any]
) -> None:
    db = standins["data"] / "petition.sqlite"
    petitioner, stranger = _citizen("13900007777"), _citizen("13900008888")
    async with _rig(redis, standins) as rig:
        rig.service.person_secret = SECRET
        petition = (await _apply(rig, OFFICER, _registration("petition", "评价用例信访"), "rate-p1")).appeal
        assert petition is not None
        rating = Command(Action.RATE, petition, {"score": 4, "comment": "处理及时"})
        assert await _refusal(rig, petitioner, rating, "rate-too-early") == ("TRANSITION_NOT_ALLOWED", "id")
        await _apply(rig, OFFICER, Command(Action.DISPATCH, petition, {"leadUnit": UNIT}), "rate-p2")
        await _apply(rig, HANDLER, Command(Action.SIGN, petition, {}), "rate-p3")
        opinion = {"text": "经核查，已督促整改。", "outcome": "SUPPORT"}
        await _apply(rig, HANDLER, Command(Action.REPLY, petition, opinion), "rate-p4")
        assert await _refusal(rig, stranger, rating, "rate-stranger") == ("NOT_FOUND", "id")
        assert await _refusal(rig, OFFICER, rating, "rate-officer") == ("FORBIDDEN", None)
        too_high = Command(Action.RATE, petition, {"score": 6})
        assert await _refusal(rig, petitioner, too_high, "rate-6") == ("BAD_VALUE", "score")
        record = await _apply(rig, petitioner, rating, "rate-p5")
        again = Command(Action.RATE, petition, {"score": 1})
        assert await _refusal(rig, petitioner, again, "rate-again") == ("TRANSITION_NOT_ALLOWED", "id")
    number = petition.removeprefix("petition:")
    assert _rows(db, "SELECT pjjg, pjfs, pjyj FROM xfj WHERE xfjbh = ?", number) == [("满意", "4", "处理及时")]
    assert record.steps[0].spec.operation == "EvaluateXfj"


async def test_a_citizen_rates_the_feedback_on_their_own_suggestion(redis: Redis, standins: dict[str, Any]) -> None:
    db = standins["data"] / "suggestion.sqlite"
    async with _rig(redis, standins) as rig:
        rig.service.person_secret = SECRET
        register = _registration("suggestion", "评价用例建议", category="城乡建设", phone="13900006666")
        appeal = (await _apply(rig, DISPATCHER, register, "rate-s1")).appeal
        assert appeal is not None
        await _apply(rig, DISPATCHER, Command(Action.DISPATCH, appeal, {"leadUnit": UNIT}), "rate-s2")
        await _apply(rig, HANDLER, Command(Action.SIGN, appeal, {}), "rate-s3")
        feedback = {"text": "部分采纳。", "adoption": "PARTLY_ADOPTED"}
        await _apply(rig, HANDLER, Command(Action.REPLY, appeal, feedback), "rate-s4")
        await _apply(rig, _citizen("13900006666"), Command(Action.RATE, appeal, {"score": 3}), "rate-s5")
    assert _rows(db, "SELECT zt, pjdj FROM suggestion WHERE jybh = ?", appeal.removeprefix("suggestion:")) == [
        ("06", "3")
    ]


async def test_a_citizen_s_online_rating_answers_the_hotline_callback(redis: Redis, standins: dict[str, Any]) -> None:
    db = standins["data"] / "hotline.sqlite"
    async with _rig(redis, standins) as rig:
        rig.service.person_secret = SECRET
        register = _registration("hotline", "评价用例热线", phone="13900005555", gridCode="430105002003001")
        order = (await _apply(rig, DISPATCHER, register, "rate-h1")).appeal
        assert order is not None
        await _apply(rig, DISPATCHER, Command(Action.DISPATCH, order, {"leadUnit": UNIT}), "rate-h2")
        await _apply(rig, HANDLER, Command(Action.SIGN, order, {}), "rate-h3")
        await _apply(rig, HANDLER, Command(Action.REPLY, order, {"text": "已清理。"}), "rate-h4")
        await _apply(rig, DISPATCHER, Command(Action.REVIEW_REPLY, order, {"passed": True}), "rate-h5")
        rating = Command(Action.RATE, order, {"score": 2, "comment": "没有彻底解决"})
        await _apply(rig, _citizen("13900005555"), rating, "rate-h6")
    zt, satisfied = _rows(db, "SELECT zt, sfmy FROM gd WHERE gdbh = ?", order.removeprefix("hotline:"))[0]
    assert (zt, satisfied) == ("重办中", 0)  # not satisfied: the units handle it again


async def test_a_group_visit_is_registered_with_at_most_five_representatives(
    redis: Redis, standins: dict[str, Any]
) -> None:
    db = standins["data"] / "petition.sqlite"
    async with _rig(redis, standins) as rig:
        six = _registration("petition", "群体访六代表", channel="来访", personsInvolved=40, representatives=6)
        assert await _refusal(rig, OFFICER, six, "group-6") == ("BAD_VALUE", "representatives")
        five = _registration("petition", "群体访五代表", channel="来访", personsInvolved=40, representatives=5)
        appeal = (await _apply(rig, OFFICER, five, "group-5")).appeal
    assert appeal is not None
    assert _rows(db, "SELECT sjrs, qtbs FROM xfj WHERE xfjbh = ?", appeal.removeprefix("petition:")) == [("40", "1")]
    assert _rows(db, "SELECT count(*) FROM xfj WHERE bt = '群体访六代表'") == [(0,)]
