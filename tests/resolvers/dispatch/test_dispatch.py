"""Write-through dispatch end to end in one process: checks before writing, idempotency, sagas across systems,
request receipts — against the hotline and grid stand-ins over loopback and a real Redis."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from auth.principal import Principal
from legacy.grid.app import create_app as create_grid
from legacy.hotline.app import create_app as create_hotline
from legacy.standin import StandinOptions
from resolvers.audit import AUDIT_STREAM
from resolvers.dispatch import (
    Action,
    Command,
    DispatchState,
    IdempotencyConflict,
    InputRefused,
    PermissionRefused,
    StepState,
)
from tests.resolvers.dispatch.harness import DISPATCHER, HANDLER, clients, rig_for
from tests.support.servers import BackgroundServer, serve_aiohttp

UNIT = "43010503"  # 开福区生态环境分局, the demo handler's unit
OTHER_UNIT_HANDLER = Principal.from_claims({"sub": "h2", "roles": ["unit_handler"], "unit": "43010201"})


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackgroundServer, BackgroundServer, Path]]:
    data = tmp_path_factory.mktemp("dispatch")
    hotline = serve_aiohttp(lambda: create_hotline(StandinOptions(db=data / "hotline.sqlite")))
    grid = serve_aiohttp(lambda: create_grid(StandinOptions(db=data / "grid.sqlite")))
    yield hotline, grid, data
    hotline.stop()
    grid.stop()


def _register(title: str, **extra: Any) -> Command:
    params = {
        "title": title,
        "content": "小区门口垃圾堆放多日无人清理",
        "phone": "13800001111",
        "callerName": "张三",
        "appealType": "COMPLAINT",
        "adminCode": "430105002003",
        "gridCode": "430105002003001",
        **extra,
    }
    return Command(Action.REGISTER, None, params)


def _rows(db: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


async def test_a_registration_is_applied_once_and_a_replay_writes_nothing(redis: Redis, standins: Any) -> None:
    hotline, grid, data = standins
    async with rig_for(redis, hotline.url, grid.url) as rig:
        first = await rig.service.submit(DISPATCHER, _register("登记一次"), "key-register-1", wait_s=5)
        assert first.record.state is DispatchState.APPLIED and not first.replayed
        again = await rig.service.submit(DISPATCHER, _register("登记一次"), "key-register-1", wait_s=5)
    assert again.replayed and again.record.id == first.record.id
    assert _rows(data / "hotline.sqlite", "SELECT count(*) FROM gd WHERE bt = ?", "登记一次") == [(1,)]
    order_no = first.record.steps[0].result
    assert first.record.appeal == f"hotline:{order_no}"
    audit = await redis.xrange(AUDIT_STREAM)
    written = [f for _, f in audit if f[b"dispatch"].decode() == first.record.id]
    assert [(f[b"who"], f[b"legacy"]) for f in written] == [(b"dispatcher", f"hotline:{order_no}".encode())]


async def test_an_operator_answers_a_consultation_on_the_call_and_nothing_else(redis: Redis, standins: Any) -> None:
    hotline, grid, data = standins
    operator = Principal.from_claims({"sub": "op-7", "roles": ["operator"]})
    answer = "已告知所需材料与办理地点"
    async with rig_for(redis, hotline.url, grid.url) as rig:
        asked = _register("咨询办事流程", appealType="CONSULT", directAnswer=answer)
        done = await rig.service.submit(operator, asked, "k-direct", wait_s=5)
        assert done.record.state is DispatchState.APPLIED, done.record.reason
        officer = Principal.from_claims({"sub": "xf-1", "roles": ["petition_officer"]})
        refused = [
            (operator, _register("投诉直接答复", directAnswer=answer), "BAD_VALUE"),  # a complaint goes to a unit
            (operator, _register("空答复", appealType="CONSULT", directAnswer=" "), "REQUIRED"),
            (
                officer,
                _register("信访直接答复", appealType="CONSULT", directAnswer=answer, system="petition"),
                "UNSUPPORTED",
            ),
        ]
        for index, (who, command, code) in enumerate(refused):
            with pytest.raises(InputRefused) as error:
                await rig.service.submit(who, command, f"k-direct-bad-{index}", wait_s=1)
            assert (error.value.code, error.value.field) == (code, "directAnswer")
    rows = _rows(data / "hotline.sqlite", "SELECT zt, zjdf, dfnr FROM gd WHERE bt LIKE ?", "%直接答复%")
    assert rows == [] and _rows(
        data / "hotline.sqlite", "SELECT zt, zjdf, dfnr FROM gd WHERE bt = ?", "咨询办事流程"
    ) == [("已直接答复", 1, answer)]


async def test_the_same_key_with_another_input_is_refused(redis: Redis, standins: Any) -> None:
    hotline, grid, _ = standins
    async with rig_for(redis, hotline.url, grid.url) as rig:
        await rig.service.submit(DISPATCHER, _register("第一次"), "key-conflict", wait_s=5)
        with pytest.raises(IdempotencyConflict):
            await rig.service.submit(DISPATCHER, _register("另一件事"), "key-conflict", wait_s=5)


async def _registered(rig: Any, title: str) -> str:
    done = await rig.service.submit(DISPATCHER, _register(title), f"reg-{title}", wait_s=5)
    assert done.record.state is DispatchState.APPLIED
    return str(done.record.appeal)


async def test_dispatch_sign_and_reply_follow_the_hotline_workflow(redis: Redis, standins: Any) -> None:
    hotline, grid, _ = standins
    async with rig_for(redis, hotline.url, grid.url) as rig:
        appeal = await _registered(rig, "主办会办")
        dispatch = Command(Action.DISPATCH, appeal, {"leadUnit": UNIT, "coUnits": ["43010201"], "note": "请核实"})
        done = await rig.service.submit(DISPATCHER, dispatch, "k-dispatch", wait_s=5)
        assert done.record.state is DispatchState.APPLIED
        sign = Command(Action.SIGN, appeal, {})
        assert (await rig.service.submit(HANDLER, sign, "k-sign", wait_s=5)).record.state is DispatchState.APPLIED
        # the lead replies last, once for all: the co-unit has not replied, so this is refused before writing
        reply = Command(Action.REPLY, appeal, {"text": "已清理"})
        with pytest.raises(InputRefused) as refused:
            await rig.service.submit(HANDLER, reply, "k-reply", wait_s=5)
        assert refused.value.code == "TRANSITION_NOT_ALLOWED"
        ticket = await rig.reader.target(appeal)
    assert ticket is not None and ticket.city_state == "已转办处理中"  # type: ignore[union-attr]
    assert {(u.unit.code, u.state) for u in ticket.units} == {(UNIT, "办理中"), ("43010201", "待签收")}  # type: ignore[union-attr]


async def test_bad_input_is_refused_before_anything_is_written(redis: Redis, standins: Any) -> None:
    hotline, grid, _ = standins
    async with rig_for(redis, hotline.url, grid.url) as rig:
        appeal = await _registered(rig, "坏输入")
        writes_before = await _writes(hotline)
        cases: list[tuple[Principal, Command, str]] = [
            (DISPATCHER, Command(Action.DISPATCH, appeal, {"leadUnit": "99999999"}), "UNKNOWN_UNIT"),
            (DISPATCHER, Command(Action.CLOSE, appeal, {"closure": "SUBSTANTIVE"}), "TRANSITION_NOT_ALLOWED"),
            (
                Principal.from_claims(
                    {"sub": "s", "roles": ["supervisor"], "jurisdiction": {"admin_codes": ["430105"]}}
                ),
                Command(
                    Action.SUPERVISE,
                    appeal,
                    {"opinion": "尽快", "replyBy": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
                ),
                "DEADLINE_PASSED",
            ),
            (
                Principal.from_claims(
                    {"sub": "s2", "roles": ["supervisor"], "jurisdiction": {"admin_codes": ["430121"]}}
                ),
                Command(Action.URGE, appeal, {"opinion": "催一下"}),
                "OUTSIDE_JURISDICTION",
            ),
            (HANDLER, Command(Action.SIGN, appeal, {}), "OUTSIDE_JURISDICTION"),  # not dispatched to that unit
            (HANDLER, Command(Action.DISPATCH, appeal, {"leadUnit": UNIT}), "FORBIDDEN"),
        ]
        for index, (who, command, code) in enumerate(cases):
            with pytest.raises(InputRefused) as refused:
                await rig.service.submit(who, command, f"bad-{index}", wait_s=1)
            assert refused.value.code == code, (command.action, refused.value.message)
        await rig.service.submit(
            DISPATCHER, Command(Action.DISPATCH, appeal, {"leadUnit": UNIT}), "good-dispatch", wait_s=5
        )
        await rig.service.submit(HANDLER, Command(Action.SIGN, appeal, {}), "good-sign", wait_s=5)
        writes_before = await _writes(hotline)
        with pytest.raises(InputRefused) as too_long:
            await rig.service.submit(HANDLER, Command(Action.REPLY, appeal, {"text": "很" * 2001}), "long", wait_s=1)
        assert (too_long.value.code, too_long.value.field) == ("TOO_LONG", "text")
        with pytest.raises(PermissionRefused):
            await rig.service.submit(OTHER_UNIT_HANDLER, Command(Action.REPLY, appeal, {"text": "好"}), "o", wait_s=1)
    assert await _writes(hotline) == writes_before


async def _writes(server: BackgroundServer) -> int:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(f"{server.url}/_admin/stats") as resp:
        stats = await resp.json()
    return sum(n for route, n in stats["by_route"].items() if route.startswith("POST /api/gd"))


async def test_routing_to_the_grid_links_order_and_event_both_ways(redis: Redis, standins: Any) -> None:
    hotline, grid, data = standins
    async with rig_for(redis, hotline.url, grid.url) as rig:
        appeal = await _registered(rig, "网格直办")
        route = Command(Action.ROUTE_TO_GRID, appeal, {"eventType": "0102", "note": "请网格员现场处置"})
        done = await rig.service.submit(DISPATCHER, route, "k-route", wait_s=5)
        assert done.record.state is DispatchState.APPLIED, done.record.reason
        task_num = done.record.steps[0].result
        ticket = await rig.reader.target(appeal)
        event = await rig.reader.target(f"grid:{task_num}")
        street = Principal.from_claims(
            {"sub": "street", "roles": ["street_dispatcher"], "jurisdiction": {"admin_codes": ["430105002"]}}
        )
        tier = Command(Action.ROUTE_GRID_TIER, f"grid:{task_num}", {"tier": "STREET", "note": "网格无法处置"})
        moved = await rig.service.submit(street, tier, "k-tier", wait_s=5)
        assert moved.record.state is DispatchState.APPLIED
        again = Command(Action.ROUTE_GRID_TIER, f"grid:{task_num}", {"tier": "STREET"})
        with pytest.raises(InputRefused, match="tiers only go up"):
            await rig.service.submit(street, again, "k-tier-again", wait_s=5)
    order_no = appeal.split(":")[1]
    assert [(lk.system, lk.number, lk.kind) for lk in ticket.links] == [("grid", task_num, "网格直办")]  # type: ignore[union-attr]
    assert [(lk.system, lk.number, lk.kind) for lk in event.links] == [("hotline", order_no, "网格直办")]  # type: ignore[union-attr]
    assert _rows(data / "grid.sqlite", "SELECT tier FROM grid_tier WHERE task_num = ?", task_num) == [("镇街主办",)]


async def test_a_saga_whose_second_step_is_refused_undoes_the_first(redis: Redis, standins: Any) -> None:
    """网格直办 for an order that vanished between the check and the write: the grid event it reported is 作废."""
    hotline, grid, data = standins
    async with rig_for(redis, hotline.url, grid.url) as rig:
        appeal = await _registered(rig, "补偿")
        ticket = await rig.reader.target(appeal)
        from dataclasses import replace

        gone = replace(ticket, order_no="20000101000001")  # type: ignore[type-var]

        class Vanishing:
            async def target(self, appeal: str | None) -> Any:
                return gone

            async def units(self) -> dict[str, str]:
                return {}

        rig.service.reader = Vanishing()
        route = Command(Action.ROUTE_TO_GRID, appeal, {"eventType": "0102"})
        done = await rig.service.submit(DISPATCHER, route, "k-compensate", wait_s=5)
    record = done.record
    assert record.state is DispatchState.FAILED
    assert [s.state for s in record.steps] == [StepState.COMPENSATED, StepState.FAILED]
    assert "hotline refused" in (record.reason or "") and "undone" in (record.reason or "")
    task_num = record.steps[0].result
    assert _rows(data / "grid.sqlite", "SELECT state FROM grid_event WHERE task_num = ?", task_num) == [("作废",)]
    dead = await rig.outbox.dead_letters()
    assert (record.id, record.reason) in dead


async def test_a_repeated_request_id_writes_nothing_in_the_stand_ins(standins: Any) -> None:
    hotline_server, grid_server, data = standins
    hotline, _ = clients(hotline_server.url, grid_server.url)
    fields = {"bt": "重复请求", "nr": "同一请求发两次", "lxdh": "13800002222", "sqlx": "求助"}
    first = await hotline.register(fields, request_id="req-same-1")
    second = await hotline.register(fields, request_id="req-same-1")
    assert first.order_no == second.order_no
    assert _rows(data / "hotline.sqlite", "SELECT count(*) FROM gd WHERE bt = '重复请求'") == [(1,)]
