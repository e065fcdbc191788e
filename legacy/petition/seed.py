"""Seeding the 信访件 table from the synthetic city's petition filings.

Each filing of ``world.filings_for("petition")`` becomes one 信访件 registered at the filing's time. A target stage is
drawn from ``random.Random(seed + SYSTEM_CONSTANT)`` and the petition is walked there through the real workflow
functions with plausible gaps (compressed to fit between registration and now), so every seeded record obeys the
same transitions, limits and 超期 rules as a live one, and the statuses spread over the whole workflow.
检举控告 items come from 举报-type matters and matters with an accused party.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from legacy.petition import workflow as wf
from legacy.petition.store import Row, milestones
from legacy.world import Filing, World

__all__ = ["SYSTEM_CONSTANT", "seed_rows"]

SYSTEM_CONSTANT = 4102

ACCUSE, CLAIM, SUGGEST = "检举控告类", "申诉求决类", "建议意见类"

_DEPARTMENTS = {
    "城乡建设": ("市住房和城乡建设局", "430100ZJJ"),
    "环境保护": ("市生态环境局", "430100STJ"),
    "交通运输": ("市交通运输局", "430100JTJ"),
    "教育文体": ("市教育局", "430100JYJ"),
    "劳动和社会保障": ("市人力资源和社会保障局", "430100RSJ"),
    "商贸旅游": ("市市场监督管理局", "430100SJJ"),
    "卫生计生": ("市卫生健康委员会", "430100WJW"),
}
_DISCIPLINE = ("市纪委监委", "430100JWJ")  # 检举控告 against officials goes to 纪检监察 (Art 22)
_REGISTRARS = ("王芳", "李明", "张伟", "刘洋", "陈静", "周敏")
_FORMS = (("来信", 0.3), ("来访", 0.3), ("网上", 0.32), ("来电", 0.08))

# Target stage → the steps that lead there.
_PATHS: dict[str, tuple[str, ...]] = {
    wf.REGISTERED: (),
    wf.ROUTED_TRANSFERRED: ("route",),
    wf.ACCEPTED: ("route", "accept"),
    wf.NOT_ACCEPTED: ("route", "reject"),
    wf.REDIRECTED: ("route", "redirect"),
    wf.EXTENDED: ("route", "accept", "extend"),
    wf.OPINION_ISSUED: ("route", "accept", "opinion"),
    wf.REVIEW_REQUESTED: ("route", "accept", "opinion", "review"),
    wf.REVIEW_DECIDED: ("route", "accept", "opinion", "review", "decide"),
    wf.RECHECK_REQUESTED: ("route", "accept", "opinion", "review", "decide", "recheck"),
    wf.RECHECK_DECIDED: ("route", "accept", "opinion", "review", "decide", "recheck", "decide"),
    wf.CLOSED: ("route", "accept", "opinion", "close"),
    wf.TERMINATED: ("route", "accept", "opinion", "review", "decide", "recheck", "decide", "close"),
}
_WEIGHTS = {
    wf.REGISTERED: 6,
    wf.ROUTED_TRANSFERRED: 10,
    wf.ACCEPTED: 20,
    wf.NOT_ACCEPTED: 6,
    wf.REDIRECTED: 4,
    wf.EXTENDED: 8,
    wf.OPINION_ISSUED: 14,
    wf.REVIEW_REQUESTED: 6,
    wf.REVIEW_DECIDED: 5,
    wf.RECHECK_REQUESTED: 3,
    wf.RECHECK_DECIDED: 2,
    wf.CLOSED: 12,
    wf.TERMINATED: 4,
}
# Days from the previous step: (usual low, usual high); a few organ steps run late on purpose.
_GAPS = {
    "route": (0.2, 13.0),
    "accept": (1.0, 14.0),
    "reject": (1.0, 14.0),
    "redirect": (1.0, 14.0),
    "extend": (35.0, 58.0),
    "opinion": (12.0, 58.0),
    "review": (2.0, 28.0),
    "decide": (5.0, 29.0),
    "recheck": (2.0, 28.0),
    "close": (0.5, 3.0),
}
_LATE = {"route": (16.0, 20.0), "accept": (16.0, 18.0), "opinion": (61.0, 70.0)}
_OPINION_TEXT = {
    "支持": "经调查核实，反映问题属实，已责成相关单位限期整改，整改情况将另行告知。",
    "解释说明": "经调查核实，相关工作符合政策规定，现将有关政策解释说明如下，请予理解。",
    "不予支持": "经调查核实，所提诉求缺乏事实和政策依据，不予支持。如不服，可依法申请复查。",
}


def _purpose(filing: Filing) -> str:
    matter = filing.matter
    if matter.kind == "举报" or matter.accused:
        return ACCUSE
    return SUGGEST if matter.kind == "建议" else CLAIM


def _unit(filing: Filing, rng: random.Random, purpose: str) -> tuple[str, str, str]:
    """(转交方式, 承办单位, 代码); some codes are missing (name-only, as on older records)."""
    matter = filing.matter
    if purpose == ACCUSE and matter.accused and "公司" not in matter.accused:
        mode, (name, code) = "转送", _DISCIPLINE
    elif rng.random() < 0.4:
        mode, name, code = "交办", f"{matter.place.district}人民政府", matter.place.district_code
    else:
        mode, (name, code) = "转送", _DEPARTMENTS[matter.category]
    return mode, name, "" if rng.random() < 0.2 else code


def _gaps(steps: tuple[str, ...], rng: random.Random, available_days: float) -> list[float]:
    gaps: list[float] = []
    for step in steps:
        low, high = _LATE[step] if step in _LATE and rng.random() < 0.08 else _GAPS[step]
        if step == "close" and "review" not in steps:
            low, high = 30.5, 34.0  # closed once the 复查 window has passed
        gaps.append(rng.uniform(low, high))
    # Squeeze a little to fit before now (busy offices move faster); what still does not fit has not happened yet.
    room = available_days * 0.97
    factor = max(min(1.0, room / sum(gaps)), 0.3) if gaps else 1.0
    fitted: list[float] = []
    for gap in gaps:
        if sum(fitted) + gap * factor > room:
            break
        fitted.append(gap * factor)
    return fitted


def _walk(row: Row, steps: tuple[str, ...], gaps: list[float], rng: random.Random, unit: tuple[str, str, str]) -> None:
    """Apply the first ``len(gaps)`` of ``steps`` to ``row`` through the workflow, each ``gap`` days after the last."""
    at = datetime.strptime(row["djsj"], "%Y-%m-%d %H:%M:%S")
    review_kind = iter(("复查", "复核"))
    late = "信访人地址不详，核实身份耗时较长"
    outcome = rng.choice(wf.OPINIONS)
    actions: dict[str, Callable[[wf.Milestones, datetime], dict[str, str | int]]] = {
        "route": lambda m, t: wf.route(m, t, mode=unit[0], unit=unit[1], unit_code=unit[2], late_note=late),
        "accept": lambda m, t: wf.accept(m, t, late_note=late),
        "reject": lambda m, t: wf.reject(
            m, t, reason="所反映事项已经复核终结，无新的事实和理由", to_procedure=False, late_note=late
        ),
        "redirect": lambda m, t: wf.reject(
            m,
            t,
            reason="属于劳动争议仲裁受理范围，请向劳动人事争议仲裁委员会申请仲裁",
            to_procedure=True,
            late_note=late,
        ),
        "extend": lambda m, t: wf.extend(m, t, days=rng.randint(10, 30), reason="案情复杂，需进一步调查核实"),
        "opinion": lambda m, t: wf.issue_opinion(m, t, outcome=outcome, text=_OPINION_TEXT[outcome], late_note=late),
        "review": lambda m, t: wf.request_review(m, t, kind=next(review_kind)),
        "recheck": lambda m, t: wf.request_review(m, t, kind=next(review_kind)),
        "decide": lambda m, t: wf.decide_review(
            m, t, text="经复查，原处理意见认定事实清楚，予以维持。", late_note=late
        ),
        "close": lambda m, t: wf.close(m, t),
    }
    for step, gap in zip(steps, gaps, strict=False):
        at = at + timedelta(days=gap)
        changes = actions[step](milestones(row), at.replace(microsecond=0))
        row.update({k: str(v) for k, v in changes.items()})


def seed_rows(world: World, seed: int, now: datetime) -> list[Row]:
    """The seeded rows, deterministic for a world and seed."""
    rng = random.Random(seed + SYSTEM_CONSTANT)
    stages, weights = list(_WEIGHTS), list(_WEIGHTS.values())
    seen: set[tuple[int, int]] = set()
    rows: list[Row] = []
    for filing in world.filings_for("petition"):
        person, matter, t0 = filing.person, filing.matter, filing.received_at.replace(second=0, microsecond=0)
        form = rng.choices([f for f, _ in _FORMS], [w for _, w in _FORMS])[0]
        purpose = _purpose(filing)
        group = rng.random() < 0.06
        row: Row = {
            "xfjbh": f"XF430100{t0:%Y%m%d}{filing.seq:05d}",
            "sxfjbh": f"SXF43{t0:%Y%m%d}{rng.randrange(100000):05d}" if rng.random() < 0.25 else "",
            "xfrq": f"{(t0 - timedelta(days=rng.randint(1, 4))) if form == '来信' else t0:%Y-%m-%d}",
            "djsj": wf.fmt(t0),
            "xfxs": form,
            "xm": person.name,
            "xb": person.sex,
            "zjhm": person.id_number,
            "lxdh": person.phone,
            "zz": person.home.text,
            "wtsddm": "" if form == "来信" and rng.random() < 0.5 else matter.place.admin_code12,
            "wtsdmc": matter.place.text,
            "bt": filing.title,
            "fynr": filing.content,
            "nrfl": matter.category,
            "xfmd": purpose,
            "jjcd": rng.choices(("一般", "紧急", "特急"), (85, 12, 3))[0],
            "djr": rng.choice(_REGISTRARS),
            "sjrs": str(rng.randint(5, 40) if group else 1),
            "qtbs": "1" if group else "0",
            "lmbs": "1" if group and rng.random() < 0.5 else "0",
            "jjfbs": "1" if rng.random() < 0.02 else "0",
            "ybfbs": "1" if rng.random() < 0.06 else "0",
            "cfbs": "1" if (person.pid, matter.mid) in seen else "0",
            "jbkg": "1" if purpose == ACCUSE else "0",
            "bjbr": matter.accused if purpose == ACCUSE else "",
            "cxm": f"{rng.randrange(1_000_000):06d}",
            "zt": wf.REGISTERED,
            "yqts": "0",
            "sfcq": "0",
        }
        seen.add((person.pid, matter.mid))
        target = rng.choices(stages, weights)[0]
        steps = _PATHS[target]
        unit = _unit(filing, rng, purpose)
        if target == wf.OPINION_ISSUED and rng.random() < 0.3:
            steps = ("route", "accept", "extend", "opinion")
        available = max((now - t0).total_seconds() / 86400, 0.01)
        _walk(row, steps, _gaps(steps, rng, available), rng, unit)
        due = wf.deadline_for(milestones(row))
        row["xbjzsj"] = wf.fmt(due) if due is not None else ""
        rows.append(row)
    return rows
