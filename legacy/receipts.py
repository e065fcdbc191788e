"""Request receipts: how a stand-in answers a retried write without writing twice.

A client may send ``X-Request-Id`` with a write. The stand-in records the id beside the record the write touched
(``request_receipt``), in the same SQLite transaction as the write; when the same id comes again it writes nothing
and answers with the record as it stands now. A request lost on the way back (a timeout, a restart after the commit)
can so be sent again safely. Systems whose protocol has no room for such an id (the SOAP petition service, the
signed board forms) have no receipts: their clients read back before they write again.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

__all__ = ["REQUEST_ID_HEADER", "SCHEMA", "find_receipt", "request_id_of", "write_receipt"]

REQUEST_ID_HEADER = "X-Request-Id"
MAX_REQUEST_ID = 128

SCHEMA = """
CREATE TABLE IF NOT EXISTS request_receipt (
    request_id TEXT PRIMARY KEY,   -- the client's X-Request-Id
    record_no  TEXT NOT NULL,      -- the record the write created or changed
    action     TEXT NOT NULL,
    at         TEXT NOT NULL
);
"""


def request_id_of(headers: object) -> str:
    """The request id of a request's headers ("" when absent or unusable)."""
    get = getattr(headers, "get", None)
    value = get(REQUEST_ID_HEADER, "") if get is not None else ""
    return value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= MAX_REQUEST_ID else ""


def find_receipt(conn: sqlite3.Connection, request_id: str) -> str | None:
    """The record number a request with this id already wrote, or ``None``."""
    if not request_id:
        return None
    row = conn.execute("SELECT record_no FROM request_receipt WHERE request_id = ?", (request_id,)).fetchone()
    return None if row is None else str(row[0])


def write_receipt(conn: sqlite3.Connection, request_id: str, record_no: str, action: str, now: datetime) -> None:
    """Record the receipt; call inside the transaction that makes the write."""
    if request_id:
        conn.execute(
            "INSERT INTO request_receipt VALUES (?, ?, ?, ?)",
            (request_id, record_no, action, now.strftime("%Y-%m-%d %H:%M:%S")),
        )
