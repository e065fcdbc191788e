"""The board's SQLite store: forums (one per leader) and threads, with the queries the protocol needs.

Columns keep the board's own names. ``linktel`` is kept as the poster typed it (``+86 138 0000 0000``,
``138-0000-0000``); ``linktel_digits`` is the normalized copy the phone search uses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SCHEMA", "BoardStore", "ThreadQuery", "phone_digits"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS forum (
    fid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,            -- e.g. 长沙市委书记
    district_code TEXT             -- NULL for the city leaders' boards
);
CREATE TABLE IF NOT EXISTS thread (
    tid INTEGER PRIMARY KEY,       -- increases with dateline: the list's watermark
    fid INTEGER NOT NULL REFERENCES forum(fid),
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    dateline INTEGER NOT NULL,     -- Unix seconds
    domain_name TEXT NOT NULL,     -- 领域
    type_name TEXT NOT NULL,       -- 类型
    state_info TEXT NOT NULL,      -- status text
    answer_id INTEGER,
    answer_organization TEXT NOT NULL DEFAULT '',
    answer_content TEXT NOT NULL DEFAULT '',
    answer_time TEXT NOT NULL DEFAULT '',   -- 'YYYY-MM-DD HH:MM:SS' or ''
    fav_num INTEGER NOT NULL DEFAULT 0,
    grade_manner INTEGER NOT NULL DEFAULT 0,  -- 1-5, 0 = not rated
    grade_speed INTEGER NOT NULL DEFAULT 0,
    nick_name TEXT NOT NULL,
    ip TEXT NOT NULL,              -- IP province
    truename TEXT NOT NULL DEFAULT '',      -- private: submit form only
    linktel TEXT NOT NULL DEFAULT '',
    linktel_digits TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS thread_by_forum ON thread (fid, tid);
CREATE INDEX IF NOT EXISTS thread_by_phone ON thread (linktel_digits, tid);
"""


def phone_digits(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadQuery:
    fid: int = 0  # 0 = every forum
    before: int = 0  # lastItem; 0 = from the newest
    page_size: int = 10
    state_info: str = ""
    keywords: tuple[str, ...] = ()
    phone: str = ""  # digits


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class BoardStore:
    """Reads and writes threads; one connection, used from the stand-in's event loop only."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def forum_exists(self, fid: int) -> bool:
        return self.conn.execute("SELECT 1 FROM forum WHERE fid = ?", (fid,)).fetchone() is not None

    def forums(self) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT fid, name, district_code FROM forum ORDER BY fid").fetchall()

    def list_threads(self, query: ThreadQuery) -> list[sqlite3.Row]:
        where: list[str] = []
        args: list[Any] = []
        if query.fid:
            where.append("t.fid = ?")
            args.append(query.fid)
        if query.before:
            where.append("t.tid < ?")
            args.append(query.before)
        if query.state_info:
            where.append("t.state_info = ?")
            args.append(query.state_info)
        if query.phone:
            where.append("t.linktel_digits = ?")
            args.append(query.phone)
        for word in query.keywords:
            where.append("(t.subject LIKE ? ESCAPE '\\' OR t.content LIKE ? ESCAPE '\\')")
            args.extend((_like(word), _like(word)))
        sql = "SELECT t.*, f.name AS forum_name FROM thread t JOIN forum f ON f.fid = t.fid"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY t.tid DESC LIMIT ?"
        args.append(query.page_size)
        return self.conn.execute(sql, args).fetchall()

    def thread(self, tid: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT t.*, f.name AS forum_name FROM thread t JOIN forum f ON f.fid = t.fid WHERE t.tid = ?", (tid,)
        ).fetchone()
        return row

    def reply(self, tid: int, organization: str, content: str, at: str, state_info: str) -> None:
        next_id = self.conn.execute("SELECT coalesce(max(answer_id), 0) + 1 FROM thread").fetchone()[0]
        self.conn.execute(
            "UPDATE thread SET answer_id = ?, answer_organization = ?, answer_content = ?, answer_time = ?,"
            " state_info = ? WHERE tid = ?",
            (next_id, organization, content, at, state_info, tid),
        )

    def set_state(self, tid: int, state_info: str) -> None:
        self.conn.execute("UPDATE thread SET state_info = ? WHERE tid = ?", (state_info, tid))

    def load(self, forums: Sequence[tuple[Any, ...]], threads: Sequence[tuple[Any, ...]]) -> None:
        """Bulk insert in one transaction (seeding)."""
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.executemany("INSERT INTO forum (fid, name, district_code) VALUES (?, ?, ?)", forums)
            self.conn.executemany(
                "INSERT INTO thread (tid, fid, subject, content, dateline, domain_name, type_name, state_info,"
                " answer_id, answer_organization, answer_content, answer_time, fav_num, grade_manner, grade_speed,"
                " nick_name, ip, truename, linktel, linktel_digits, address)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                threads,
            )
