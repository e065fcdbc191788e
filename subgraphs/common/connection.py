"""Relay cursor connections (https://relay.dev/graphql/connections.htm) for every list of the graph.

``Connection[T]`` prints as ``<T>Connection`` with ``<T>Edge``: ``edges { cursor node }``, ``nodes``,
``pageInfo`` and a nullable ``totalCount``; ``items`` and ``nextCursor``, the shape of the first release, stay
as deprecated aliases. Build one with :func:`connection_of` from a :class:`~subgraphs.common.keyset.KeysetPage`.

``FIRST`` and ``AFTER`` are the annotated ``first``/``after`` arguments every list field takes, so the default
(20) and the maximum (100) read the same in every subgraph's schema.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

import strawberry

from subgraphs.common.keyset import KeysetPage
from subgraphs.common.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

__all__ = [
    "AFTER",
    "FIRST",
    "Connection",
    "Edge",
    "PageInfo",
    "connection_of",
    "edges_connection",
    "empty_connection",
]

T = TypeVar("T")
R = TypeVar("R")

FIRST = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many items to return: {DEFAULT_PAGE_SIZE} when not given, at most {MAX_PAGE_SIZE}."
    ),
]
AFTER = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (`pageInfo.endCursor` of the page before)."),
]


@strawberry.federation.type(shareable=True, description="Where a page stands in its list (Relay PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more items follow; a page shortened by access rules is not the last one unless this "
        "is false."
    )
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item; null on an empty page.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item, to pass as `after` for the next page; null on an empty page."
    )


@strawberry.type(description="One item of a page, with the cursor that points at it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="An opaque cursor: pass it as `after` to continue after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list, newest first (Relay cursor connection). Cursors are opaque and stable: an "
    "item arriving between two requests is neither repeated nor skipped."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with their cursors.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more items follow.")
    total_count: int | None = strawberry.field(
        description="How many items the whole list holds; null when the system of record does not say, or when "
        "access rules hide some of them."
    )
    nodes: list[T] = strawberry.field(description="The items of this page, without cursors.")
    items: list[T] = strawberry.field(description="The items of this page.", deprecation_reason="Use nodes.")
    next_cursor: str | None = strawberry.field(
        description="The cursor for the next page; null on the last page.",
        deprecation_reason="Use pageInfo { hasNextPage endCursor }.",
    )


def _connection(edges: list[Edge[T]], page_info: PageInfo, total_count: int | None) -> Connection[T]:
    nodes = [edge.node for edge in edges]
    return Connection(
        edges=edges,
        page_info=page_info,
        total_count=total_count,
        nodes=nodes,
        items=nodes,
        next_cursor=page_info.end_cursor if page_info.has_next_page else None,
    )


def connection_of(page: KeysetPage[R], present: Callable[[R], T | None]) -> Connection[T]:
    """The connection over ``page``: each record shown as ``present`` makes it, or left out when it gives
    ``None`` (an item the caller may not see). ``totalCount`` is dropped when anything was left out, so that a
    count never reveals hidden items."""
    edges: list[Edge[T]] = []
    hidden = False
    for entry in page.entries:
        shown = present(entry.record)
        if shown is None:
            hidden = True
            continue
        edges.append(Edge(cursor=entry.cursor, node=shown))
    cursors: Sequence[str] = [entry.cursor for entry in page.entries]
    page_info = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        # the last record read, shown or not, so the next page starts after everything this one covered
        end_cursor=cursors[-1] if cursors else None,
    )
    return _connection(edges, page_info, None if hidden else page.total)


def empty_connection() -> Connection[T]:
    """A list that is empty by definition (a filter no item of this system can match)."""
    empty = PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None)
    return _connection([], empty, 0)


def edges_connection(edges: list[Edge[T]], page_info: PageInfo, total_count: int | None) -> Connection[T]:
    """A connection from edges made elsewhere (a system whose own paging is keyset already)."""
    return _connection(edges, page_info, total_count)
