"""Seeding the hotline stand-in from the synthetic city (:func:`legacy.world.build_world`).

Each hotline filing becomes a work order whose history is *played* through :mod:`legacy.hotline.workflow` with
random but deterministic delays (``random.Random(seed + SEED_OFFSET)``), stopping at the world's ``now``: old
orders are mostly archived, recent ones are anywhere along the way, and some stall (a unit that never signs, a
callback never made). Returns, extensions, failed audits and unsatisfied callbacks happen at realistic rates.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from legacy.hotline import workflow
from legacy.hotline.categories import classify
from legacy.hotline.limits import TimeLimits
from legacy.hotline.model import CityState, Ticket, UnitState
from legacy.hotline.units import HandlingUnit, build_directory, department_for
from legacy.world import Filing, World

__all__ = ["SEED_OFFSET", "SEED_OPERATORS", "seed_tickets"]

SEED_OFFSET = 12345  # the hotline's constant: random.Random(seed + SEED_OFFSET)
# 坐席工号 of the operators who register the seeded orders, in turn by filing number (no draw from the seeded
# random stream, so the rest of the seed stays as it was). "operator" is the demo operator's subject
# (auth/users.py DEMO_USERS), so the demo operator has orders of their own.
SEED_OPERATORS = ("operator", "zx1002", "zx1003", "zx1004")

_CHANNELS = (("电话", 70), ("微信", 12), ("网站", 10), ("APP", 8))
_DIRECT_ANSWERS = (
    "已根据知识库答复来电人相关政策及办理流程。",
    "已告知来电人咨询事项的办理地点、所需材料和办理时限。",
    "已向来电人解释相关规定，来电人表示知晓。",
)
_UNIT_REPLIES = (
    "经现场核查，反映情况属实，已责令相关责任方限期整改，整改完成后将再次复查。",
    "已安排工作人员现场处理，问题已解决，并与来电人电话沟通说明处理结果。",
    "经核实，该问题涉及多个部门职责，已会同相关单位制定处置方案，正在逐步落实。",
    "已联系来电人了解详细情况，按照相关规定进行了解释说明，来电人表示理解。",
)
_CO_REPLIES = ("已配合主办单位开展现场核查。", "已按职责完成相关工作，情况已反馈主办单位。")
_RETURN_REASONS = ("该事项不属于本单位职责范围。", "事发地址不在本辖区，建议改派属地街道。")
_EXTENSION_REASONS = ("涉及多部门协调，需要更多时间处理。", "需等待施工方整改，申请延期办理。")
_CALLBACK_UNSATISFIED = ("问题没有解决。", "单位没有联系我。", "处理结果不满意。")


class _Clock:
    """Advances a work order's own time by random delays; ``None`` once the next step would pass ``now``."""

    def __init__(self, start: datetime, now: datetime, rng: random.Random, pace: float) -> None:
        self.at, self.now, self.rng, self.pace = start, now, rng, pace

    def later(self, low_h: float, high_h: float) -> datetime | None:
        step = self.at + timedelta(hours=self.rng.uniform(low_h, high_h) * self.pace)
        step = step.replace(microsecond=0)
        if step > self.now:
            return None
        self.at = step
        return step


class _Seeder:
    def __init__(self, world: World, rng: random.Random, limits: TimeLimits, units: list[HandlingUnit]) -> None:
        self.world, self.rng, self.limits = world, rng, limits
        self.by_code = {u.code: u for u in units}
        self.streets = {u.name: u.code for u in units if u.kind == "街道"}

    def _unit(self, code: str) -> tuple[str, str]:
        unit = self.by_code[code]
        return unit.code, unit.name

    def _street(self, filing: Filing) -> str:
        place = filing.matter.place
        return self.streets[f"{place.district}{place.street}办事处"]

    def _pick_units(self, filing: Filing, avoid: str = "") -> tuple[tuple[str, str], list[tuple[str, str]]]:
        rng = self.rng
        dept = department_for(filing.matter.category, filing.matter.place.district_code)
        street = self._street(filing)
        enforcement = filing.matter.place.district_code + "02"
        lead = dept if rng.random() < 0.65 else street
        if lead == avoid:
            lead = street if lead == dept else dept
        pool = [c for c in dict.fromkeys((street, dept, enforcement)) if c not in (lead, avoid)]
        count = rng.choices((0, 1, 2), (55, 35, 10))[0]
        return self._unit(lead), [self._unit(c) for c in pool[:count]]

    def base(self, filing: Filing) -> Ticket:
        rng = self.rng
        person, matter = filing.person, filing.matter
        code, name = classify(matter.category, matter.title)
        order_no = f"{filing.received_at:%Y%m%d}{filing.seq:06d}"
        landline = f"0731-8{rng.randint(0, 9_999_999):07d}"
        accused = bool(matter.accused)
        secret = (matter.kind == "举报" and (accused or rng.random() < 0.3)) or rng.random() < 0.03
        urgency = rng.choices(("一般", "紧急", "特急"), (95, 4, 1))[0]
        return Ticket(
            order_no=order_no,
            tracking_no="RX" + order_no[2:],
            query_code=f"{rng.randint(0, 9999):04d}",
            caller_name=person.name,
            caller_sex=person.sex,
            contact_phone=person.phone,
            caller_number=person.phone if rng.random() < 0.85 else landline,
            id_number=person.id_number if rng.random() < 0.3 else "",
            channel=rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0],
            title=filing.title,
            content=filing.content,
            kind=matter.kind,
            category_code=code,
            category_name=name,
            urgency=urgency,
            address=matter.place.text,
            admin_code=matter.place.admin_code12,
            grid_code=matter.place.grid_code15 if rng.random() < 0.4 else "",
            is_secret=secret,
            called_at=filing.received_at,
            state=CityState.DRAFT,
            operator_id=SEED_OPERATORS[filing.seq % len(SEED_OPERATORS)],
            accused=matter.accused,
        )

    def play(self, filing: Filing) -> Ticket:
        """The work order as it stands at ``world.now`` after its simulated history."""
        rng = self.rng
        ticket = self.base(filing)
        clock = _Clock(filing.received_at, self.world.now, rng, pace=rng.lognormvariate(0.4, 0.8))
        stall = rng.random() < 0.15  # this order stops somewhere along the way
        stop_after = rng.randint(1, 8) if stall else 99
        steps = 0

        def go(low_h: float, high_h: float) -> datetime | None:
            nonlocal steps
            steps += 1
            return None if steps > stop_after else clock.later(low_h, high_h)

        fresh = self.world.now - filing.received_at < timedelta(days=1)
        if fresh and rng.random() < 0.3:
            ticket = workflow.register(ticket, filing.received_at, draft=True)
            if (at := go(0.1, 3)) is None:
                return ticket
            ticket = workflow.accept(ticket, at)
        elif ticket.kind == "咨询" and rng.random() < 0.5:
            ticket = workflow.register(ticket, filing.received_at, direct_answer=rng.choice(_DIRECT_ANSWERS))
            return self._visit_and_close(ticket, go)
        else:
            ticket = workflow.register(ticket, filing.received_at)
        if rng.random() < 0.015:
            at = go(0.1, 2)
            return ticket if at is None else workflow.invalidate(ticket, at, "无效来电")
        return self._handle(ticket, filing, go)

    def _handle(self, ticket: Ticket, filing: Filing, go: Callable[[float, float], datetime | None]) -> Ticket:
        rng = self.rng
        lead, co = self._pick_units(filing)
        if (at := go(0.2, 6)) is None:
            return ticket
        ticket = workflow.dispatch(ticket, at, lead, co, self.limits)
        if rng.random() < 0.07:  # the lead unit says it is not theirs
            if (at := go(0.5, 8)) is None:
                return ticket
            ticket = workflow.request_return(ticket, at, lead[0], rng.choice(_RETURN_REASONS), self.limits)
            if (at := go(1, 12)) is None:
                return ticket
            approve = rng.random() < 0.7
            ticket = workflow.decide_return(ticket, at, lead[0], approve, "" if approve else "属于本单位职责")
            if approve:
                lead, co = self._pick_units(filing, avoid=lead[0])
                if (at := go(0.2, 6)) is None:
                    return ticket
                ticket = workflow.dispatch(ticket, at, lead, co, self.limits, "退单后改派")
        for code, _ in [lead, *co]:
            unit = ticket.unit(code)
            if unit is not None and unit.state is UnitState.PENDING_SIGN:
                if (at := go(0.3, 20)) is None:
                    return ticket
                ticket = workflow.sign(ticket, at, code)
        if rng.random() < 0.1:
            if (at := go(24, 96)) is None:
                return ticket
            days = rng.randint(3, self.limits.max_extension_workdays)
            ticket = workflow.request_extension(ticket, at, lead[0], days, rng.choice(_EXTENSION_REASONS), self.limits)
            if (at := go(2, 24)) is None:
                return ticket
            ticket = workflow.decide_extension(ticket, at, lead[0], rng.random() < 0.8)
        ticket_or_none = self._reply_and_audit(ticket, go)
        if ticket_or_none.state is not CityState.VISIT:
            return ticket_or_none
        ticket = ticket_or_none
        if (at := go(12, 48)) is None:
            return ticket
        if rng.random() < 0.12:
            ticket = workflow.callback(ticket, at, False, rng.choice(_CALLBACK_UNSATISFIED))
            ticket = self._reply_and_audit(ticket, go)
            if ticket.state is not CityState.VISIT:
                return ticket
        return self._visit_and_close(ticket, go)

    def _reply_and_audit(self, ticket: Ticket, go: Callable[[float, float], datetime | None]) -> Ticket:
        rng = self.rng
        for attempt in range(2):
            for unit in ticket.co_units:
                if unit.state is UnitState.HANDLING:
                    if (at := go(24, 120)) is None:
                        return ticket
                    ticket = workflow.reply(ticket, at, unit.code, rng.choice(_CO_REPLIES))
            lead = ticket.lead
            if lead is None or lead.state is not UnitState.HANDLING:
                return ticket
            if (at := go(12, 96)) is None:
                return ticket
            ticket = workflow.reply(ticket, at, lead.code, rng.choice(_UNIT_REPLIES))
            if (at := go(2, 24)) is None:
                return ticket
            passed = attempt == 1 or rng.random() < 0.92
            ticket = workflow.audit(ticket, at, passed, "" if passed else "答复内容不完整，请补充处理结果")
            if passed:
                break
        return ticket

    def _visit_and_close(self, ticket: Ticket, go: Callable[[float, float], datetime | None]) -> Ticket:
        if ticket.state in (CityState.VISIT, CityState.DIRECT_ANSWERED):
            if (at := go(4, 48)) is None:
                return ticket
            ticket = workflow.callback(ticket, at, True, "")
        if (at := go(1, 24)) is None:
            return ticket
        return workflow.close(ticket, at)


def seed_tickets(world: World, seed: int, limits: TimeLimits) -> tuple[list[HandlingUnit], list[Ticket]]:
    """The unit directory and one work order per hotline filing of ``world``."""
    filings = world.filings_for("hotline")
    units = build_directory([p.home for p in world.persons] + [m.place for m in world.matters])
    seeder = _Seeder(world, random.Random(seed + SEED_OFFSET), limits, units)
    return units, [seeder.play(f) for f in filings]
