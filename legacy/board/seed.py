"""Seeding the board from the synthetic city: its forums and one thread per board filing.

Everything not in the world — forum, tid, nickname, 领域/类型 names, state, reply, likes, ratings — is derived
from ``random.Random(seed + BOARD_SEED)``, so the same seed always gives the same board.
"""

from __future__ import annotations

import random
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

from legacy.board import workflow
from legacy.board.store import phone_digits
from legacy.world import Filing, World

__all__ = ["BOARD_SEED", "CST", "FORUMS", "forum_rows", "thread_rows"]

BOARD_SEED = 3_000
CST = timezone(timedelta(hours=8), "CST")  # the board's clock: Beijing time

# (fid, board, district code or None for the city leaders). fids are the portal's, hence not contiguous.
FORUMS: tuple[tuple[int, str, str | None], ...] = (
    (2351, "长沙市委书记", None),
    (2352, "长沙市市长", None),
    (2360, "芙蓉区委书记", "430102"),
    (2361, "芙蓉区区长", "430102"),
    (2364, "岳麓区委书记", "430104"),
    (2365, "岳麓区区长", "430104"),
    (2368, "雨花区委书记", "430111"),
    (2369, "雨花区区长", "430111"),
)

# 领域 as the board names it, from the world's category (the board keeps names only; form domainId 16 = 其他).
_DOMAINS = {
    "城乡建设": "城建",
    "环境保护": "环保",
    "交通运输": "交通",
    "教育文体": "教育",
    "劳动和社会保障": "就业",
    "商贸旅游": "消费",
    "卫生计生": "医疗",
}
# 类型: the board has 建言 for suggestions and no 举报 (reports are posted as 投诉).
_TYPES = {"咨询": "咨询", "求助": "求助", "投诉": "投诉", "举报": "投诉", "建议": "建言"}
_ORGANS = {
    "城乡建设": "{district}住房和城乡建设局",
    "环境保护": "长沙市生态环境局{district}分局",
    "交通运输": "长沙市交通运输局",
    "教育文体": "{district}教育局",
    "劳动和社会保障": "{district}人力资源和社会保障局",
    "商贸旅游": "{district}市场监督管理局",
    "卫生计生": "{district}卫生健康局",
}
_ACTIONS = {
    "咨询": "现将有关情况答复如下：相关政策已在门户网站公开，具体事宜也可拨打12345政务服务便民热线咨询",
    "求助": "已安排工作人员到现场查看并协调处理，目前相关问题已得到解决",
    "投诉": "已责成相关单位限期整改，目前问题已基本解决，后续将加强日常巡查",
    "举报": "已组织执法人员依法调查，对相关违法行为立案查处",
    "建议": "您的建议很有价值，我们已纳入下一步工作计划统筹研究",
}
_OTHER_PROVINCES = ("广东", "湖北", "北京", "江西")


def forum_rows() -> list[tuple[Any, ...]]:
    return [(fid, name, district) for fid, name, district in FORUMS]


def _forum_for(filing: Filing, rng: random.Random) -> int:
    district = filing.matter.place.district_code
    local = [fid for fid, _, code in FORUMS if code == district]
    if local and rng.random() < 0.65:
        return rng.choice(local)
    return FORUMS[0][0] if rng.random() < 0.4 else FORUMS[1][0]


def _nickname(name: str) -> str:
    return f"网友{zlib.crc32(name.encode()) % 100_000_000:08d}"


def _as_typed(phone: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}"
    if roll < 0.2:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    return phone


def _grade(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4, 5), (1, 1, 2, 4, 8))[0]


def _unix(moment: datetime) -> int:
    return int(moment.replace(tzinfo=CST).timestamp())


def thread_rows(world: World, seed: int) -> list[tuple[Any, ...]]:
    """One row per board filing, in :data:`legacy.board.store.SCHEMA` column order; tids follow the datelines."""
    rng = random.Random(seed + BOARD_SEED)
    now = world.now
    tid = 21_586_000 + rng.randint(0, 999)
    rows: list[tuple[Any, ...]] = []
    answer_id = 0
    for filing in world.filings_for("board"):
        tid += rng.randint(3, 400)  # the portal's tids are shared by every board in the country
        matter, person = filing.matter, filing.person
        type_name = _TYPES[matter.kind]
        domain = "其他" if rng.random() < 0.1 else _DOMAINS[matter.category]
        posted = filing.received_at
        due = workflow.add_workdays(posted, workflow.time_limit_workdays(type_name))
        state, organ, answer, answered = _handling(filing, type_name, due, now, rng)
        grade_manner = grade_speed = 0
        if state == workflow.CLOSED or (state == workflow.REPLIED and rng.random() < 0.4):
            grade_manner, grade_speed = _grade(rng), _grade(rng)
        this_answer = None
        if answer:
            answer_id += 1
            this_answer = answer_id
        likes = rng.randint(0, 12) + (rng.randint(5, 40) if filing.relation == "neighbour" else 0)
        rows.append(
            (
                tid,
                _forum_for(filing, rng),
                filing.title,
                filing.content,
                _unix(posted),
                domain,
                type_name,
                state,
                this_answer,
                organ,
                answer,
                answered.strftime("%Y-%m-%d %H:%M:%S") if answered else "",
                likes,
                grade_manner,
                grade_speed,
                _nickname(person.name),
                "湖南" if rng.random() < 0.95 else rng.choice(_OTHER_PROVINCES),
                person.name,
                (typed := _as_typed(person.phone, rng)),
                phone_digits(typed),
                matter.place.text,  # the form's 地址: where the problem is, as the poster wrote it
            )
        )
    return rows


def _handling(
    filing: Filing, type_name: str, due: datetime, now: datetime, rng: random.Random
) -> tuple[str, str, str, datetime | None]:
    """(stateInfo, answerOrganization, answerContent, answer time) for a thread posted at ``received_at``."""
    posted = filing.received_at
    overdue = now >= due
    if now - posted > timedelta(days=1) and rng.random() < (0.85 if overdue else 0.25):
        span = (due - posted).total_seconds() * rng.uniform(0.3, 1.6)
        answered = posted + timedelta(seconds=span)
        if answered < now - timedelta(hours=1):
            place = filing.matter.place
            organ = (
                f"{place.district}{place.street}办事处"
                if rng.random() < 0.2
                else _ORGANS[filing.matter.category].format(district=place.district)
            )
            answer = (
                f"网友您好！您反映的“{filing.title}”问题已收悉。经{organ}调查核实，"
                f"{_ACTIONS[filing.matter.kind]}。感谢您对我们工作的关心和支持！"
            )
            if now - answered > timedelta(days=7) and rng.random() < 0.45:
                state = workflow.CLOSED
            else:
                state = workflow.HANDLED if rng.random() < 0.2 else workflow.REPLIED
            return state, organ, answer, answered.replace(second=rng.randint(0, 59))
    if now - posted < timedelta(hours=12):
        return workflow.PENDING, "", "", None
    state = rng.choices((workflow.PENDING, workflow.ACCEPTED, workflow.DOING, workflow.PROCESSING), (3, 3, 2, 2))[0]
    return state, "", "", None
