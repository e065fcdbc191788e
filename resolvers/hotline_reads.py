"""Reads the hotline subgraph makes: batched loads by number, and a person's work orders by phone or ID number."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from resolvers.adapters.hotline import HotlineClient, HotlineTicketRecord
from resolvers.persons import Identifiers

__all__ = ["PERSON_LIMIT", "load_tickets", "tickets_of_person"]

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
