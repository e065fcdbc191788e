"""Administrative and grid codes by level: which place a code names and whether one place lies inside another.

The codes follow GB/T 2260 and the statistical division scheme (统计用区划代码): 2 digits name a province (``43``),
4 a city (``4301``), 6 a county or district (``430121``), 9 a township or street (``430121002``), 12 a village or
community (``430121002008``). A unit-grid code (单元网格) adds 3 digits to the 12 (``430121002008009``, DOMAIN.md
§4.2). Codes are usually written padded with zeros: ``430100`` is the city 长沙 (not a district), ``430000`` the
province, ``430121000000`` the county 长沙县; the zeros after a level's last significant group say "this level, all
of it". So a jurisdiction covers a place when its significant digits — the code cut at the first level after
which only zeros follow — are a prefix of the place's code, cut at a level boundary: ``430100`` covers
``430121002008`` (``4301`` is its city), and ``430102`` does not cover ``430121…``.

Pure functions, no I/O; the access rules (:mod:`resolvers.access`) and the write permissions use them.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["LEVEL_DIGITS", "Level", "covers", "level_of", "significant"]


class Level(IntEnum):
    """A place's level, broadest first."""

    PROVINCE = 2  # 省
    CITY = 4  # 地市
    COUNTY = 6  # 区县
    TOWNSHIP = 9  # 乡镇/街道
    VILLAGE = 12  # 村/社区
    GRID = 15  # 单元网格


LEVEL_DIGITS: tuple[int, ...] = tuple(level.value for level in Level)


def _clean(code: str) -> str:
    text = code.strip()
    if not text.isdigit() or len(text) < 2 or len(text) > Level.GRID:
        raise ValueError(f"not an administrative or grid code: {code!r}")
    return text


def significant(code: str) -> str:
    """The code without its padding: the digits up to the broadest level after which only zeros follow.

    ``430100`` → ``4301``; ``430000000000`` → ``43``; ``430121002`` → ``430121002``; ``430121002008009`` stays.
    A code whose length is not a level's (a 7-digit code) keeps all its digits. ``ValueError`` for what is not a
    code (empty, non-digits, longer than a grid code)."""
    text = _clean(code)
    for digits in LEVEL_DIGITS:
        if digits <= len(text) and not text[digits:].strip("0"):
            return text[:digits]
    return text


def level_of(code: str) -> Level | None:
    """The level a (possibly padded) code names; ``None`` for a code that stops between levels."""
    digits = len(significant(code))
    return Level(digits) if digits in LEVEL_DIGITS else None


def covers(jurisdiction: str, place: str) -> bool:
    """Whether the area ``jurisdiction`` names contains the place ``place`` names (the same place included).

    Both are admin or grid codes, padded or not. A place named only at a broader level than the jurisdiction
    (the city as a whole, for a district's jurisdiction) is not covered. A malformed code covers nothing and is
    covered by nothing (fail closed)."""
    try:
        area, spot = significant(jurisdiction), significant(place)
    except ValueError:
        return False
    return len(spot) >= len(area) and spot.startswith(area)
