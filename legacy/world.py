"""The synthetic city every stand-in is seeded from, so that the same citizens recur across systems.

``build_world(seed)`` is deterministic: the same seed gives the same people, matters and filings, and each
stand-in takes the filings addressed to it with :meth:`World.filings_for`. The mix mirrors what the source
practice reports (DOMAIN.md §0, §9):

- most people file once, in one system;
- about a fifth file the same matter in two or three systems (true duplicates, with paraphrased text);
- a few are repeat filers (一人多投) with five or more filings of the same matter;
- hard near-misses: the same person with a different matter of the same kind at the same place, and neighbours
  filing the same matter in their own words (多人一诉).

Names, phones and ID numbers come from faker's zh_CN provider; places are Changsha districts, streets and
communities with 12-digit admin codes and 15-digit cell grid codes (DOMAIN.md §4.2).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from faker import Faker
from faker.providers.ssn.zh_CN import Provider as _ZhSsnProvider

__all__ = [
    "CATEGORIES",
    "SYSTEMS",
    "Filing",
    "Matter",
    "Person",
    "Place",
    "World",
    "build_world",
]

SYSTEMS = ("hotline", "petition", "board", "grid")

# The seven first-level labels of the public 智慧政务 data set (DOMAIN.md §10).
CATEGORIES = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")

_DISTRICTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("430102", "芙蓉区", ("五里牌街道", "文艺路街道", "东湖街道")),
    ("430103", "天心区", ("坡子街街道", "城南路街道", "裕南街街道")),
    ("430104", "岳麓区", ("望月湖街道", "橘子洲街道", "观沙岭街道")),
    ("430105", "开福区", ("伍家岭街道", "四方坪街道", "洪山街道")),
    ("430111", "雨花区", ("侯家塘街道", "左家塘街道", "圭塘街道")),
    ("430112", "望城区", ("高塘岭街道", "白沙洲街道")),
    ("430121", "长沙县", ("星沙街道", "湘龙街道")),
)
_COMMUNITIES = (
    "新村",
    "桃花",
    "锦绣",
    "枫林",
    "湘江",
    "丽园",
    "松桂",
    "荷花",
    "金霞",
    "朝阳",
    "育才",
    "长塘",
)
_PLACES_NEAR = ("小区东门", "菜市场旁", "公交站台", "学校门口", "十字路口", "3栋楼下", "沿街门面", "河堤步道")

# (appeal kind, title, content); {place} is the spot, {detail} a varying particular.
_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "城乡建设": (
        ("投诉", "{place}违章搭建", "{place}有住户在楼顶违章搭建彩钢棚，{detail}，请相关部门依法拆除。"),
        ("求助", "{place}路面塌陷", "{place}路面出现塌陷，{detail}，行人和车辆通行很危险，请尽快维修。"),
        ("投诉", "{place}夜间施工扰民", "{place}工地夜间十一点后仍在施工，{detail}，严重影响居民休息。"),
        ("咨询", "老旧小区改造进度", "{place}所在小区列入老旧小区改造计划，{detail}，想了解何时开工。"),
    ),
    "环境保护": (
        ("投诉", "{place}餐饮油烟扰民", "{place}的餐馆油烟直排，{detail}，楼上住户无法开窗。"),
        ("举报", "{place}偷排污水", "{place}附近有企业夜间向河道偷排污水，{detail}，河水发黑发臭。"),
        ("投诉", "{place}垃圾堆积", "{place}的垃圾桶满了无人清运，{detail}，蚊蝇很多气味难闻。"),
        ("投诉", "{place}噪音扰民", "{place}的广场舞音响声音太大，{detail}，老人孩子无法休息。"),
    ),
    "交通运输": (
        ("建议", "{place}增设红绿灯", "{place}车流量大没有信号灯，{detail}，建议增设红绿灯和斑马线。"),
        ("投诉", "{place}公交车不按站停靠", "{place}的公交车经常不按站停靠，{detail}，乘客上下车不便。"),
        ("投诉", "{place}车辆乱停乱放", "{place}人行道上长期停满车辆，{detail}，行人只能走机动车道。"),
    ),
    "教育文体": (
        ("咨询", "{place}学位划片咨询", "孩子今年上小学，家住{place}，{detail}，想咨询所属学区划片。"),
        ("投诉", "{place}校外培训机构收费", "{place}的培训机构预收一年学费后关门，{detail}，要求退费。"),
        ("建议", "{place}增建健身设施", "{place}附近没有健身场地，{detail}，建议增建全民健身设施。"),
    ),
    "劳动和社会保障": (
        ("求助", "{place}工地拖欠工资", "在{place}工地务工，{detail}，老板拖欠工资至今未付，请帮忙讨薪。"),
        ("咨询", "社保转移接续", "本人在{place}工作，{detail}，想咨询外省社保如何转入长沙。"),
        ("投诉", "{place}公司未签劳动合同", "在{place}的公司上班一年，{detail}，公司一直不签劳动合同。"),
    ),
    "商贸旅游": (
        ("投诉", "{place}商家短斤少两", "在{place}的水果店买东西，{detail}，回家复称少了一斤多。"),
        ("投诉", "{place}预付卡商家跑路", "{place}的健身房办了预付卡，{detail}，现在门店突然关闭。"),
        ("举报", "{place}销售过期食品", "{place}的超市货架上有过期食品，{detail}，请市场监管部门查处。"),
    ),
    "卫生计生": (
        ("投诉", "{place}诊所服务态度差", "{place}的社区卫生服务站，{detail}，医生态度恶劣。"),
        ("咨询", "{place}疫苗接种预约", "家住{place}，{detail}，想咨询孩子的疫苗接种如何预约。"),
        ("举报", "{place}无证行医", "{place}有人开设无证诊所，{detail}，存在安全隐患。"),
    ),
}
_DETAILS = (
    "已经持续两个多月",
    "多次向物业反映没有结果",
    "周边几栋楼的居民都受影响",
    "上周又发生了一次",
    "社区说不归他们管",
    "老人小孩进出很不安全",
    "每天早晚高峰最严重",
    "之前打过电话但没有回复",
)
_REPEAT_OPENERS = ("再次反映：", "之前反映过，至今未解决。", "第二次反映，", "问题仍然存在，", "")
_REPEAT_CLOSERS = ("", "希望尽快处理。", "请给个明确答复。", "请领导重视。")
_ACCUSED = ("某街道办工作人员", "某社区主任", "某执法中队队员", "某公司负责人")


@dataclass(frozen=True, slots=True)
class Place:
    district_code: str  # 6-digit GB/T 2260
    district: str
    street: str
    community: str
    admin_code12: str  # district + 3 street + 3 community
    grid_code15: str  # admin_code12 + 3-digit cell
    spot: str  # 小区东门, 公交站台 …

    @property
    def text(self) -> str:
        return f"湖南省长沙市{self.district}{self.street}{self.community}社区{self.spot}"

    @property
    def short(self) -> str:
        return f"{self.community}社区{self.spot}"


@dataclass(frozen=True, slots=True)
class Person:
    pid: int
    name: str
    sex: str  # 男 | 女
    phone: str  # 11 digits
    id_number: str  # 18 characters
    home: Place


@dataclass(frozen=True, slots=True)
class Matter:
    """One real-world problem; several filings may describe it."""

    mid: int
    category: str
    kind: str  # 咨询 | 求助 | 投诉 | 举报 | 建议
    title: str
    content: str
    place: Place
    accused: str = ""  # set for 检举控告-type matters


@dataclass(frozen=True, slots=True)
class Filing:
    """One appeal as one system recorded it."""

    seq: int  # unique across the world, ordered by time within a system
    system: str
    person: Person
    matter: Matter
    received_at: datetime
    title: str
    content: str
    relation: str  # original | repeat (same person, same matter) | near_miss | neighbour


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    now: datetime
    persons: tuple[Person, ...]
    matters: tuple[Matter, ...]
    filings: tuple[Filing, ...]
    _by_system: dict[str, tuple[Filing, ...]] = field(default_factory=dict, compare=False, repr=False)

    def filings_for(self, system: str) -> tuple[Filing, ...]:
        if system not in SYSTEMS:
            raise ValueError(f"unknown system {system!r}; expected one of {', '.join(SYSTEMS)}")
        if system not in self._by_system:
            chosen = sorted((f for f in self.filings if f.system == system), key=lambda f: f.received_at)
            self._by_system[system] = tuple(chosen)
        return self._by_system[system]

    def persons_in_systems(self, minimum: int) -> list[Person]:
        systems: dict[int, set[str]] = {}
        for f in self.filings:
            systems.setdefault(f.person.pid, set()).add(f.system)
        return [p for p in self.persons if len(systems.get(p.pid, ())) >= minimum]


class _Builder:
    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.now = now
        self.persons: list[Person] = []
        self.matters: list[Matter] = []
        self.filings: list[Filing] = []
        self._phones: set[str] = set()

    def place(self) -> Place:
        code, district, streets = self.rng.choice(_DISTRICTS)
        s_idx = self.rng.randrange(len(streets))
        c_idx = self.rng.randrange(len(_COMMUNITIES))
        admin12 = f"{code}{s_idx + 1:03d}{c_idx + 1:03d}"
        return Place(
            district_code=code,
            district=district,
            street=streets[s_idx],
            community=_COMMUNITIES[c_idx],
            admin_code12=admin12,
            grid_code15=f"{admin12}{self.rng.randint(1, 12):03d}",
            spot=self.rng.choice(_PLACES_NEAR),
        )

    def nearby(self, place: Place) -> Place:
        """Same community and cell, another spot."""
        spots = [s for s in _PLACES_NEAR if s != place.spot]
        return Place(
            place.district_code,
            place.district,
            place.street,
            place.community,
            place.admin_code12,
            place.grid_code15,
            self.rng.choice(spots),
        )

    def person(self) -> Person:
        sex = self.rng.choice(("男", "女"))
        name = self.faker.name_male() if sex == "男" else self.faker.name_female()
        phone = self.faker.phone_number()
        while phone in self._phones:
            phone = self.faker.phone_number()
        self._phones.add(phone)
        home = self.place()
        # Local residents: the ID's area code is the home district.
        body = home.district_code + self._birthday_and_sequence()
        id_number = body + _id_check_digit(body)
        p = Person(len(self.persons) + 1, name, sex, phone, id_number, home)
        self.persons.append(p)
        return p

    def _birthday_and_sequence(self) -> str:
        """Digits 7–17 of an ID number: birthday, then sequence (odd for men).

        The draws are those of faker's zh_CN ``ssn()``, in the same order, so the rest of the city stays as it
        was; but ages count back from a fixed day, not from today, so the city is the same on every day it is
        built (a test run that crosses midnight compares a city with itself).
        """
        f = self.faker
        age = timedelta(days=f.random_int(18 * 365, 90 * 365))
        f.random_element(_ZhSsnProvider.area_codes)  # faker's area code; the home district replaces it
        born = (_BIRTHDAYS_FROM - age).strftime("%Y%m%d")
        sequence: str = f.numerify("##") + f.random.choice("0123456789")
        return born + sequence

    def matter(self, place: Place, category: str | None = None, avoid: str = "") -> Matter:
        cat = category or self.rng.choice(CATEGORIES)
        options = [t for t in _TEMPLATES[cat] if t[1] != avoid] or list(_TEMPLATES[cat])
        kind, title, content = self.rng.choice(options)
        detail = self.rng.choice(_DETAILS)
        accused = self.rng.choice(_ACCUSED) if kind == "举报" and self.rng.random() < 0.5 else ""
        m = Matter(
            len(self.matters) + 1,
            cat,
            kind,
            title.format(place=place.short),
            content.format(place=place.short, detail=detail),
            place,
            accused,
        )
        self.matters.append(m)
        return m

    def file(self, system: str, person: Person, matter: Matter, at: datetime, relation: str) -> None:
        title, content = matter.title, matter.content
        if relation in ("repeat", "neighbour"):
            content = self.rng.choice(_REPEAT_OPENERS) + content + self.rng.choice(_REPEAT_CLOSERS)
            if relation == "neighbour":
                content = content.replace("居民", "我们小区居民", 1)
        self.filings.append(Filing(0, system, person, matter, at, title, content, relation))

    def when(self, max_days: int = 90) -> datetime:
        return self.now - timedelta(minutes=self.rng.randint(60, max_days * 24 * 60))


# Ages of the synthetic citizens count back from this day.
_BIRTHDAYS_FROM = date(2026, 12, 1)


def _id_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def _pick_systems(rng: random.Random, count: int) -> list[str]:
    weights = {"hotline": 0.45, "board": 0.2, "grid": 0.2, "petition": 0.15}
    chosen: list[str] = []
    while len(chosen) < count:
        s = rng.choices(list(weights), list(weights.values()))[0]
        if s not in chosen:
            chosen.append(s)
    return chosen


def build_world(seed: int = 1, *, people: int = 400, now: datetime | None = None) -> World:
    """A deterministic city of ``people`` citizens and their filings across the four systems."""
    if people < 20:
        raise ValueError("a world needs at least 20 people")
    anchor = (now or datetime.now()).replace(second=0, microsecond=0)
    b = _Builder(seed, anchor)
    rng = b.rng
    repeaters = max(3, people // 60)
    for index in range(people):
        person = b.person()
        place = person.home if rng.random() < 0.6 else b.place()
        matter = b.matter(place)
        first = b.when()
        if index < repeaters:
            # 一人多投: five to eight filings of one matter over every system.
            count = rng.randint(5, 8)
            for n in range(count):
                system = SYSTEMS[n % len(SYSTEMS)] if n < len(SYSTEMS) else rng.choice(SYSTEMS)
                at = min(first + timedelta(days=3 * n, hours=rng.randint(0, 20)), anchor)
                b.file(system, person, matter, at, "original" if n == 0 else "repeat")
            continue
        roll = rng.random()
        if roll < 0.80:
            b.file(_pick_systems(rng, 1)[0], person, matter, first, "original")
        else:
            systems = _pick_systems(rng, 2 if roll < 0.95 else 3)
            for n, system in enumerate(systems):
                at = min(first + timedelta(days=rng.randint(0, 10) * n, hours=rng.randint(0, 12)), anchor)
                b.file(system, person, matter, at, "original" if n == 0 else "repeat")
        if rng.random() < 0.05:
            # Near miss: the same person, another matter of the same category at a nearby spot.
            other = b.matter(b.nearby(place), matter.category, avoid=matter.title)
            b.file(_pick_systems(rng, 1)[0], person, other, b.when(30), "near_miss")
    # 多人一诉: neighbours of earlier filers report the same matter in their own words.
    for _ in range(max(2, people // 80)):
        origin = rng.choice([f for f in b.filings if f.relation == "original"])
        for _ in range(rng.randint(2, 5)):
            neighbour = b.person()
            at = min(origin.received_at + timedelta(days=rng.randint(0, 7)), anchor)
            b.file(_pick_systems(rng, 1)[0], neighbour, origin.matter, at, "neighbour")
    ordered = sorted(b.filings, key=lambda f: (f.received_at, f.person.pid))
    filings = tuple(
        Filing(i + 1, f.system, f.person, f.matter, f.received_at, f.title, f.content, f.relation)
        for i, f in enumerate(ordered)
    )
    return World(seed, anchor, tuple(b.persons), tuple(b.matters), filings)


def sample(seq: Sequence[Filing], rng: random.Random, k: int) -> list[Filing]:
    return rng.sample(list(seq), min(k, len(seq)))
