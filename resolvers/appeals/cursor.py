"""Opaque, stable cursors of the merged search.

A cursor names the last appeal served — its sort key, (received time, id) — and, per system, where that system's
newest-first list may be resumed. Resuming re-reads from there and drops everything at or above the key, so an
appeal arriving between pages (it lands on top of every list and shifts the offsets) is neither repeated nor
skipped. A system with no position starts from its newest record; one marked done has nothing left.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from resolvers.appeals.record import SortKey
from resolvers.domain import SourceSystem

__all__ = ["DONE", "Cursor", "CursorError", "decode_cursor", "encode_cursor"]

DONE = "-"  # the position of a system whose list is read to its end


class CursorError(ValueError):
    """A cursor this search did not make."""


@dataclass(frozen=True, slots=True)
class Cursor:
    key: SortKey
    positions: Mapping[SourceSystem, str] = field(default_factory=dict)


def encode_cursor(cursor: Cursor) -> str:
    body = {
        "t": cursor.key[0].isoformat(),
        "i": cursor.key[1],
        "p": {
            system.value: position for system, position in sorted(cursor.positions.items(), key=lambda x: x[0].value)
        },
    }
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = json.loads(raw)
        key = (datetime.fromisoformat(body["t"]), str(body["i"]))
        positions = {SourceSystem(name): str(position) for name, position in dict(body["p"]).items()}
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise CursorError(f"malformed cursor {text!r}") from exc
    return Cursor(key, positions)
