"""The grid stand-in's storage: the events (案卷), seeded from the synthetic city; their links to other systems'
records (``grid_link``: the 12345 order a 网格直办 event came from), their routing tiers (``grid_tier``:
网格直办 → 镇街主办 → 部门联办), and the receipts of writes that carried a request id (:mod:`legacy.receipts`).

Seeding takes the world's grid filings (``World.filings_for("grid")``) and walks each one along the loop as far as
its age allows, so that the seeded events are spread over every state, with the step times, the 处置 deadline
in working hours and the archive type (超时 when the feedback came after the deadline) that such a history
implies. Everything not in the filing is drawn from ``random.Random(seed + GRID_SEED_OFFSET)``, so the same seed
gives the same data.

Times are stored as ``YYYY-MM-DD HH:MM:SS`` text, naive local time.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from legacy.grid.codes import EVENT_CODES, PUBLIC_SOURCES, SOURCES, department_for, event_code_for
from legacy.grid.workflow import ARCHIVE_TYPES, TERMINAL_STATES, TIERS, WorkflowError, next_state
from legacy.grid.workhours import add_working_hours
from legacy.receipts import SCHEMA as RECEIPTS_SCHEMA
from legacy.receipts import find_receipt, write_receipt
from legacy.world import Filing, World

__all__ = [
    "GRID_SEED_OFFSET",
    "SCHEMA",
    "EventFilter",
    "add_link",
    "apply_action",
    "event_links",
    "event_tiers",
    "find_receipt",
    "get_event",
    "insert_event",
    "list_events",
    "route_tier",
    "seed_events",
]

GRID_SEED_OFFSET = 4104

SCHEMA = """
CREATE TABLE IF NOT EXISTS grid_event (
    rec_id            INTEGER PRIMARY KEY,
    task_num          TEXT NOT NULL UNIQUE,      -- 任务号
    event_src         TEXT NOT NULL,             -- 问题来源
    reporter_name     TEXT NOT NULL DEFAULT '',  -- 反映人
    reporter_phone    TEXT NOT NULL DEFAULT '',
    grid_user_name    TEXT NOT NULL DEFAULT '',  -- 采集人 (网格员/监督员)
    reflect_type      TEXT NOT NULL DEFAULT '',  -- 反映类型 投诉/举报/咨询/求助/建议
    description       TEXT NOT NULL,
    main_type         TEXT NOT NULL,
    sub_type          TEXT NOT NULL,
    cell_grid_code    TEXT NOT NULL,             -- 单元网格 15 digits
    duty_grid_code    TEXT NOT NULL DEFAULT '',  -- 责任网格
    district_code     TEXT NOT NULL DEFAULT '',
    district_name     TEXT NOT NULL DEFAULT '',
    street_name       TEXT NOT NULL DEFAULT '',
    community_name    TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    coordinate_x      REAL,
    coordinate_y      REAL,
    discover_time     TEXT NOT NULL,
    create_time       TEXT NOT NULL,
    confirm_time      TEXT,                      -- 核实
    register_time     TEXT,                      -- 立案
    dispatch_time     TEXT,                      -- 派遣
    dispose_time      TEXT,                      -- 处置
    feedback_time     TEXT,                      -- 反馈
    verify_time       TEXT,                      -- 核查
    archive_time      TEXT,                      -- 结案
    cancel_time       TEXT,                      -- 作废
    deadline          TEXT,
    limit_hours       INTEGER NOT NULL,
    state             TEXT NOT NULL,
    archive_type      TEXT NOT NULL DEFAULT '',
    execute_dept_code TEXT NOT NULL DEFAULT '',
    execute_dept_name TEXT NOT NULL DEFAULT '',
    secret_flag       TEXT NOT NULL DEFAULT '0'
);
CREATE INDEX IF NOT EXISTS grid_event_phone ON grid_event (reporter_phone);
CREATE INDEX IF NOT EXISTS grid_event_cell ON grid_event (cell_grid_code);
CREATE INDEX IF NOT EXISTS grid_event_discover ON grid_event (discover_time DESC, task_num DESC);
CREATE TABLE IF NOT EXISTS grid_link (
    task_num TEXT NOT NULL, system TEXT NOT NULL, number TEXT NOT NULL, kind TEXT NOT NULL, link_time TEXT NOT NULL,
    PRIMARY KEY (task_num, system, number, kind)
);
CREATE TABLE IF NOT EXISTS grid_tier (
    task_num TEXT NOT NULL, seq INTEGER NOT NULL, tier TEXT NOT NULL, note TEXT NOT NULL, route_time TEXT NOT NULL,
    PRIMARY KEY (task_num, seq)
);
"""
SCHEMA += RECEIPTS_SCHEMA

_FMT = "%Y-%m-%d %H:%M:%S"
_COLUMNS = (
    "task_num",
    "event_src",
    "reporter_name",
    "reporter_phone",
    "grid_user_name",
    "reflect_type",
    "description",
    "main_type",
    "sub_type",
    "cell_grid_code",
    "duty_grid_code",
    "district_code",
    "district_name",
    "street_name",
    "community_name",
    "address",
    "coordinate_x",
    "coordinate_y",
    "discover_time",
    "create_time",
    "confirm_time",
    "register_time",
    "dispatch_time",
    "dispose_time",
    "feedback_time",
    "verify_time",
    "archive_time",
    "cancel_time",
    "deadline",
    "limit_hours",
    "state",
    "archive_type",
    "execute_dept_code",
    "execute_dept_name",
    "secret_flag",
)
_INSERT = f"INSERT INTO grid_event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"

# Rough district centres (lng, lat), so coordinates land in the right part of Changsha.
_CENTRES = {
    "430102": (113.032, 28.197),
    "430103": (112.989, 28.113),
    "430104": (112.931, 28.234),
    "430105": (113.002, 28.257),
    "430111": (113.038, 28.136),
    "430112": (112.819, 28.347),
    "430121": (113.081, 28.247),
}
_WORKER_SURNAMES = "王李张刘陈杨黄赵周吴"
_WORKER_GIVEN = ("建军", "丽华", "志强", "秀英", "海燕", "国庆", "春梅", "卫东")
_SOURCE_WEIGHTS = {"公众": 0.35, "12345热线": 0.3, "网格员": 0.25, "监督员": 0.1}
# Steps after 上报 in order, with the action that takes each one and the column it stamps.
_STEPS = (
    ("confirm", "confirm_time"),
    ("register", "register_time"),
    ("dispatch", "dispatch_time"),
    ("dispose", "dispose_time"),
    ("feedback", "feedback_time"),
    ("verify", "verify_time"),
    ("close", "archive_time"),
)
_ACTION_COLUMN = dict(_STEPS) | {"cancel": "cancel_time"}


def _ts(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime(_FMT)


@dataclass(frozen=True, slots=True)
class EventFilter:
    state: str | None = None
    grid_code: str | None = None  # prefix of the cell grid code
    phone: str | None = None
    keyword: str | None = None


# --- seeding -----------------------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, world: World) -> None:
        self.rng = random.Random(world.seed + GRID_SEED_OFFSET)
        self.now = world.now
        self.per_day: dict[str, int] = {}

    def task_num(self, at: datetime) -> str:
        prefix = at.strftime("%y%m%d")
        self.per_day[prefix] = self.per_day.get(prefix, 0) + 1
        return f"{prefix}{self.per_day[prefix]:04d}"

    def coordinates(self, district_code: str, grid_code: str) -> tuple[float, float]:
        lng, lat = _CENTRES.get(district_code, (112.94, 28.23))
        cell = int(grid_code[6:])  # street + community + cell: stable spot per cell
        lng += ((cell * 7919) % 400 - 200) / 10000 + self.rng.uniform(-0.0008, 0.0008)
        lat += ((cell * 104729) % 300 - 150) / 10000 + self.rng.uniform(-0.0008, 0.0008)
        return round(lng, 6), round(lat, 6)

    def row(self, filing: Filing) -> tuple[Any, ...]:
        rng = self.rng
        matter, place = filing.matter, filing.matter.place
        code = event_code_for(matter.category, matter.title)
        source = rng.choices(list(_SOURCE_WEIGHTS), list(_SOURCE_WEIGHTS.values()))[0]
        public = source in PUBLIC_SOURCES
        worker = "" if public else rng.choice(_WORKER_SURNAMES) + rng.choice(_WORKER_GIVEN)
        created = filing.received_at + timedelta(minutes=rng.randint(1, 15), seconds=rng.randint(0, 59))
        times: dict[str, datetime] = {}
        state, deadline, archive_type = "上报", None, ""
        dept_code, dept_name = "", ""
        age_days = (self.now - filing.received_at).total_seconds() / 86400
        steps = [s for s in _STEPS if public or s[0] != "confirm"]
        if rng.random() < 0.04:
            goal = -1  # 作废 early on
        elif rng.random() < (0.65 if age_days > 30 else 0.35 if age_days > 7 else 0.0):
            goal = len(steps)
        else:
            goal = rng.randint(0, len(steps))
        moment = created
        for action, column in steps[: max(goal, 0)]:
            if action == "feedback" and deadline is not None:
                share = rng.uniform(0.3, 0.95) if rng.random() < 0.8 else rng.uniform(1.1, 2.5)
                planned = add_working_hours(times["dispatch_time"], code.limit_hours * share)
                moment = max(planned, moment + timedelta(minutes=5))
            else:
                moment += timedelta(minutes=rng.randint(10, 120), seconds=rng.randint(0, 59))
            if moment > self.now:
                break
            state = next_state(state, action, public_report=public)
            times[column] = moment
            if action == "dispatch":
                dept_code, dept_name = department_for(code, place)
                deadline = add_working_hours(moment, code.limit_hours)
            if action == "close":
                late = deadline is not None and times["feedback_time"] > deadline
                roll = rng.random()
                archive_type = "差错" if roll < 0.03 else "特殊" if roll < 0.05 else "超时" if late else "正常"
        if goal == -1:
            state = "作废"
            times["cancel_time"] = created + timedelta(minutes=rng.randint(30, 600))
            if times["cancel_time"] > self.now:
                state = "上报"
                del times["cancel_time"]
        lng, lat = self.coordinates(place.district_code, place.grid_code15)
        values: dict[str, Any] = {
            "task_num": self.task_num(filing.received_at),
            "event_src": source,
            "reporter_name": filing.person.name,
            "reporter_phone": filing.person.phone,
            "grid_user_name": worker,
            "reflect_type": matter.kind,
            "description": filing.content,
            "main_type": code.main_type,
            "sub_type": code.sub_type,
            "cell_grid_code": place.grid_code15,
            "duty_grid_code": place.admin_code12 + "000",
            "district_code": place.district_code,
            "district_name": place.district,
            "street_name": place.street,
            "community_name": place.community + "社区",
            "address": place.text,
            "coordinate_x": lng,
            "coordinate_y": lat,
            "discover_time": _ts(filing.received_at),
            "create_time": _ts(created),
            "deadline": _ts(deadline),
            "limit_hours": code.limit_hours,
            "state": state,
            "archive_type": archive_type,
            "execute_dept_code": dept_code,
            "execute_dept_name": dept_name,
            "secret_flag": "1" if matter.accused else "0",
        }
        for column in _ACTION_COLUMN.values():
            values[column] = _ts(times.get(column))
        return tuple(values[c] for c in _COLUMNS)


def seed_events(conn: sqlite3.Connection, world: World) -> int:
    """Insert one event per grid filing of ``world`` in one transaction; returns how many."""
    seeder = _Seeder(world)
    rows = [seeder.row(f) for f in world.filings_for("grid")]
    with conn:
        conn.execute("BEGIN")
        conn.executemany(_INSERT, rows)
    return len(rows)


# --- reads -------------------------------------------------------------------------------------------------


def get_event(conn: sqlite3.Connection, task_num: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute("SELECT * FROM grid_event WHERE task_num = ?", (task_num,)).fetchone()
    return row


def list_events(conn: sqlite3.Connection, where: EventFilter, *, page: int, size: int) -> tuple[int, list[sqlite3.Row]]:
    """(total, rows of that page), newest discovery first; ``page`` counts from 1."""
    clauses: list[str] = []
    args: list[Any] = []
    if where.state:
        clauses.append("state = ?")
        args.append(where.state)
    if where.grid_code:
        clauses.append("substr(cell_grid_code, 1, ?) = ?")
        args += [len(where.grid_code), where.grid_code]
    if where.phone:
        clauses.append("reporter_phone = ?")
        args.append(where.phone)
    if where.keyword:
        clauses.append("(instr(description, ?) > 0 OR instr(address, ?) > 0 OR task_num = ?)")
        args += [where.keyword, where.keyword, where.keyword]
    sql_where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    total = int(conn.execute(f"SELECT count(*) FROM grid_event {sql_where}", args).fetchone()[0])
    rows = conn.execute(
        f"SELECT * FROM grid_event {sql_where} ORDER BY discover_time DESC, task_num DESC LIMIT ? OFFSET ?",
        [*args, size, (page - 1) * size],
    ).fetchall()
    return total, list(rows)


# --- writes ------------------------------------------------------------------------------------------------


def insert_event(
    conn: sqlite3.Connection,
    fields: dict[str, Any],
    now: datetime,
    *,
    request_id: str = "",
    links: tuple[tuple[str, str, str], ...] = (),
) -> sqlite3.Row:
    """上报: a new event in state 上报; ``fields`` uses the column names and has been checked by the caller.
    ``links`` (system, number, kind) are stored with it, and the receipt of ``request_id`` in the same transaction."""
    code = EVENT_CODES[fields["main_type"] + fields["sub_type"]]
    if fields["event_src"] not in SOURCES:
        raise ValueError(f"unknown event source {fields['event_src']!r}")
    cell = fields["cell_grid_code"]
    known = conn.execute(
        "SELECT district_code, district_name, street_name, community_name FROM grid_event "
        "WHERE substr(cell_grid_code, 1, 12) = ? LIMIT 1",
        (cell[:12],),
    ).fetchone()
    place = dict(known) if known is not None else {"district_code": cell[:6]}
    prefix = now.strftime("%y%m%d")
    last = conn.execute(
        "SELECT max(task_num) FROM grid_event WHERE task_num LIKE ? AND length(task_num) = 10", (prefix + "%",)
    ).fetchone()[0]
    task_num = f"{prefix}{(int(last[6:]) if last else 0) + 1:04d}"
    values: dict[str, Any] = {c: None for c in _COLUMNS}
    values |= {
        "reporter_name": "",
        "reporter_phone": "",
        "grid_user_name": "",
        "reflect_type": "",
        "district_code": "",
        "district_name": "",
        "street_name": "",
        "community_name": "",
        "address": "",
        "archive_type": "",
        "execute_dept_code": "",
        "execute_dept_name": "",
        "secret_flag": "0",
    }
    values |= {k: v for k, v in place.items() if v}
    values |= {k: v for k, v in fields.items() if v is not None}
    values |= {
        "task_num": task_num,
        "duty_grid_code": fields.get("duty_grid_code") or cell[:12] + "000",
        "discover_time": _ts(fields.get("discover_time") or now),
        "create_time": _ts(now),
        "limit_hours": code.limit_hours,
        "state": "上报",
    }
    with conn:
        conn.execute("BEGIN")
        conn.execute(_INSERT, tuple(values[c] for c in _COLUMNS))
        for system, number, kind in links:
            conn.execute(
                "INSERT OR IGNORE INTO grid_link VALUES (?, ?, ?, ?, ?)", (task_num, system, number, kind, _ts(now))
            )
        write_receipt(conn, request_id, task_num, "report", now)
    row = get_event(conn, task_num)
    assert row is not None
    return row


def apply_action(
    conn: sqlite3.Connection,
    task_num: str,
    action: str,
    now: datetime,
    *,
    execute_dept: tuple[str, str] | None = None,
    archive_type: str | None = None,
    passed: bool = True,
    request_id: str = "",
) -> sqlite3.Row | None:
    """Move an event one step (raises ``WorkflowError``); ``None`` when there is no such event."""
    row = get_event(conn, task_num)
    if row is None:
        return None
    state = next_state(row["state"], action, public_report=row["event_src"] in PUBLIC_SOURCES, passed=passed)
    changes: dict[str, Any] = {"state": state, _ACTION_COLUMN[action]: _ts(now)}
    if action == "dispatch":
        if execute_dept is None:
            raise ValueError("dispatch needs an execute department")
        changes["execute_dept_code"], changes["execute_dept_name"] = execute_dept
        changes["deadline"] = _ts(add_working_hours(now, row["limit_hours"]))
    if action == "close":
        if archive_type is None:
            deadline = row["deadline"]
            feedback = row["feedback_time"]
            archive_type = "超时" if deadline and feedback and feedback > deadline else "正常"
        if archive_type not in ARCHIVE_TYPES:
            raise ValueError(f"archiveType must be one of {', '.join(ARCHIVE_TYPES)}")
        changes["archive_type"] = archive_type
    assignments = ", ".join(f"{column} = ?" for column in changes)
    with conn:
        conn.execute("BEGIN")
        conn.execute(f"UPDATE grid_event SET {assignments} WHERE task_num = ?", [*changes.values(), task_num])
        write_receipt(conn, request_id, task_num, action, now)
    return get_event(conn, task_num)


def event_links(conn: sqlite3.Connection, task_num: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM grid_link WHERE task_num = ? ORDER BY link_time", (task_num,)).fetchall()


def event_tiers(conn: sqlite3.Connection, task_num: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM grid_tier WHERE task_num = ? ORDER BY seq", (task_num,)).fetchall()


def add_link(
    conn: sqlite3.Connection, task_num: str, link: tuple[str, str, str], now: datetime, *, request_id: str = ""
) -> sqlite3.Row | None:
    """关联: link the event to a record of another system; the same link is kept once. ``None``: no such event."""
    if get_event(conn, task_num) is None:
        return None
    with conn:
        conn.execute("BEGIN")
        conn.execute("INSERT OR IGNORE INTO grid_link VALUES (?, ?, ?, ?, ?)", (task_num, *link, _ts(now)))
        write_receipt(conn, request_id, task_num, "link", now)
    return get_event(conn, task_num)


def route_tier(
    conn: sqlite3.Connection, task_num: str, tier: str, note: str, now: datetime, *, request_id: str = ""
) -> sqlite3.Row | None:
    """Move an open event up the tiers 网格直办 → 镇街主办 → 部门联办 (raises ``WorkflowError``)."""
    row = get_event(conn, task_num)
    if row is None:
        return None
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {', '.join(TIERS)}")
    if row["state"] in TERMINAL_STATES:
        raise WorkflowError(f"案件已{row['state']}，不能再转办")
    history = event_tiers(conn, task_num)
    current = history[-1]["tier"] if history else TIERS[0]
    if TIERS.index(tier) <= TIERS.index(current):
        raise WorkflowError(f"案件当前为「{current}」，只能向上转为更高一级")
    with conn:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO grid_tier VALUES (?, ?, ?, ?, ?)", (task_num, len(history), tier, note, _ts(now)))
        write_receipt(conn, request_id, task_num, "tier", now)
    return get_event(conn, task_num)
