"""Stable cursors over legacy lists that page by offset.

Most legacy systems list newest first and page by number (``pageNum``/``offset``), so a plain offset cursor repeats
items when a new appeal arrives between two requests (everything moves down by one) and skips items when one
leaves a filtered list. A cursor here names the item it points at — a keyed digest of its id, never the id itself,
so a cursor shows nothing of an item the caller may not see — together with the position where that item stood.
The next page is read from that position; if the item has moved, it is looked for further down (new items
arrive at the top), and reading continues right after it wherever it now stands.
When it cannot be found in a few windows (it left the list), reading continues from the remembered position.

:func:`read_page` is the algorithm; the I/O is the ``fetch(offset, limit)`` callback it is given.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from subgraphs.common.errors import SubgraphInputError
from subgraphs.common.paging import decode_cursor, encode_cursor

__all__ = [
    "Anchor",
    "Entry",
    "Fetch",
    "KeysetPage",
    "Window",
    "decode_anchor",
    "encode_anchor",
    "merged_fetch",
    "read_page",
]

R = TypeVar("R")

MAX_WINDOW = 100  # the legacy systems' largest page
SEARCH_WINDOWS = 3  # windows looked through for an item that moved down before falling back to its position
SLACK = 2  # items read above the remembered position, for items that left the list above it


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a cursor holds: the item's position when it was read and the digest of its id."""

    position: int
    digest: str


@dataclass(frozen=True, slots=True)
class Window(Generic[R]):
    """One answer of the legacy list: the records from ``offset`` on, and its total when it gives one."""

    records: Sequence[R]
    total: int | None


@dataclass(frozen=True, slots=True)
class Entry(Generic[R]):
    record: R
    cursor: str


@dataclass(frozen=True, slots=True)
class KeysetPage(Generic[R]):
    entries: Sequence[Entry[R]]
    has_next: bool
    has_previous: bool
    total: int | None


def _digest(secret: bytes, key: str) -> str:
    return hashlib.blake2b(key.encode(), key=secret[:64], digest_size=9).hexdigest()


def encode_anchor(anchor: Anchor) -> str:
    return encode_cursor(f"k1:{anchor.position}:{anchor.digest}")


def decode_anchor(cursor: str | None) -> Anchor | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    version, _, rest = raw.partition(":")
    position, _, digest = rest.partition(":")
    if version != "k1" or not position.isdigit() or len(digest) != 18:
        raise SubgraphInputError(f"malformed cursor {cursor!r}")
    return Anchor(int(position), digest)


Fetch = Callable[[int, int], Awaitable[Window[R]]]


async def read_page(
    fetch: Fetch[R], key_of: Callable[[R], str], secret: bytes, first: int, after: str | None
) -> KeysetPage[R]:
    """Up to ``first`` records after the cursor ``after`` (from the top without one), each with its own cursor."""
    anchor = decode_anchor(after)
    window_size = min(first + 1 + SLACK, MAX_WINDOW)  # the anchor, the page, and room above the anchor
    records: list[tuple[int, R]] = []
    total: int | None = None
    if anchor is None:
        window = await fetch(0, first)
        total = window.total
        records = list(enumerate(window.records))
        end = len(window.records)
    else:
        found = False
        offset = max(0, anchor.position - SLACK)  # a few items above it may have left the list
        for _ in range(SEARCH_WINDOWS):
            window = await fetch(offset, window_size)
            total = window.total
            digests = [_digest(secret, key_of(r)) for r in window.records]
            if anchor.digest in digests:
                at = digests.index(anchor.digest)
                records = [(offset + i, r) for i, r in enumerate(window.records) if i > at]
                end, found = offset + len(window.records), True
                break
            if len(window.records) < window_size:
                break
            offset += len(window.records)
        if not found:  # the item left the list: continue with the one that took its place
            start = anchor.position
            window = await fetch(start, first)
            total = window.total
            records = [(start + i, r) for i, r in enumerate(window.records)]
            end = start + len(window.records)
        elif len(records) < first and (total is None or end < total):  # the item moved down: fill the page
            window = await fetch(end, first - len(records))
            total = window.total if window.total is not None else total
            records += [(end + i, r) for i, r in enumerate(window.records)]
            end += len(window.records)
    if len(records) > first:
        records, end = records[:first], records[first][0]
    has_next = bool(records) and (end < total if total is not None else len(records) == first)
    entries = [Entry(record=r, cursor=encode_anchor(Anchor(pos, _digest(secret, key_of(r))))) for pos, r in records]
    return KeysetPage(entries=entries, has_next=has_next, has_previous=anchor is not None, total=total)


def merged_fetch(fetches: Sequence[Fetch[R]], order: Callable[[R], Any]) -> Fetch[R]:
    """One list out of several disjoint ones (one per legacy status that a unified status stands for), newest
    first by ``order``: each is read from its top to ``offset + limit`` and the merge is cut to the window. Reads
    grow with the depth of the page, which the few statuses of one unified status keep small."""
    if len(fetches) == 1:
        return fetches[0]

    async def fetch(offset: int, limit: int) -> Window[R]:
        windows = await asyncio.gather(*(f(0, offset + limit) for f in fetches))
        merged = sorted((r for w in windows for r in w.records), key=order, reverse=True)
        totals = [w.total for w in windows]
        total = None if any(t is None for t in totals) else sum(t for t in totals if t is not None)
        return Window(merged[offset : offset + limit], total)

    return fetch
