"""The 信访件 table of the stand-in (SQLite) and the queries the service runs on it.

Columns keep the legacy system's pinyin abbreviations (DOMAIN.md §3.2) and its habits: every value is text, dates
are ``YYYY-MM-DD HH:MM:SS`` strings (``xfrq`` is a bare date), flags are ``"1"``/``"0"``, and an empty string
stands for "no value". Some codes arrive in name-only form: ``nrfl`` carries the category name and has no code,
``cbdwdm`` is empty for some units and ``wtsddm`` for many letters (only ``wtsdmc``, the place name, is filled).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from legacy.petition.workflow import Milestones

__all__ = ["COLUMNS", "SCHEMA", "PetitionStore", "Query", "Row", "milestones"]

# Every column of the table, in the order of the answer's child elements.
COLUMNS = (
    "xfjbh",  # 信访件编号 (city)
    "sxfjbh",  # 省信访件编号 (province number, when the matter came down from the province)
    "xfrq",  # 信访日期 (date only)
    "djsj",  # 登记时间
    "xfxs",  # 信访形式: 来信/来访/网上/来电
    "xm",  # 姓名
    "xb",  # 性别
    "zjhm",  # 证件号码
    "lxdh",  # 联系电话
    "zz",  # 住址
    "wtsddm",  # 问题属地代码 (12-digit admin code)
    "wtsdmc",  # 问题属地名称
    "bt",  # 标题
    "fynr",  # 反映内容
    "nrfl",  # 内容分类 (name only)
    "xfmd",  # 信访目的 = 三类: 建议意见类/检举控告类/申诉求决类
    "jjcd",  # 紧急程度: 一般/紧急/特急
    "djr",  # 登记人
    "sjrs",  # 涉及人数
    "qtbs",  # 群体标识
    "lmbs",  # 联名标识
    "jjfbs",  # 进京访标识
    "ybfbs",  # 越级访标识
    "cfbs",  # 重复访标识
    "jbkg",  # 检举控告标识 (Art 30)
    "bjbr",  # 被举报人/单位 (accusation items only)
    "cxm",  # 查询码
    "zt",  # 状态
    "zjfs",  # 转交方式: 转送/交办
    "cbdw",  # 承办单位
    "cbdwdm",  # 承办单位代码
    "zjsj",  # 转送/交办时间
    "slsj",  # 受理(告知)时间
    "bslyy",  # 不予受理理由 / 导入程序去向
    "yqts",  # 延期天数
    "yqly",  # 延期理由
    "yqsj",  # 延期时间
    "clyj",  # 处理意见: 支持/解释说明/不予支持
    "yjnr",  # 意见书内容
    "yjsj",  # 意见书出具时间
    "fcsqsj",  # 复查申请时间
    "fcyj",  # 复查意见
    "fcjdsj",  # 复查答复时间
    "fhsqsj",  # 复核申请时间
    "fhyj",  # 复核意见
    "fhjdsj",  # 复核答复时间
    "bjsj",  # 办结时间
    "xbjzsj",  # 限办截止时间 of the current stage
    "sfcq",  # 是否超期
    "cqsm",  # 超期说明
    "pjjg",  # 评价结果 (Art 21, the petitioner online): 满意/基本满意/不满意
    "pjfs",  # 评价分数 1-5
    "pjyj",  # 评价意见
    "pjsj",  # 评价时间
)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS xfj (id INTEGER PRIMARY KEY, "
    + ", ".join(f"{c} TEXT NOT NULL DEFAULT ''" for c in COLUMNS)
    + ", UNIQUE (xfjbh));\n"
    "CREATE INDEX IF NOT EXISTS xfj_zjhm ON xfj (zjhm);\n"
    "CREATE INDEX IF NOT EXISTS xfj_lxdh ON xfj (lxdh);\n"
    "CREATE INDEX IF NOT EXISTS xfj_zt ON xfj (zt);\n"
    "CREATE INDEX IF NOT EXISTS xfj_djsj ON xfj (djsj);\n"
)

Row = dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    """QueryXfjList filters; empty means "any". ``statuses`` is the comma-separated ``zt`` of the request."""

    statuses: tuple[str, ...] = ()
    id_number: str = ""  # zjhm
    phone: str = ""  # lxdh
    text: str = ""  # gjz 关键字, over 标题 and 反映内容
    purpose: str = ""  # xfmd


def _date(text: str) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S") if text else None


def milestones(row: Row) -> Milestones:
    return Milestones(
        zt=row["zt"],
        djsj=datetime.strptime(row["djsj"], "%Y-%m-%d %H:%M:%S"),
        zjsj=_date(row.get("zjsj", "")),
        slsj=_date(row.get("slsj", "")),
        yqts=int(row.get("yqts") or 0),
        yjsj=_date(row.get("yjsj", "")),
        fcsqsj=_date(row.get("fcsqsj", "")),
        fcjdsj=_date(row.get("fcjdsj", "")),
        fhsqsj=_date(row.get("fhsqsj", "")),
        fhjdsj=_date(row.get("fhjdsj", "")),
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PetitionStore:
    """The 信访件 table over one SQLite connection (the stand-in serves from one event loop thread)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A database written before a column existed gets it, empty (the system's upgrade scripts do the same)."""
        present = {str(r[1]) for r in self._conn.execute("PRAGMA table_info(xfj)").fetchall()}
        for column in COLUMNS:
            if column not in present:
                self._conn.execute(f"ALTER TABLE xfj ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM xfj").fetchone()[0])

    def insert_many(self, rows: Sequence[Row]) -> None:
        sql = f"INSERT INTO xfj ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
        self._conn.execute("BEGIN")
        try:
            self._conn.executemany(sql, [tuple(r.get(c, "") for c in COLUMNS) for r in rows])
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def insert(self, row: Row) -> None:
        self.insert_many([row])

    def next_number(self, day: datetime) -> str:
        """A new 信访件编号: XF + city code + date + a sequence that never repeats."""
        top = self._conn.execute("SELECT coalesce(max(id), 0) FROM xfj").fetchone()[0]
        return f"XF430100{day:%Y%m%d}{int(top) + 1:05d}"

    def get(self, number: str) -> Row | None:
        found = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM xfj WHERE xfjbh = ?", (number,)).fetchone()
        return None if found is None else dict(found)

    def get_many(self, numbers: Sequence[str]) -> list[Row]:
        if not numbers:
            return []
        marks = ", ".join("?" for _ in numbers)
        rows = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM xfj WHERE xfjbh IN ({marks}) ORDER BY djsj DESC, id DESC",
            tuple(numbers),
        ).fetchall()
        return [dict(r) for r in rows]

    def query(self, query: Query, page_no: int, page_size: int) -> tuple[int, list[Row]]:
        """One page (1-based) of the matching petitions, newest registration first, and the total count."""
        where: list[str] = []
        args: list[str] = []
        if query.statuses:
            where.append(f"zt IN ({', '.join('?' for _ in query.statuses)})")
            args.extend(query.statuses)
        if query.id_number:
            where.append("zjhm = ?")
            args.append(query.id_number)
        if query.phone:
            where.append("lxdh = ?")
            args.append(query.phone)
        if query.text:
            where.append("(bt LIKE ? ESCAPE '\\' OR fynr LIKE ? ESCAPE '\\')")
            args.extend((_like(query.text), _like(query.text)))
        if query.purpose:
            where.append("xfmd = ?")
            args.append(query.purpose)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        total = int(self._conn.execute(f"SELECT count(*) FROM xfj{clause}", args).fetchone()[0])
        rows = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM xfj{clause} ORDER BY djsj DESC, id DESC LIMIT ? OFFSET ?",
            [*args, page_size, (page_no - 1) * page_size],
        ).fetchall()
        return total, [dict(r) for r in rows]

    def open_matter(self, id_number: str, title: str, closed: Sequence[str]) -> Row | None:
        """A petition of the same person and matter still being handled (信访工作条例 Art 19 ¶3)."""
        if not id_number or not title:
            return None
        marks = ", ".join("?" for _ in closed)
        found = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM xfj WHERE zjhm = ? AND bt = ? AND zt NOT IN ({marks}) LIMIT 1",
            (id_number, title, *closed),
        ).fetchone()
        return None if found is None else dict(found)

    def update(self, number: str, changes: dict[str, str | int]) -> Row:
        unknown = set(changes) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns {sorted(unknown)}")
        sets = ", ".join(f"{c} = ?" for c in changes)
        self._conn.execute(f"UPDATE xfj SET {sets} WHERE xfjbh = ?", (*(str(v) for v in changes.values()), number))
        row = self.get(number)
        if row is None:
            raise KeyError(number)
        return row
