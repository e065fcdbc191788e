"""Resolving the accused of a 检举控告 item to a unit: by reference, by normalised name, or not at all."""

from __future__ import annotations

import pytest

from resolvers.accused import normalise_unit_name, resolve_accused
from resolvers.domain import UnitRef

CHENGGUAN = UnitRef("43010502", "开福区城市管理和综合执法局")
STREET = UnitRef("43010511", "开福区伍家岭街道办事处")
UNITS = (CHENGGUAN, STREET)


@pytest.mark.parametrize(
    "written",
    [
        "开福区城市管理和综合执法局",
        "长沙市开福区城市管理和综合执法局",
        "湖南省长沙市 开福区城市管理和综合执法局",
        "开福区城市管理和综合执法局（执法中队）工作人员",
        "开福区城市管理和综合执法局负责人",
        "４３０１０５０２",  # the code in full-width digits
    ],
)
def test_a_unit_is_found_however_its_name_is_written(written: str) -> None:
    accused = resolve_accused(written, UNITS)
    assert accused is not None and accused.unit_code == CHENGGUAN.code


def test_the_legacy_unit_reference_wins_over_the_name() -> None:
    accused = resolve_accused("某街道办工作人员", UNITS, unit_code=STREET.code)
    assert accused is not None and accused.unit_code == STREET.code and accused.resolved


def test_a_name_matching_no_unit_is_unresolved_and_no_name_is_no_accused() -> None:
    accused = resolve_accused("某街道办工作人员", UNITS)
    assert accused is not None and not accused.resolved and accused.raw == "某街道办工作人员"
    assert resolve_accused("  ", UNITS) is None


def test_a_short_name_is_not_trusted_inside_a_longer_text() -> None:
    tiny = UnitRef("X1", "城管")
    accused = resolve_accused("开福区城管局张某", [tiny])
    assert accused is not None and not accused.resolved


def test_normalised_names() -> None:
    assert normalise_unit_name("长沙市 开福区（伍家岭）街道办事处主任") == "开福区伍家岭街道办事处"
