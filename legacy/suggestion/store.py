"""The suggestion system's SQLite table and the queries the protocol needs.

One row per suggestion in the legacy column names (see :mod:`legacy.suggestion`); ``lxdh_digits`` and
``sfzh_norm`` are search columns the real system keeps beside the values as typed. Writes that carry an
``X-Request-Id`` leave a receipt in the same transaction (:mod:`legacy.receipts`), so a retried write changes
nothing twice.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from legacy.receipts import SCHEMA as RECEIPTS_SCHEMA
from legacy.receipts import find_receipt, write_receipt

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "ListFilter",
    "Receipt",
    "count_and_page",
    "get_many",
    "get_one",
    "insert_rows",
    "receipt_of",
    "update_row",
]

Receipt = tuple[str, str, datetime]  # (request id, action, time) of the write that carried an X-Request-Id

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS suggestion (
    jybh TEXT PRIMARY KEY,   -- 建议编号
    jybt TEXT NOT NULL,      -- 标题
    jynr TEXT NOT NULL,      -- 内容
    jyrxm TEXT NOT NULL,     -- 建议人姓名
    jyrxb TEXT NOT NULL,     -- 性别
    lxdh TEXT NOT NULL,      -- 联系电话 (as typed)
    lxdh_digits TEXT NOT NULL,
    sfzh TEXT NOT NULL,      -- 身份证号
    sfzh_norm TEXT NOT NULL,
    jylb TEXT NOT NULL,      -- 建议类别
    jylbdm TEXT NOT NULL,
    qd TEXT NOT NULL,        -- 渠道
    tjsj TEXT NOT NULL,      -- 提交时间
    zt TEXT NOT NULL,        -- 状态
    bslyy TEXT NOT NULL,     -- 不受理原因
    cbdw TEXT NOT NULL,      -- 承办单位
    cbdwdm TEXT NOT NULL,
    jbsj TEXT NOT NULL,      -- 交办时间
    blqx TEXT NOT NULL,      -- 办理期限 (date)
    fknr TEXT NOT NULL,      -- 反馈内容
    fksj TEXT NOT NULL,      -- 反馈时间
    cnqk TEXT NOT NULL,      -- 采纳情况
    pjdj TEXT NOT NULL,      -- 评价等级
    jljf INTEGER,            -- 激励积分
    wzdz TEXT NOT NULL,      -- 位置
    xzqhdm TEXT NOT NULL     -- 行政区划代码 (12 digits)
);
CREATE INDEX IF NOT EXISTS suggestion_phone ON suggestion (lxdh_digits);
CREATE INDEX IF NOT EXISTS suggestion_id ON suggestion (sfzh_norm);
CREATE INDEX IF NOT EXISTS suggestion_time ON suggestion (tjsj DESC, jybh DESC);
"""
    + RECEIPTS_SCHEMA
)

COLUMNS = (
    "jybh",
    "jybt",
    "jynr",
    "jyrxm",
    "jyrxb",
    "lxdh",
    "lxdh_digits",
    "sfzh",
    "sfzh_norm",
    "jylb",
    "jylbdm",
    "qd",
    "tjsj",
    "zt",
    "bslyy",
    "cbdw",
    "cbdwdm",
    "jbsj",
    "blqx",
    "fknr",
    "fksj",
    "cnqk",
    "pjdj",
    "jljf",
    "wzdz",
    "xzqhdm",
)
_SEARCH_ONLY = frozenset({"lxdh_digits", "sfzh_norm"})
_NON_DIGITS = re.compile(r"\D")


def phone_digits(typed: str) -> str:
    digits = _NON_DIGITS.sub("", typed)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


@dataclass(frozen=True, slots=True)
class ListFilter:
    status: str | None = None  # zt
    phone: str | None = None  # lxdh, any format
    id_number: str | None = None  # sfzh
    keyword: str | None = None


def _record(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in row.keys() if k not in _SEARCH_ONLY}  # noqa: SIM118 - sqlite3.Row


def insert_rows(conn: sqlite3.Connection, rows: Iterable[Mapping[str, Any]], *, receipt: Receipt | None = None) -> None:
    """Insert in one transaction (seeding 60 rows or 6,000 takes the same one statement); with ``receipt``, also
    the receipt of the request that filed the (one) row."""
    rows = list(rows)
    placeholders = ", ".join("?" for _ in COLUMNS)
    values = [
        tuple(
            phone_digits(r["lxdh"]) if c == "lxdh_digits" else r["sfzh"].strip().upper() if c == "sfzh_norm" else r[c]
            for c in COLUMNS
        )
        for r in rows
    ]
    with conn:
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO suggestion ({', '.join(COLUMNS)}) VALUES ({placeholders})", values)
        if receipt is not None and rows:
            write_receipt(conn, receipt[0], str(rows[0]["jybh"]), receipt[1], receipt[2])


def count_and_page(
    conn: sqlite3.Connection, where: ListFilter, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    clauses: list[str] = []
    args: list[Any] = []
    if where.status:
        clauses.append("zt = ?")
        args.append(where.status)
    if where.phone:
        clauses.append("lxdh_digits = ?")
        args.append(phone_digits(where.phone))
    if where.id_number:
        clauses.append("sfzh_norm = ?")
        args.append(where.id_number.strip().upper())
    if where.keyword:
        clauses.append("(instr(jybt, ?) > 0 OR instr(jynr, ?) > 0)")
        args += [where.keyword, where.keyword]
    sql_where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    total = conn.execute(f"SELECT count(*) FROM suggestion {sql_where}", args).fetchone()[0]
    rows = conn.execute(
        f"SELECT * FROM suggestion {sql_where} ORDER BY tjsj DESC, jybh DESC LIMIT ? OFFSET ?", [*args, limit, offset]
    ).fetchall()
    return int(total), [_record(r) for r in rows]


def get_one(conn: sqlite3.Connection, number: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM suggestion WHERE jybh = ?", (number,)).fetchone()
    return None if row is None else _record(row)


def get_many(conn: sqlite3.Connection, numbers: Sequence[str]) -> list[dict[str, Any]]:
    if not numbers:
        return []
    marks = ", ".join("?" for _ in numbers)
    rows = conn.execute(f"SELECT * FROM suggestion WHERE jybh IN ({marks}) ORDER BY jybh", list(numbers)).fetchall()
    return [_record(r) for r in rows]


def receipt_of(conn: sqlite3.Connection, request_id: str) -> str | None:
    """The suggestion a write with this request id already made or changed (see :mod:`legacy.receipts`)."""
    return find_receipt(conn, request_id)


def update_row(
    conn: sqlite3.Connection, number: str, changes: Mapping[str, Any], *, receipt: Receipt | None = None
) -> None:
    unknown = set(changes) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}")
    sets = ", ".join(f"{c} = ?" for c in changes)
    with conn:
        conn.execute("BEGIN")
        conn.execute(f"UPDATE suggestion SET {sets} WHERE jybh = ?", [*changes.values(), number])
        if receipt is not None:
            write_receipt(conn, receipt[0], number, receipt[1], receipt[2])
