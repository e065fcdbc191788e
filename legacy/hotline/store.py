"""SQLite storage of the hotline stand-in: work orders (gd), unit assignments (gd_dw), flow log (gd_lz), links to
other systems' records (gd_gl), units (dw), and the receipts of writes that carried a request id.

Dates are stored as the legacy strings ``YYYY-MM-DD HH:MM:SS`` (they sort as text). A work order is written whole
in one transaction; reads load orders with their units and log in three queries however many orders are asked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from legacy.hotline.model import CityState, Event, Link, Role, Ticket, UnitAssignment, UnitState
from legacy.hotline.units import HandlingUnit
from legacy.receipts import SCHEMA as RECEIPTS_SCHEMA
from legacy.receipts import find_receipt, write_receipt

__all__ = ["SCHEMA", "HotlineStore", "TicketQuery", "format_time", "parse_time"]

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

SCHEMA = """
CREATE TABLE IF NOT EXISTS dw (
    dwbm TEXT PRIMARY KEY, dwmc TEXT NOT NULL, dwlx TEXT NOT NULL, xzqh TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gd (
    gdbh TEXT PRIMARY KEY, lsh TEXT NOT NULL, tqm TEXT NOT NULL,
    ldr TEXT NOT NULL, ldrxb TEXT NOT NULL, lxdh TEXT NOT NULL, ldhm TEXT NOT NULL, zjhm TEXT NOT NULL,
    slqd TEXT NOT NULL, bt TEXT NOT NULL, nr TEXT NOT NULL, sqlx TEXT NOT NULL,
    wtfldm TEXT NOT NULL, wtflmc TEXT NOT NULL, jjcd TEXT NOT NULL,
    sfdz TEXT NOT NULL, xzqh TEXT NOT NULL, wgbm TEXT NOT NULL, sfbm INTEGER NOT NULL,
    ldsj TEXT NOT NULL, zt TEXT NOT NULL, slsj TEXT, pdsj TEXT, blsx INTEGER NOT NULL, sxdw TEXT NOT NULL,
    jzsj TEXT, thcs INTEGER NOT NULL, yqcs INTEGER NOT NULL, cbcs INTEGER NOT NULL,
    zjdf INTEGER NOT NULL, dfsj TEXT, dfnr TEXT NOT NULL, shyj TEXT NOT NULL,
    hfcs INTEGER NOT NULL, hfsj TEXT, sfmy INTEGER, hfyj TEXT NOT NULL, bjsj TEXT,
    zxgh TEXT NOT NULL DEFAULT '', bfyr TEXT NOT NULL DEFAULT '', bjlx TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS gd_lxdh ON gd (lxdh);
CREATE INDEX IF NOT EXISTS gd_ldhm ON gd (ldhm);
CREATE INDEX IF NOT EXISTS gd_zjhm ON gd (zjhm);
CREATE INDEX IF NOT EXISTS gd_zt ON gd (zt, ldsj);
CREATE INDEX IF NOT EXISTS gd_ldsj ON gd (ldsj);
CREATE TABLE IF NOT EXISTS gd_dw (
    gdbh TEXT NOT NULL, xh INTEGER NOT NULL, dwbm TEXT NOT NULL, dwmc TEXT NOT NULL, js TEXT NOT NULL,
    zt TEXT NOT NULL, pdsj TEXT NOT NULL, qsjzsj TEXT NOT NULL, jzsj TEXT NOT NULL, qssj TEXT, dfsj TEXT,
    dfnr TEXT NOT NULL, tdyy TEXT NOT NULL, yqts INTEGER NOT NULL, yqyy TEXT NOT NULL,
    PRIMARY KEY (gdbh, xh)
);
CREATE INDEX IF NOT EXISTS gd_dw_state ON gd_dw (js, zt, gdbh);
CREATE TABLE IF NOT EXISTS gd_lz (
    gdbh TEXT NOT NULL, xh INTEGER NOT NULL, czsj TEXT NOT NULL, czlx TEXT NOT NULL, czdw TEXT NOT NULL,
    czsm TEXT NOT NULL,
    PRIMARY KEY (gdbh, xh)
);
CREATE TABLE IF NOT EXISTS gd_gl (
    gdbh TEXT NOT NULL, xt TEXT NOT NULL, bh TEXT NOT NULL, gllx TEXT NOT NULL, glsj TEXT NOT NULL,
    PRIMARY KEY (gdbh, xt, bh, gllx)
);
"""

_GD_COLUMNS = (
    "gdbh, lsh, tqm, ldr, ldrxb, lxdh, ldhm, zjhm, slqd, bt, nr, sqlx, wtfldm, wtflmc, jjcd, sfdz, xzqh, wgbm, "
    "sfbm, ldsj, zt, slsj, pdsj, blsx, sxdw, jzsj, thcs, yqcs, cbcs, zjdf, dfsj, dfnr, shyj, hfcs, hfsj, sfmy, "
    "hfyj, bjsj, zxgh, bfyr, bjlx"
)
_GD_INSERT = f"INSERT OR REPLACE INTO gd ({_GD_COLUMNS}) VALUES ({', '.join('?' * 41)})"
_DW_INSERT = "INSERT INTO gd_dw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_LZ_INSERT = "INSERT INTO gd_lz VALUES (?, ?, ?, ?, ?, ?)"
_GL_INSERT = "INSERT INTO gd_gl VALUES (?, ?, ?, ?, ?)"


def format_time(value: datetime | None) -> str | None:
    return None if value is None else value.strftime(TIME_FORMAT)


def parse_time(text: str | None) -> datetime | None:
    return None if not text else datetime.strptime(text, TIME_FORMAT)


def _must(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT)


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketQuery:
    """Filters of the list endpoint; empty means "any". ``states`` are city states (OR), ``lead_state`` the lead
    unit's state, ``phone`` matches 联系电话 or 来电号码, ``text`` the title, content or address."""

    states: tuple[str, ...] = ()
    lead_state: str = ""
    phone: str = ""
    id_number: str = ""
    text: str = ""
    kind: str = ""


def _ticket_row(t: Ticket) -> tuple[object, ...]:
    return (
        t.order_no,
        t.tracking_no,
        t.query_code,
        t.caller_name,
        t.caller_sex,
        t.contact_phone,
        t.caller_number,
        t.id_number,
        t.channel,
        t.title,
        t.content,
        t.kind,
        t.category_code,
        t.category_name,
        t.urgency,
        t.address,
        t.admin_code,
        t.grid_code,
        int(t.is_secret),
        format_time(t.called_at),
        t.state.value,
        format_time(t.accepted_at),
        format_time(t.dispatched_at),
        t.time_limit,
        t.time_unit,
        format_time(t.deadline),
        t.return_count,
        t.extension_count,
        t.rehandle_count,
        int(t.direct_answer),
        format_time(t.replied_at),
        t.reply,
        t.audit_opinion,
        t.callback_count,
        format_time(t.callback_at),
        None if t.callback_satisfied is None else int(t.callback_satisfied),
        t.callback_opinion,
        format_time(t.closed_at),
        t.operator_id,
        t.accused,
        t.closure,
    )


def _unit_rows(t: Ticket) -> list[tuple[object, ...]]:
    return [
        (
            t.order_no,
            index,
            u.code,
            u.name,
            u.role.value,
            u.state.value,
            format_time(u.dispatched_at),
            format_time(u.sign_deadline),
            format_time(u.deadline),
            format_time(u.signed_at),
            format_time(u.replied_at),
            u.reply,
            u.return_reason,
            u.extension_days,
            u.extension_reason,
        )
        for index, u in enumerate(t.units)
    ]


def _event_rows(t: Ticket) -> list[tuple[object, ...]]:
    return [(t.order_no, i, format_time(e.at), e.action, e.unit, e.note) for i, e in enumerate(t.events)]


def _link_rows(t: Ticket) -> list[tuple[object, ...]]:
    return [(t.order_no, lk.system, lk.number, lk.kind, format_time(lk.at)) for lk in t.links]


def _unit_of(row: sqlite3.Row) -> UnitAssignment:
    return UnitAssignment(
        code=row["dwbm"],
        name=row["dwmc"],
        role=Role(row["js"]),
        state=UnitState(row["zt"]),
        dispatched_at=_must(row["pdsj"]),
        sign_deadline=_must(row["qsjzsj"]),
        deadline=_must(row["jzsj"]),
        signed_at=parse_time(row["qssj"]),
        replied_at=parse_time(row["dfsj"]),
        reply=row["dfnr"],
        return_reason=row["tdyy"],
        extension_days=row["yqts"],
        extension_reason=row["yqyy"],
    )


def _ticket_of(
    row: sqlite3.Row, units: tuple[UnitAssignment, ...], events: tuple[Event, ...], links: tuple[Link, ...]
) -> Ticket:
    satisfied = row["sfmy"]
    return Ticket(
        order_no=row["gdbh"],
        tracking_no=row["lsh"],
        query_code=row["tqm"],
        caller_name=row["ldr"],
        caller_sex=row["ldrxb"],
        contact_phone=row["lxdh"],
        caller_number=row["ldhm"],
        id_number=row["zjhm"],
        channel=row["slqd"],
        title=row["bt"],
        content=row["nr"],
        kind=row["sqlx"],
        category_code=row["wtfldm"],
        category_name=row["wtflmc"],
        urgency=row["jjcd"],
        address=row["sfdz"],
        admin_code=row["xzqh"],
        grid_code=row["wgbm"],
        is_secret=bool(row["sfbm"]),
        called_at=_must(row["ldsj"]),
        state=CityState(row["zt"]),
        accepted_at=parse_time(row["slsj"]),
        dispatched_at=parse_time(row["pdsj"]),
        time_limit=row["blsx"],
        time_unit=row["sxdw"],
        deadline=parse_time(row["jzsj"]),
        units=units,
        return_count=row["thcs"],
        extension_count=row["yqcs"],
        rehandle_count=row["cbcs"],
        direct_answer=bool(row["zjdf"]),
        replied_at=parse_time(row["dfsj"]),
        reply=row["dfnr"],
        audit_opinion=row["shyj"],
        callback_count=row["hfcs"],
        callback_at=parse_time(row["hfsj"]),
        callback_satisfied=None if satisfied is None else bool(satisfied),
        callback_opinion=row["hfyj"],
        closed_at=parse_time(row["bjsj"]),
        operator_id=row["zxgh"],
        accused=row["bfyr"],
        closure=row["bjlx"],
        links=links,
        events=events,
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HotlineStore:
    """Work orders in SQLite. Not thread-safe: the stand-in serves from one event loop."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        columns = {row[1] for row in conn.execute("PRAGMA table_info(gd)")}
        if "zxgh" not in columns:  # a database file written before 坐席工号 was kept: its orders have none
            conn.execute("ALTER TABLE gd ADD COLUMN zxgh TEXT NOT NULL DEFAULT ''")
        if "bfyr" not in columns:  # written before 被反映人 was kept
            conn.execute("ALTER TABLE gd ADD COLUMN bfyr TEXT NOT NULL DEFAULT ''")
        if "bjlx" not in columns:  # written before the closure level (三级办结) was kept
            conn.execute("ALTER TABLE gd ADD COLUMN bjlx TEXT NOT NULL DEFAULT ''")
        conn.executescript(RECEIPTS_SCHEMA)

    def save_all(
        self,
        tickets: Iterable[Ticket],
        units: Iterable[HandlingUnit] = (),
        *,
        receipt: tuple[str, str, datetime] | None = None,
    ) -> None:
        """Write (insert or replace) whole work orders, and units, in one transaction; with ``receipt``
        (request id, action, time) also the receipt of the request that made the change (one order)."""
        batch = list(tickets)
        conn = self._conn
        conn.execute("BEGIN")
        try:
            conn.executemany(
                "INSERT OR REPLACE INTO dw VALUES (?, ?, ?, ?)",
                [(u.code, u.name, u.kind, u.district_code) for u in units],
            )
            numbers = [(t.order_no,) for t in batch]
            conn.executemany("DELETE FROM gd_dw WHERE gdbh = ?", numbers)
            conn.executemany("DELETE FROM gd_lz WHERE gdbh = ?", numbers)
            conn.executemany(_GD_INSERT, [_ticket_row(t) for t in batch])
            conn.executemany(_DW_INSERT, [row for t in batch for row in _unit_rows(t)])
            conn.executemany(_LZ_INSERT, [row for t in batch for row in _event_rows(t)])
            conn.executemany("DELETE FROM gd_gl WHERE gdbh = ?", numbers)
            conn.executemany(_GL_INSERT, [row for t in batch for row in _link_rows(t)])
            if receipt is not None:
                request_id, action, at = receipt
                write_receipt(conn, request_id, batch[0].order_no, action, at)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def save(self, ticket: Ticket, *, receipt: tuple[str, str, datetime] | None = None) -> None:
        self.save_all([ticket], receipt=receipt)

    def receipt(self, request_id: str) -> str | None:
        """The order a write with this request id already changed, or ``None``."""
        return find_receipt(self._conn, request_id)

    def unit(self, code: str) -> HandlingUnit | None:
        row = self._conn.execute("SELECT dwbm, dwmc, dwlx, xzqh FROM dw WHERE dwbm = ?", (code,)).fetchone()
        return None if row is None else HandlingUnit(row[0], row[1], row[2], row[3])

    def units(self) -> list[HandlingUnit]:
        rows = self._conn.execute("SELECT dwbm, dwmc, dwlx, xzqh FROM dw ORDER BY dwbm").fetchall()
        return [HandlingUnit(r[0], r[1], r[2], r[3]) for r in rows]

    def get(self, order_no: str) -> Ticket | None:
        found = self.get_many([order_no])
        return found[0] if found else None

    def get_many(self, order_nos: Sequence[str]) -> list[Ticket]:
        """The orders that exist among ``order_nos``, ordered by number; unknown numbers are skipped."""
        if not order_nos:
            return []
        marks = ", ".join("?" * len(order_nos))
        rows = self._conn.execute(f"SELECT * FROM gd WHERE gdbh IN ({marks}) ORDER BY gdbh", list(order_nos))
        return self._assemble(rows.fetchall())

    def search(self, query: TicketQuery, page_num: int, page_size: int) -> tuple[int, list[Ticket]]:
        """One page (1-based) of the orders matching ``query``, newest call first, and the total count."""
        where: list[str] = []
        args: list[object] = []
        if query.states:
            where.append(f"zt IN ({', '.join('?' * len(query.states))})")
            args.extend(query.states)
        if query.lead_state:
            where.append("EXISTS (SELECT 1 FROM gd_dw d WHERE d.gdbh = gd.gdbh AND d.js = ? AND d.zt = ?)")
            args.extend((Role.LEAD.value, query.lead_state))
        if query.phone:
            where.append("(lxdh = ? OR replace(ldhm, '-', '') = ?)")
            args.extend((query.phone, query.phone))
        if query.id_number:
            where.append("zjhm = ?")
            args.append(query.id_number)
        if query.kind:
            where.append("sqlx = ?")
            args.append(query.kind)
        if query.text:
            where.append("(bt LIKE ? ESCAPE '\\' OR nr LIKE ? ESCAPE '\\' OR sfdz LIKE ? ESCAPE '\\')")
            args.extend([_like(query.text)] * 3)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total = self._conn.execute(f"SELECT count(*) FROM gd {clause}", args).fetchone()[0]
        rows = self._conn.execute(
            f"SELECT * FROM gd {clause} ORDER BY ldsj DESC, gdbh DESC LIMIT ? OFFSET ?",
            [*args, page_size, (page_num - 1) * page_size],
        ).fetchall()
        return int(total), self._assemble(rows)

    def next_order_no(self, day: datetime) -> str:
        prefix = day.strftime("%Y%m%d")
        row = self._conn.execute("SELECT max(gdbh) FROM gd WHERE gdbh LIKE ?", (prefix + "%",)).fetchone()
        last = int(row[0][8:]) if row[0] else 0
        return f"{prefix}{last + 1:06d}"

    def count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM gd").fetchone()[0])

    def _assemble(self, rows: list[sqlite3.Row]) -> list[Ticket]:
        if not rows:
            return []
        numbers = [r["gdbh"] for r in rows]
        marks = ", ".join("?" * len(numbers))
        units: dict[str, list[UnitAssignment]] = {}
        for row in self._conn.execute(f"SELECT * FROM gd_dw WHERE gdbh IN ({marks}) ORDER BY gdbh, xh", numbers):
            units.setdefault(row["gdbh"], []).append(_unit_of(row))
        events: dict[str, list[Event]] = {}
        for row in self._conn.execute(f"SELECT * FROM gd_lz WHERE gdbh IN ({marks}) ORDER BY gdbh, xh", numbers):
            events.setdefault(row["gdbh"], []).append(Event(_must(row["czsj"]), row["czlx"], row["czdw"], row["czsm"]))
        links: dict[str, list[Link]] = {}
        for row in self._conn.execute(f"SELECT * FROM gd_gl WHERE gdbh IN ({marks}) ORDER BY gdbh, glsj", numbers):
            links.setdefault(row["gdbh"], []).append(Link(row["xt"], row["bh"], row["gllx"], _must(row["glsj"])))
        return [
            _ticket_of(
                r, tuple(units.get(r["gdbh"], ())), tuple(events.get(r["gdbh"], ())), tuple(links.get(r["gdbh"], ()))
            )
            for r in rows
        ]
