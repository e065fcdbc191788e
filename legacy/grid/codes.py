"""The grid system's code tables: event classes (事件 大类/小类), sources (问题来源), handling departments.

Event codes are 2 digits of major class + 2 digits of minor class (CJ/T 214-style, DOMAIN.md §4.2). Time limits
are per event type in working hours (工作时: 7 a day, see :mod:`legacy.grid.workhours`); the examples the domain
notes give (暴露垃圾 4, 道路保洁 2, 私搭乱建 停工 4) are used as they are, the rest are plausible choices.
"""

from __future__ import annotations

from dataclasses import dataclass

from legacy.world import Place

__all__ = [
    "EVENT_CODES",
    "PUBLIC_SOURCES",
    "SOURCES",
    "EventCode",
    "department_for",
    "event_code_for",
]


@dataclass(frozen=True, slots=True)
class EventCode:
    main_type: str  # 大类代码
    sub_type: str  # 小类代码
    main_name: str  # infobcname 大类名称
    sub_name: str  # infoscname 小类名称
    limit_hours: int  # 处置时限, in 工作时
    dept: str  # which kind of department handles it (key of _DEPARTMENTS)

    @property
    def code(self) -> str:
        return self.main_type + self.sub_type


_TABLE = (
    EventCode("01", "01", "市容环境", "私搭乱建", 4, "城管"),  # 停工 within 4 工作时
    EventCode("01", "02", "市容环境", "暴露垃圾", 4, "环卫"),
    EventCode("01", "03", "市容环境", "道路不洁", 2, "环卫"),  # 道路保洁 2 工作时
    EventCode("01", "07", "市容环境", "餐饮油烟", 8, "环保"),
    EventCode("03", "01", "施工管理", "施工扰民", 4, "城管"),
    EventCode("04", "01", "突发事件", "路面塌陷", 2, "住建"),
    EventCode("04", "03", "突发事件", "河道污染", 4, "环保"),
    EventCode("05", "05", "街面秩序", "机动车乱停放", 2, "交警"),
    EventCode("05", "08", "街面秩序", "噪声扰民", 4, "城管"),
    EventCode("06", "01", "社会事务", "劳资纠纷", 35, "人社"),  # 5 working days
    EventCode("06", "02", "社会事务", "消费纠纷", 21, "市监"),
    EventCode("06", "03", "社会事务", "非法行医", 14, "卫健"),
    EventCode("06", "04", "社会事务", "教育培训", 21, "教育"),
    EventCode("06", "05", "社会事务", "咨询建议", 7, "街道"),
    EventCode("06", "06", "社会事务", "公共服务", 21, "交通"),
)
EVENT_CODES: dict[str, EventCode] = {e.code: e for e in _TABLE}

# The world's seven first-level labels (legacy.world.CATEGORIES) land on a handful of event codes: a keyword in
# the title picks the code, else the category's default.
_BY_KEYWORD = (
    ("违章搭建", "0101"),
    ("垃圾", "0102"),
    ("油烟", "0107"),
    ("施工", "0301"),
    ("塌陷", "0401"),
    ("污水", "0403"),
    ("乱停", "0505"),
    ("噪音", "0508"),
    ("公交", "0606"),
    ("红绿灯", "0605"),
    ("咨询", "0605"),
    ("改造", "0605"),
    ("社保", "0605"),
    ("工资", "0601"),
    ("劳动合同", "0601"),
    ("无证行医", "0603"),
    ("态度", "0606"),
    ("疫苗", "0605"),
    ("学位", "0605"),
)
_BY_CATEGORY = {
    "城乡建设": "0101",
    "环境保护": "0102",
    "交通运输": "0505",
    "教育文体": "0604",
    "劳动和社会保障": "0601",
    "商贸旅游": "0602",
    "卫生计生": "0603",
}


def event_code_for(category: str, title: str) -> EventCode:
    """The event code a grid operator would pick for a world matter of ``category`` titled ``title``."""
    for keyword, code in _BY_KEYWORD:
        if keyword in title:
            return EVENT_CODES[code]
    return EVENT_CODES[_BY_CATEGORY.get(category, "0605")]


# 问题来源 with the legacy numeric id (event_src_id). Reports from the public and from 12345 need 核实 before 立案.
SOURCES: dict[str, int] = {"监督员": 1, "网格员": 2, "12345热线": 3, "公众": 4}
PUBLIC_SOURCES = frozenset({"12345热线", "公众"})

# (suffix of the department name, short code) per kind of department; the district name goes in front.
_DEPARTMENTS = {
    "城管": ("城市管理和综合执法局", "CG"),
    "环卫": ("环境卫生服务中心", "HW"),
    "环保": ("生态环境分局", "HB"),
    "住建": ("住房和城乡建设局", "ZJ"),
    "交警": ("交警大队", "JJ"),
    "人社": ("人力资源和社会保障局", "RS"),
    "市监": ("市场监督管理局", "SJ"),
    "卫健": ("卫生健康局", "WJ"),
    "教育": ("教育局", "JY"),
    "交通": ("交通运输局", "JT"),
}


def department_for(event: EventCode, place: Place) -> tuple[str, str]:
    """(code, name) of the 处置部门 for ``event`` at ``place``: its district's department, or for 街道 matters its
    street office (coded by the street's 9-digit admin code, one code per office)."""
    if event.dept == "街道":
        return f"{place.admin_code12[:9]}-JD", f"{place.street}办事处"
    suffix, short = _DEPARTMENTS[event.dept]
    return f"{place.district_code}-{short}", f"{place.district}{suffix}"
