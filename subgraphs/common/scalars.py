"""The ``DateTime`` scalar of every subgraph: RFC 3339 with the city's offset (``2026-12-06T13:57:00+08:00``).

The legacy systems keep local wall-clock time without an offset; the adapters hand over naive ``datetime`` values
in the city's time (China Standard Time, UTC+8, no daylight saving). Serialising a naive value attaches ``+08:00``;
an aware one is converted to it. Inputs must carry an offset (a bare local time is ambiguous for a client in
another zone) and are turned back into the naive city time the resolvers compare with.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import strawberry
from graphql import StringValueNode, ValueNode

__all__ = ["CITY_TIME", "DATETIME_SPEC_URL", "DateTimeScalar", "parse_datetime", "serialize_datetime"]

CITY_TIME = timezone(timedelta(hours=8), "CST")  # 北京时间
DATETIME_SPEC_URL = "https://scalars.graphql.org/andimarek/date-time"


def serialize_datetime(value: Any) -> str:
    """``value`` as RFC 3339 with the ``+08:00`` offset, to the second."""
    if not isinstance(value, datetime):
        raise TypeError(f"DateTime cannot represent {value!r}")
    aware = value.replace(tzinfo=CITY_TIME) if value.tzinfo is None else value.astimezone(CITY_TIME)
    return aware.isoformat(timespec="seconds")


def parse_datetime(value: Any) -> datetime:
    """An RFC 3339 date-time with an offset (``Z`` or ``±hh:mm``), as naive city time."""
    if not isinstance(value, str):
        raise ValueError(f"DateTime expects an RFC 3339 string, got {value!r}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError as exc:
        raise ValueError(f"DateTime expects RFC 3339 such as 2026-12-06T13:57:00+08:00, got {value!r}") from exc
    if "T" not in text.upper() or parsed.tzinfo is None:
        raise ValueError(f"DateTime needs a date, a time and an offset (e.g. +08:00), got {value!r}")
    return parsed.astimezone(CITY_TIME).replace(tzinfo=None)


def _parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> datetime:
    if not isinstance(node, StringValueNode):
        raise ValueError("DateTime expects a string literal")
    return parse_datetime(node.value)


DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description="A point in time, RFC 3339 with its offset: `2026-12-06T13:57:00+08:00`. Times are given in "
    "北京时间 (China Standard Time, +08:00); an input must carry an offset (`Z` or `±hh:mm`).",
    specified_by_url=DATETIME_SPEC_URL,
    serialize=serialize_datetime,
    parse_value=parse_datetime,
    parse_literal=_parse_literal,
)
