"""Codes compared by level (GB/T 2260 and the 12-digit statistical scheme, grid cells of 15 digits)."""

from __future__ import annotations

import pytest

from resolvers.jurisdiction import Level, covers, level_of, significant

PLACE = "430121002008"  # 长沙县 湘龙街道 a community
CELL = "430121002008009"  # a grid cell in it


@pytest.mark.parametrize(
    ("code", "digits", "level"),
    [
        ("43", "43", Level.PROVINCE),
        ("430000", "43", Level.PROVINCE),
        ("430000000000", "43", Level.PROVINCE),
        ("4301", "4301", Level.CITY),
        ("430100", "4301", Level.CITY),
        ("430100000000", "4301", Level.CITY),
        ("430121", "430121", Level.COUNTY),
        ("430121000000", "430121", Level.COUNTY),
        ("430121002", "430121002", Level.TOWNSHIP),
        ("430121002000", "430121002", Level.TOWNSHIP),
        ("430121002008", "430121002008", Level.VILLAGE),
        ("430121002008000", "430121002008", Level.VILLAGE),
        ("430121002008009", "430121002008009", Level.GRID),
    ],
)
def test_a_padded_code_names_its_level(code: str, digits: str, level: Level) -> None:
    assert significant(code) == digits
    assert level_of(code) is level


@pytest.mark.parametrize("area", ["43", "430000", "4301", "430100", "430121", "430121002", PLACE, CELL])
def test_every_level_above_a_cell_covers_it(area: str) -> None:
    assert covers(area, CELL)


@pytest.mark.parametrize(
    ("area", "place"),
    [
        ("440000", PLACE),  # another province
        ("430200", PLACE),  # 株洲: another city of the province
        ("430102", PLACE),  # 芙蓉区: another district of the city
        ("430121001", PLACE),  # another street of the county
        ("430121002007", PLACE),  # another community of the street
        ("430121002008001", CELL),  # another cell of the community
        ("430121", "430100000000"),  # the city as a whole is not inside one of its counties
        (CELL, PLACE),  # a cell does not cover its whole community
    ],
)
def test_a_code_does_not_cover_a_place_outside_it(area: str, place: str) -> None:
    assert not covers(area, place)


def test_the_city_code_is_no_string_prefix_of_its_districts_but_covers_them() -> None:
    assert not "430121002008".startswith("430100")  # the old comparison, and why it failed
    assert covers("430100", "430121002008") and covers("430100", "430102001003")


@pytest.mark.parametrize("bad", ["", "43a1", "1", "4301210020080091"])
def test_a_malformed_code_covers_nothing_and_is_covered_by_nothing(bad: str) -> None:
    assert not covers(bad, PLACE) and not covers("43", bad)
    with pytest.raises(ValueError):
        significant(bad)
