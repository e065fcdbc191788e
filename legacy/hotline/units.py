"""The handling units (承办单位) work orders are dispatched to: district departments and street offices.

Codes are 8 digits: the 6-digit district code, then ``01``–``08`` for a district department or ``1n`` for the
n-th street office (街道办事处). The directory is built from the places of the synthetic city, so every district
and street an appeal can come from has its units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from legacy.world import Place

__all__ = ["DEPARTMENTS", "HandlingUnit", "build_directory", "department_for"]

# (code suffix, name suffix): one per department every district has.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("01", "住房和城乡建设局"),
    ("02", "城市管理和综合执法局"),
    ("03", "生态环境分局"),
    ("04", "交通运输局"),
    ("05", "教育局"),
    ("06", "人力资源和社会保障局"),
    ("07", "市场监督管理局"),
    ("08", "卫生健康局"),
)

_BY_CATEGORY = {
    "城乡建设": "01",
    "环境保护": "03",
    "交通运输": "04",
    "教育文体": "05",
    "劳动和社会保障": "06",
    "商贸旅游": "07",
    "卫生计生": "08",
}


@dataclass(frozen=True, slots=True)
class HandlingUnit:
    code: str  # 单位编码 dwbm
    name: str  # 单位名称 dwmc
    kind: str  # 单位类型 dwlx: 职能部门 | 街道
    district_code: str


def department_for(category: str, district_code: str) -> str:
    """The code of the department that leads on this category in this district."""
    return district_code + _BY_CATEGORY.get(category, "02")


def build_directory(places: Iterable[Place]) -> list[HandlingUnit]:
    """Every district's departments and every street's office, in a stable order."""
    districts: dict[str, str] = {}
    streets: dict[str, list[str]] = {}
    for place in places:
        districts.setdefault(place.district_code, place.district)
        known = streets.setdefault(place.district_code, [])
        if place.street not in known:
            known.append(place.street)
    units: list[HandlingUnit] = []
    for code in sorted(districts):
        name = districts[code]
        units.extend(HandlingUnit(code + suffix, name + dept, "职能部门", code) for suffix, dept in DEPARTMENTS)
        for index, street in enumerate(sorted(streets[code]), start=1):
            units.append(HandlingUnit(f"{code}{10 + index}", f"{name}{street}办事处", "街道", code))
    return units
