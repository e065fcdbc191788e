"""Data access for the grid subgraph: per-request DataLoaders, offset paging over the legacy pages, and a
citizen's events.

The grid system has no batch read. Within one GraphQL request every ``resolve_reference`` asks the
``grid.events`` DataLoader, which dedupes the task numbers and hands the batch to :meth:`GridClient.events` — one
GET per distinct task number, bounded by the client's concurrency limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from resolvers.adapters.errors import LegacyError
from resolvers.adapters.grid import MAX_PAGE_SIZE, GridClient, GridEvent
from resolvers.persons import Identifiers, PersonDirectory

__all__ = [
    "DIRECTORY_LOADER",
    "EVENT_LOADER",
    "EventFilters",
    "EventSlice",
    "citizen_events",
    "event_slice",
    "event_window",
    "load_event",
    "load_identifiers",
]

EVENT_LOADER = "grid.events"
DIRECTORY_LOADER = "grid.directory"
_CITIZEN_PAGES = 5  # at most 500 events per person: more is a data problem, not a citizen


async def load_event(context: Any, task_num: str) -> GridEvent | None:
    """The event with that 任务号 (``None`` when there is none), batched with the rest of the request."""
    client: GridClient = context.client

    async def load(keys: list[str]) -> Sequence[GridEvent | LegacyError | None]:
        return await client.events(keys)

    loader: DataLoader[str, GridEvent | None] = context.loader(EVENT_LOADER, lambda: DataLoader(load_fn=load))
    return await loader.load(task_num)


async def load_identifiers(context: Any, person_key: str) -> Identifiers | None:
    """The phone / ID number behind a person key, from the person directory (one lookup per request batch)."""
    directory: PersonDirectory = context.directory

    async def load(keys: list[str]) -> list[Identifiers | None]:
        found = await directory.lookup(keys)
        return [found.get(k) for k in keys]

    loader: DataLoader[str, Identifiers | None] = context.loader(DIRECTORY_LOADER, lambda: DataLoader(load_fn=load))
    return await loader.load(person_key)


@dataclass(frozen=True, slots=True)
class EventFilters:
    state: str | None = None
    grid_code: str | None = None
    phone: str | None = None
    keyword: str | None = None


@dataclass(frozen=True, slots=True)
class EventSlice:
    items: tuple[GridEvent, ...]
    next_offset: int | None  # None: nothing after this slice
    total: int = 0  # how many events match the filters


async def event_slice(client: GridClient, filters: EventFilters, *, offset: int, first: int) -> EventSlice:
    """``first`` events from ``offset`` on, over the legacy's page/size paging (two pages when unaligned)."""
    page_no, skip = offset // first + 1, offset % first
    search = dict(state=filters.state, grid_code=filters.grid_code, phone=filters.phone, keyword=filters.keyword)
    page = await client.search(page=page_no, size=first, **search)
    items = list(page.items[skip:])
    if skip and len(items) < first and offset + len(items) < page.total:
        following = await client.search(page=page_no + 1, size=first, **search)
        items += following.items[: first - len(items)]
    end = offset + len(items)
    return EventSlice(tuple(items), end if items and end < page.total else None, page.total)


async def citizen_events(client: GridClient, phone: str) -> list[GridEvent]:
    """Every event the citizen with that phone reported, newest first."""
    found: list[GridEvent] = []
    for page_no in range(1, _CITIZEN_PAGES + 1):
        page = await client.search(page=page_no, size=MAX_PAGE_SIZE, phone=phone)
        found += page.items
        if len(found) >= page.total or not page.items:
            break
    return found


async def event_window(client: GridClient, filters: EventFilters, *, offset: int, limit: int) -> EventSlice:
    """Like :func:`event_slice` for any ``limit``: slices of at most the legacy's largest page, one after another."""
    items: list[GridEvent] = []
    total = 0
    while True:
        found = await event_slice(
            client, filters, offset=offset + len(items), first=min(limit - len(items), MAX_PAGE_SIZE)
        )
        items += found.items
        total = found.total
        if len(items) >= limit or found.next_offset is None:
            end = offset + len(items)
            return EventSlice(tuple(items), end if items and end < total else None, total)
