"""The hotline's own 问题分类 tree (code + name), DOMAIN.md §2.1 ``questionCode``/``questionName``.

Each locality has its own classification standard (DOMAIN.md §1); this is the stand-in's: a 2-digit major class
and a 2-digit minor class, ``"0102"`` = 城乡建设/路面塌陷. A matter it does not know is ``"xx99"`` 其他.
"""

from __future__ import annotations

__all__ = ["MAJOR_CODES", "classify"]

MAJOR_CODES: dict[str, str] = {
    "城乡建设": "01",
    "环境保护": "02",
    "交通运输": "03",
    "教育文体": "04",
    "劳动和社会保障": "05",
    "商贸旅游": "06",
    "卫生计生": "07",
}

_MINORS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("违章搭建", "路面塌陷", "夜间施工扰民", "老旧小区改造进度"),
    "环境保护": ("餐饮油烟扰民", "偷排污水", "垃圾堆积", "噪音扰民"),
    "交通运输": ("增设红绿灯", "公交车不按站停靠", "车辆乱停乱放"),
    "教育文体": ("学位划片咨询", "校外培训机构收费", "增建健身设施"),
    "劳动和社会保障": ("工地拖欠工资", "社保转移接续", "公司未签劳动合同"),
    "商贸旅游": ("商家短斤少两", "预付卡商家跑路", "销售过期食品"),
    "卫生计生": ("诊所服务态度差", "疫苗接种预约", "无证行医"),
}


def classify(major: str, title: str) -> tuple[str, str]:
    """(code, "大类/小类") for a matter of ``major`` class whose title ends with a known minor class."""
    major_code = MAJOR_CODES.get(major, "99")
    for index, minor in enumerate(_MINORS.get(major, ()), start=1):
        if title.endswith(minor):
            return f"{major_code}{index:02d}", f"{major}/{minor}"
    return f"{major_code}99", f"{major}/其他"
