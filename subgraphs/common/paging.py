"""Page sizes: every list query takes ``first`` (default 20, at most 100) and an opaque ``after`` cursor.

:data:`CONNECTION_SIZE` is the ``@listSize`` every connection field carries, so the gateway's demand control sizes
a page by its ``first`` (or its default) in ``edges`` and ``nodes``."""

from __future__ import annotations

import base64

from strawberry.federation.schema_directives import ListSize

from subgraphs.common.errors import SubgraphInputError

__all__ = ["CONNECTION_SIZE", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "check_page_size", "decode_cursor", "encode_cursor"]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CONNECTION_SIZE = ListSize(
    assumed_size=DEFAULT_PAGE_SIZE,
    slicing_arguments=["first"],
    sized_fields=["edges", "nodes"],
    require_one_slicing_argument=False,
)


def check_page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > MAX_PAGE_SIZE:
        raise SubgraphInputError(f"first must be between 1 and {MAX_PAGE_SIZE}, got {first}")
    return first


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:  # binascii.Error is a ValueError
        raise SubgraphInputError(f"malformed cursor {cursor!r}") from exc
