"""Reads the hotline subgraph makes: batched loads by number, and a person's work orders by phone or ID number."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from resolvers.adapters.hotline import HotlineClient, HotlineTicketRecord
from resolvers.persons import Identifiers

__all__ = ["PERSON_LIMIT", "load_tickets", "person_window", "tickets_of_person"]

PERSON_LIMIT = 100  # a person's most recent work orders, one page of the legacy list


async def load_tickets(client: HotlineClient, order_nos: Sequence[str]) -> list[HotlineTicketRecord | None]:
    """DataLoader batch function: one record (or ``None``) per number, in order."""
    found = await client.get_many(order_nos)
    return [found.get(n) for n in order_nos]


async def tickets_of_person(client: HotlineClient, who: Identifiers) -> list[HotlineTicketRecord]:
    """The person's work orders, found by phone (联系电话 or 来电号码) and by ID number, newest first."""
    searches = []
    if who.phone:
        searches.append(client.list_tickets(limit=PERSON_LIMIT, phone=who.phone))
    if who.id_number:
        searches.append(client.list_tickets(limit=PERSON_LIMIT, id_number=who.id_number))
    pages = await asyncio.gather(*searches)
    merged = {r.order_no: r for page in pages for r in page.records}
    return sorted(merged.values(), key=lambda r: (r.call_time, r.order_no), reverse=True)


async def person_window(
    client: HotlineClient, who: Identifiers, offset: int, limit: int
) -> tuple[list[HotlineTicketRecord], int | None]:
    """Records ``[offset, offset + limit)`` of the person's work orders (by phone and by ID number, merged newest
    first), and their total when one search alone finds them all (else ``None``: the two may overlap)."""
    searches = []
    if who.phone:
        searches.append(client.list_tickets(limit=offset + limit, phone=who.phone))
    if who.id_number:
        searches.append(client.list_tickets(limit=offset + limit, id_number=who.id_number))
    if not searches:
        return [], 0
    pages = await asyncio.gather(*searches)
    merged = {r.order_no: r for page in pages for r in page.records}
    ordered = sorted(merged.values(), key=lambda r: (r.call_time, r.order_no), reverse=True)
    return ordered[offset : offset + limit], pages[0].total if len(pages) == 1 else None
