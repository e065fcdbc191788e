"""Seeding the suggestion system from the synthetic city: about sixty suggestions from citizens of the world.

The world files matters to the four older systems only, so the suggestions are picked here, deterministically:
first every person's suggestion-type matter (kind 建议) — the same people and the same words the hotline, the
board and the others hold — then, up to ``count``, citizens who filed a matter in one of the seven categories and
now send a suggestion about the same place (templates below). Everything else — number, channel, state, unit,
answer, adoption, rating, points — comes from ``random.Random(seed + SUGGESTION_SEED)``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from legacy.suggestion import workflow
from legacy.world import CATEGORIES, Filing, World

__all__ = ["SUGGESTION_SEED", "UNITS", "pick_filings", "suggestion_rows"]

SUGGESTION_SEED = 5_000
DEFAULT_COUNT = 60
_FMT = "%Y-%m-%d %H:%M:%S"

# 承办单位 by category: (code, name); the city's bureaus take suggestions.
UNITS: dict[str, tuple[str, str]] = {
    "城乡建设": ("430100ZJJ", "长沙市住房和城乡建设局"),
    "环境保护": ("430100STHJ", "长沙市生态环境局"),
    "交通运输": ("430100JTYS", "长沙市交通运输局"),
    "教育文体": ("430100JYJ", "长沙市教育局"),
    "劳动和社会保障": ("430100RSJ", "长沙市人力资源和社会保障局"),
    "商贸旅游": ("430100SWJ", "长沙市商务局"),
    "卫生计生": ("430100WJW", "长沙市卫生健康委员会"),
}
_CATEGORY_CODES = {name: f"{n + 1:02d}" for n, name in enumerate(CATEGORIES)}
# A suggestion about the place of an earlier matter, one template per category.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "城乡建设": (
        "关于{community}老旧小区加装电梯的建议",
        "{place}附近多为六层老楼，老人上下楼困难，建议统一规划加装电梯并简化审批。",
    ),
    "环境保护": (
        "关于{community}推行垃圾分类积分制的建议",
        "{place}一带垃圾分类参与度不高，建议推行积分兑换，提高居民积极性。",
    ),
    "交通运输": ("关于优化{community}周边公交线路的建议", "{place}到地铁站没有直达公交，建议增开社区微循环公交。"),
    "教育文体": (
        "关于{community}开放学校体育场地的建议",
        "{place}周边缺少运动场地，建议学校在节假日向居民错时开放操场。",
    ),
    "劳动和社会保障": (
        "关于在{community}设立零工驿站的建议",
        "{place}附近灵活就业人员多，建议设立零工驿站，提供岗位信息和休息场所。",
    ),
    "商贸旅游": (
        "关于{community}发展夜间经济的建议",
        "{place}有一定人流，建议规划夜市街区，规范摊位管理，繁荣夜间消费。",
    ),
    "卫生计生": (
        "关于在{community}增设家庭医生服务点的建议",
        "{place}老年人较多，建议增设家庭医生签约服务点，方便慢病随访。",
    ),
}
_CHANNELS = (("小程序", 0.6), ("网站", 0.2), ("12345转办", 0.15), ("来信", 0.05))
_REJECT_REASONS = ("属于投诉求助事项，已转12345热线办理", "与在办建议重复")
_ANSWERS = {
    "1": "您的建议具有较强的可行性，我局已采纳并纳入年度工作计划组织实施。",
    "2": "您的建议部分内容已在推进中，其余内容我们将结合实际研究吸收。",
    "0": "经研究，您的建议暂不具备实施条件，我们将持续关注并适时研究。",
}


def pick_filings(world: World, count: int = DEFAULT_COUNT, seed: int = 1) -> list[tuple[Filing, bool]]:
    """The filings the suggestions come from, with ``True`` where the matter itself is a suggestion (建议)."""
    rng = random.Random(seed + SUGGESTION_SEED)
    chosen: list[tuple[Filing, bool]] = []
    seen: set[tuple[int, int]] = set()
    for filing in world.filings:
        key = (filing.person.pid, filing.matter.mid)
        if filing.matter.kind == "建议" and key not in seen:
            seen.add(key)
            chosen.append((filing, True))
    people = {f.person.pid for f, _ in chosen}
    others = [f for f in world.filings if f.relation == "original" and f.matter.kind != "建议"]
    rng.shuffle(others)
    by_category: dict[str, list[Filing]] = {c: [f for f in others if f.matter.category == c] for c in CATEGORIES}
    while len(chosen) < count and any(by_category.values()):
        for category in CATEGORIES:
            pool = by_category[category]
            while pool and pool[-1].person.pid in people:
                pool.pop()
            if pool and len(chosen) < count:
                filing = pool.pop()
                people.add(filing.person.pid)
                chosen.append((filing, False))
    return chosen[:count]


def suggestion_rows(world: World, seed: int, count: int = DEFAULT_COUNT) -> list[dict[str, Any]]:
    """The table's rows, in the legacy column names, numbered ``JY<yyyymmdd><nnnn>`` by submission day."""
    rng = random.Random(seed + SUGGESTION_SEED + 1)
    now = world.now
    drafts: list[dict[str, Any]] = []
    for filing, own in pick_filings(world, count, seed):
        matter, person = filing.matter, filing.person
        if own:
            title, content = filing.title, filing.content
            submitted = filing.received_at + timedelta(hours=rng.randint(0, 48))
        else:
            title_t, content_t = _TEMPLATES[matter.category]
            title = title_t.format(community=matter.place.community + "社区")
            content = content_t.format(place=matter.place.short)
            submitted = filing.received_at + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 12))
        submitted = min(submitted, now - timedelta(minutes=rng.randint(30, 600)))
        channel = rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0]
        phone = person.phone if rng.random() < 0.85 else f"{person.phone[:3]}-{person.phone[3:7]}-{person.phone[7:]}"
        id_number = person.id_number if rng.random() < 0.7 else ""  # the mini-program asks, the website does not
        if id_number.endswith("X") and rng.random() < 0.5:
            id_number = id_number[:-1] + "x"  # typed in lower case
        row: dict[str, Any] = {
            "jybt": title,
            "jynr": content,
            "jyrxm": person.name,
            "jyrxb": person.sex,
            "lxdh": phone,
            "sfzh": id_number,
            "jylb": matter.category,
            "jylbdm": _CATEGORY_CODES[matter.category],
            "qd": channel,
            "tjsj": submitted.replace(second=rng.randint(0, 59)).strftime(_FMT),
            "wzdz": matter.place.text,
            "xzqhdm": matter.place.admin_code12,
        }
        row.update(_progress(matter.category, submitted, now, rng))
        drafts.append(row)
    drafts.sort(key=lambda r: (r["tjsj"], r["lxdh"]))
    per_day: dict[str, int] = {}
    for row in drafts:
        day = row["tjsj"][:10].replace("-", "")
        per_day[day] = per_day.get(day, 0) + 1
        row["jybh"] = f"JY{day}{per_day[day]:04d}"
    return drafts


def _progress(category: str, submitted: datetime, now: datetime, rng: random.Random) -> dict[str, Any]:
    """How far along the chain a suggestion submitted at ``submitted`` has got by ``now``."""
    empty: dict[str, Any] = {
        "zt": workflow.PENDING,
        "bslyy": "",
        "cbdw": "",
        "cbdwdm": "",
        "jbsj": "",
        "blqx": "",
        "fknr": "",
        "fksj": "",
        "cnqk": "",
        "pjdj": "",
        "jljf": None,
    }
    assigned = submitted + timedelta(hours=rng.randint(4, 72))
    if assigned > now:
        return empty
    if rng.random() < 0.06:
        return {**empty, "zt": workflow.REJECTED, "bslyy": rng.choice(_REJECT_REASONS)}
    code, name = UNITS[category]
    due = workflow.add_workdays(assigned, workflow.HANDLE_WORKDAYS)
    state = {
        **empty,
        "zt": workflow.ASSIGNED,
        "cbdw": name,
        "cbdwdm": code,
        "jbsj": assigned.strftime(_FMT),
        "blqx": due.isoformat(),
    }
    if now - assigned < timedelta(hours=20):
        return state
    state["zt"] = workflow.HANDLING
    span = (datetime.combine(due, assigned.time()) - assigned) * rng.uniform(0.3, 1.3)
    answered = assigned + span
    if answered > now - timedelta(hours=1):
        return state
    adoption = rng.choices(("1", "2", "0"), (3, 3, 4))[0]
    state.update(zt=workflow.ANSWERED, fknr=_ANSWERS[adoption], fksj=answered.strftime(_FMT), cnqk=adoption)
    if now - answered > timedelta(days=3) and rng.random() < 0.7:
        state.update(zt=workflow.EVALUATED, pjdj=str(rng.choices((3, 4, 5), (1, 3, 6))[0]))
    if now - answered > timedelta(days=7):
        if adoption != "0" and rng.random() < 0.8:
            state.update(zt=workflow.REWARDED, jljf=rng.randint(50, 200) if adoption == "1" else rng.randint(20, 50))
        elif rng.random() < 0.6:
            state["zt"] = workflow.CLOSED
    return state
