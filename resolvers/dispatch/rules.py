"""What may be written, checked before anything is: permissions (DOMAIN.md §8) and the legacy workflow's rules.

Pure functions over the principal, the command, the appeal's current legacy record and the known units.
:func:`check_command` raises :class:`PermissionRefused` (role, unit or jurisdiction) or :class:`InputRefused`
(unknown unit, a transition the workflow does not allow, a deadline in the past, an oversized reply, …), each
with the ``code`` and ``field`` a client shows next to the input.

Who may do what (§8 "Actions"):

- 坐席 operator: register (a 咨询 with its direct answer, 直接答复, given on the call); record the callback (回访).
- 派单员 dispatcher (the city queue): register, dispatch, decide returns and extensions, review replies, callback,
  close, urge, link duplicates, route to the grid.
- 承办单位 unit handler: sign, return, request an extension, reply — only for their own unit, and only where that
  unit is assigned (主办 or 会办).
- 督办员 supervisor: supervise and urge, in their own jurisdiction.
- 信访工作人员 petition officer: link 重合件 (hotline ↔ petition overlaps).
- 镇街调度 street dispatcher: route to the grid and move grid events up the tiers, in their own street or town;
  网格员 grid worker: ask for the next tier of an event in their own grid cells.
- On the leaders' message board the centre's dispatcher publishes the answer (答复) under a thread, naming the
  answering organisation: board threads carry no unit assignment a handler could act through.
- In the petition system the petition officer registers (登记), hands a 信访件 to one unit (交办) and closes it;
  that unit's handler accepts it (受理) or not (不予受理), asks for the one extension of Art 34 and issues the
  opinion (出具处理意见). A step the organ takes after its statutory limit needs a 超期说明 (``lateNote``).
- In the suggestion system the centre's dispatcher assigns (交办) to one unit and closes; that unit's handler takes
  it (办理) and feeds back (反馈) with whether it is adopted (采纳情况).
- A grid worker reports (上报) events in their own grid cells; a street dispatcher in their own street or town.
- 市民 citizen: rates the answer to their own appeal (评价; 信访工作条例 Art 21 for petitions), once, after it is
  answered — an appeal is their own when its phone or ID number gives their person key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from auth.principal import Principal, Role
from resolvers.adapters.board import BoardThread
from resolvers.adapters.grid import GridEvent
from resolvers.adapters.hotline import HotlineTicketRecord
from resolvers.adapters.petition import PetitionRecord
from resolvers.adapters.suggestion import Suggestion
from resolvers.dispatch.commands import Action, Command, parse_appeal_id
from resolvers.dispatch.errors import InputRefused, PermissionRefused
from resolvers.dispatch.plan import (
    ADOPTIONS,
    APPEAL_KINDS,
    CLOSURE_LEVELS,
    PETITION_FORMS,
    PETITION_OUTCOMES,
    SUGGESTION_CATEGORIES,
    TIERS,
    Target,
)
from resolvers.domain import person_key
from resolvers.jurisdiction import covers
from resolvers.petition_rules import MAX_REPRESENTATIVES, representatives_allowed

__all__ = ["CHINA", "MAX_CO_UNITS", "MAX_REPLY_CHARS", "check_command"]

CHINA = ZoneInfo("Asia/Shanghai")
MAX_REPLY_CHARS = 2000  # the hotline's 答复内容 column
MAX_TEXT_CHARS = 500  # reasons, opinions, notes
MAX_CO_UNITS = 5
MAX_EXTENSION_DAYS = 10

_ROLES: dict[Action, frozenset[Role]] = {
    Action.REGISTER: frozenset({Role.OPERATOR, Role.DISPATCHER}),
    Action.DISPATCH: frozenset({Role.DISPATCHER}),
    Action.SIGN: frozenset({Role.UNIT_HANDLER}),
    Action.RETURN: frozenset({Role.UNIT_HANDLER}),
    Action.DECIDE_RETURN: frozenset({Role.DISPATCHER}),
    Action.REQUEST_EXTENSION: frozenset({Role.UNIT_HANDLER}),
    Action.APPROVE_EXTENSION: frozenset({Role.DISPATCHER}),
    Action.REPLY: frozenset({Role.UNIT_HANDLER}),
    Action.REVIEW_REPLY: frozenset({Role.DISPATCHER}),
    Action.CALLBACK: frozenset({Role.OPERATOR, Role.DISPATCHER}),
    Action.CLOSE: frozenset({Role.DISPATCHER}),
    Action.SUPERVISE: frozenset({Role.SUPERVISOR}),
    Action.URGE: frozenset({Role.SUPERVISOR, Role.DISPATCHER}),
    Action.LINK_DUPLICATES: frozenset({Role.DISPATCHER, Role.PETITION_OFFICER}),
    Action.ROUTE_TO_GRID: frozenset({Role.DISPATCHER, Role.STREET_DISPATCHER}),
    Action.ROUTE_GRID_TIER: frozenset({Role.STREET_DISPATCHER, Role.GRID_WORKER}),
    Action.RATE: frozenset({Role.CITIZEN}),
}
# who registers in each system, and who acts on petitions and suggestions (the others keep the table above)
_REGISTER_ROLES: dict[str, frozenset[Role]] = {
    "hotline": frozenset({Role.OPERATOR, Role.DISPATCHER}),
    "petition": frozenset({Role.PETITION_OFFICER}),
    "suggestion": frozenset({Role.OPERATOR, Role.DISPATCHER}),
    "grid": frozenset({Role.GRID_WORKER, Role.STREET_DISPATCHER}),
}
REGISTER_SYSTEMS = tuple(_REGISTER_ROLES)
_CENTRE_ROLE = {"petition": Role.PETITION_OFFICER, "suggestion": Role.DISPATCHER}
_UNIT_ACTIONS = frozenset({Action.SIGN, Action.RETURN, Action.REQUEST_EXTENSION, Action.REPLY})
_SINGLE_UNIT_ACTIONS: dict[str, frozenset[Action]] = {
    "petition": frozenset({Action.DISPATCH, Action.CLOSE, Action.RATE, *_UNIT_ACTIONS}),
    "suggestion": frozenset({Action.DISPATCH, Action.CLOSE, Action.RATE, Action.SIGN, Action.REPLY}),
}
MAX_SCORE = 5
MAX_PERSONS = 100_000
# the legacy states each action needs (petition: zt as the system words it; suggestion: the zt code)
_PETITION_STATES: dict[Action, tuple[str, ...]] = {
    Action.DISPATCH: ("已登记",),
    Action.SIGN: ("已转送", "已交办"),
    Action.RETURN: ("已转送", "已交办"),
    Action.REQUEST_EXTENSION: ("已受理",),
    Action.REPLY: ("已受理", "已延期"),
    Action.CLOSE: ("已出具意见", "复查已答复", "复核已答复", "不予受理", "已导入法定程序"),
    Action.RATE: ("已出具意见", "复查已答复", "复核已答复", "已办结", "已终结"),
}
_PETITION_LATE_NOTE = frozenset({Action.DISPATCH, Action.SIGN, Action.RETURN, Action.REPLY})
PETITION_EXTENSION_DAYS = 30  # 信访工作条例 Art 34: at most 30 日, once
_SUGGESTION_STATES: dict[Action, tuple[str, ...]] = {
    Action.DISPATCH: ("01",),
    Action.SIGN: ("03",),
    Action.REPLY: ("04",),
    Action.CLOSE: ("05", "06"),
    Action.RATE: ("05",),
}
_JURISDICTION_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_DISPATCHER, Role.GRID_WORKER})

# hotline city states (市级状态) in which each action is allowed, and the acting unit's state (单位状态)
_OPEN = ("暂存", "已受理", "已直接答复", "已转办处理中", "已回复待审核", "待回访", "已回访", "重办中")
_CITY: dict[Action, tuple[str, ...]] = {
    Action.DISPATCH: ("已受理",),
    Action.SIGN: ("已转办处理中",),
    Action.RETURN: ("已转办处理中",),
    Action.DECIDE_RETURN: ("已转办处理中",),
    Action.REQUEST_EXTENSION: ("已转办处理中", "重办中"),
    Action.APPROVE_EXTENSION: ("已转办处理中", "重办中"),
    Action.REPLY: ("已转办处理中", "重办中"),
    Action.REVIEW_REPLY: ("已回复待审核",),
    Action.CALLBACK: ("待回访", "已直接答复"),
    Action.CLOSE: ("已回访",),
    Action.SUPERVISE: _OPEN,
    Action.URGE: ("已转办处理中", "重办中", "已回复待审核"),
    Action.LINK_DUPLICATES: (*_OPEN, "已办结"),
    Action.ROUTE_TO_GRID: ("已受理", "已转办处理中"),
    Action.RATE: ("待回访", "已直接答复"),
}
_UNIT: dict[Action, tuple[str, ...]] = {
    Action.SIGN: ("待签收",),
    Action.RETURN: ("待签收", "办理中"),
    Action.DECIDE_RETURN: ("退单申请中",),
    Action.REQUEST_EXTENSION: ("办理中",),
    Action.APPROVE_EXTENSION: ("延期申请中",),
    Action.REPLY: ("办理中",),
}


def _refuse(message: str, code: str, field: str | None = None) -> InputRefused:
    return InputRefused(message, code=code, field=field)


def check_command(
    principal: Principal,
    command: Command,
    target: Target,
    units: Mapping[str, str],
    now: datetime,
    *,
    person_secret: bytes = b"",
) -> Command:
    """Raise if ``principal`` may not write ``command`` to ``target`` or the workflow would refuse it; return the
    command with its parameters normalised (the acting unit filled in, times in +08:00, the name of a lead unit
    for systems that record it beside the code). ``units`` maps the known unit codes to their names."""
    command = _check_permission(principal, command, target)
    if command.action is Action.RATE:
        _check_own_appeal(principal, target, person_secret)
    _check_input(command, target, units, now)
    if isinstance(target, PetitionRecord | Suggestion):
        _check_single_unit_system(command, target, units, now)
        if command.action is Action.DISPATCH:
            name = units[str(command.params["leadUnit"])]
            command = Command(command.action, command.appeal, {**command.params, "leadUnitName": name})
    if command.action is Action.SUPERVISE and command.params.get("replyBy"):
        due = datetime.fromisoformat(str(command.params["replyBy"])).astimezone(CHINA)
        command = Command(command.action, command.appeal, {**command.params, "replyBy": due.isoformat()})
    return command


# --- permissions ------------------------------------------------------------------------------------------------


def _admin_code(target: Target) -> str:
    if isinstance(target, HotlineTicketRecord):
        return target.admin_code or (target.grid_code[:12] if target.grid_code else "")
    if isinstance(target, GridEvent):
        return target.cell_grid_code[:12]
    return ""


def _grid_code(target: Target) -> str:
    if isinstance(target, HotlineTicketRecord):
        return target.grid_code
    if isinstance(target, GridEvent):
        return target.cell_grid_code
    return ""


def _in_jurisdiction(p: Principal, target: Target) -> bool:
    places = [code for code in (_admin_code(target), _grid_code(target)) if code]
    return any(covers(area, place) for area in (*p.admin_codes, *p.grid_codes) for place in places)


def _assigned_units(target: Target) -> set[str]:
    if isinstance(target, PetitionRecord):
        return {target.lead_unit.code} if target.lead_unit is not None else set()
    if isinstance(target, Suggestion):
        return {target.unit.code} if target.unit is not None else set()
    if not isinstance(target, HotlineTicketRecord):
        return set()
    return {u.unit.code for u in target.units if u.state != "已退单"}


def _system_of(target: Target) -> str:
    if isinstance(target, PetitionRecord):
        return "petition"
    if isinstance(target, Suggestion):
        return "suggestion"
    return "grid" if isinstance(target, GridEvent) else "hotline"


def _allowed_roles(command: Command, target: Target) -> frozenset[Role]:
    if command.action is Action.RATE:
        return _ROLES[Action.RATE]
    if command.action is Action.REGISTER:
        system = str(command.params.get("system") or "hotline")
        if system not in _REGISTER_ROLES:
            raise _refuse(
                f"appeals are registered in {', '.join(REGISTER_SYSTEMS)}; message-board threads are posted by "
                "citizens on the board",
                "UNSUPPORTED",
                "system",
            )
        return _REGISTER_ROLES[system]
    system = _system_of(target)
    if system in _SINGLE_UNIT_ACTIONS:
        if command.action not in _SINGLE_UNIT_ACTIONS[system]:
            raise _refuse(f"{command.action.value} is not available for a {system} appeal", "UNSUPPORTED", "id")
        if command.action in _UNIT_ACTIONS:
            return frozenset({Role.UNIT_HANDLER})
        return frozenset({_CENTRE_ROLE[system]})
    return _ROLES[command.action]


_BOARD_OPEN = ("待回复", "已受理", "受理", "办理中", "处理中", "已办理")


def _check_permission(p: Principal, command: Command, target: Target) -> Command:
    if command.action is Action.RATE and isinstance(target, BoardThread | GridEvent):
        raise _refuse("this appeal's system takes no rating", "UNSUPPORTED", "id")
    if isinstance(target, BoardThread):
        if Role.DISPATCHER not in p.roles:
            raise PermissionRefused("answers on the message board are published by the centre (dispatcher)")
        return command
    allowed = _allowed_roles(command, target)
    held = allowed & p.roles
    if not held:
        names = ", ".join(sorted(r.value for r in allowed))
        raise PermissionRefused(f"{command.action.value} needs one of the roles: {names}", code="FORBIDDEN")
    if command.action in _UNIT_ACTIONS:
        unit = str(command.params.get("unit") or p.unit or "")
        if not p.unit or unit != p.unit:
            raise PermissionRefused(
                "a handling unit acts only for its own unit", code="OUTSIDE_JURISDICTION", field="unit"
            )
        if unit not in _assigned_units(target):
            raise PermissionRefused("your unit is not assigned to this appeal", code="OUTSIDE_JURISDICTION", field="id")
        command = Command(command.action, command.appeal, {**command.params, "unit": unit})
    # a role bound to a jurisdiction acts only inside it, unless another role the user holds is city-wide
    if held <= _JURISDICTION_ROLES and command.action is not Action.REGISTER and not _in_jurisdiction(p, target):
        raise PermissionRefused("this appeal is outside your jurisdiction", code="OUTSIDE_JURISDICTION", field="id")
    if held <= _JURISDICTION_ROLES and command.action is Action.REGISTER:
        cell = str(command.params.get("gridCode") or "")
        if not any(covers(area, cell) for area in (*p.admin_codes, *p.grid_codes)):
            raise PermissionRefused(
                "a grid event is reported in your own grid cells", code="OUTSIDE_JURISDICTION", field="gridCode"
            )
    if command.action is Action.LINK_DUPLICATES and held == {Role.PETITION_OFFICER}:
        other = parse_appeal_id(str(command.params.get("duplicate") or ""))
        if other is None or other.system != "petition" or str(command.params.get("kind")) != "OVERLAP":
            raise PermissionRefused(
                "a petition officer links hotline and petition overlaps (重合件) only", code="FORBIDDEN", field="kind"
            )
    return command


# --- input and workflow -----------------------------------------------------------------------------------------


def _check_text(command: Command, name: str, *, required: bool, limit: int = MAX_TEXT_CHARS) -> None:
    value = command.params.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise _refuse(f"{name} must not be empty", "REQUIRED", name)
    if len(text) > limit:
        raise _refuse(f"{name} is {len(text)} characters; at most {limit} are allowed", "TOO_LONG", name)


def _owner_keys(target: Target, secret: bytes) -> set[str]:
    pairs: list[tuple[str, str]] = []
    if isinstance(target, HotlineTicketRecord):
        pairs = [(target.contact_phone, ""), (target.caller_phone, ""), ("", target.id_number)]
    elif isinstance(target, PetitionRecord):
        pairs = [(target.phone, ""), ("", target.id_number)]
    elif isinstance(target, Suggestion):
        pairs = [(target.proposer_phone, ""), ("", target.proposer_id_number)]
    keys = set()
    for phone, id_number in pairs:
        if phone or id_number:
            try:
                keys.add(person_key(secret, phone=phone, id_number=id_number))
            except ValueError:
                continue
    return keys


def _check_own_appeal(p: Principal, target: Target, secret: bytes) -> None:
    """A citizen rates only their own appeal; to anyone else's, it is as if there were none."""
    if target is None:
        return
    if not secret or not p.person_key or p.person_key not in _owner_keys(target, secret):
        raise _refuse("no appeal with this id among your own", "NOT_FOUND", "id")


def _check_rating(command: Command, target: Target) -> None:
    score = command.params.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= MAX_SCORE:
        raise _refuse(f"score is 1 (not satisfied) to {MAX_SCORE} (satisfied)", "BAD_VALUE", "score")
    _check_text(command, "comment", required=False)
    if isinstance(target, PetitionRecord) and target.evaluated_at is not None:
        raise _refuse("this petition has been rated already; a rating is given once", "TRANSITION_NOT_ALLOWED", "id")
    if not isinstance(target, HotlineTicketRecord | PetitionRecord | Suggestion):
        raise _refuse("this appeal's system takes no rating", "UNSUPPORTED", "id")


def _check_input(command: Command, target: Target, units: Mapping[str, str], now: datetime) -> None:
    a, p = command.action, command.params
    if a is Action.RATE and target is not None:
        _check_rating(command, target)
    if a is Action.REGISTER:
        for name in ("title", "content", "phone"):
            _check_text(command, name, required=True, limit=MAX_REPLY_CHARS if name == "content" else 200)
        if p.get("appealType") not in APPEAL_KINDS:
            raise _refuse("appealType must be one of " + ", ".join(APPEAL_KINDS), "BAD_VALUE", "appealType")
        _check_registration(command)
        return
    if target is None:
        raise _refuse("no appeal with this id", "NOT_FOUND", "id")
    if isinstance(target, PetitionRecord | Suggestion):
        return  # their own checks: _check_single_unit_system
    if isinstance(target, HotlineTicketRecord):
        _check_hotline_state(command, target)
    if isinstance(target, BoardThread):
        if a is not Action.REPLY:
            raise _refuse(f"{a.value} is not available for a board thread", "UNSUPPORTED", "id")
        _check_text(command, "text", required=True, limit=MAX_REPLY_CHARS)
        _check_text(command, "organization", required=True, limit=100)
        if target.state_text not in _BOARD_OPEN:
            raise _refuse(
                f"the thread is {target.state_text}; it can no longer be answered", "TRANSITION_NOT_ALLOWED", "id"
            )
        return
    if a is Action.DISPATCH:
        lead = str(p.get("leadUnit") or "")
        co = [str(c) for c in p.get("coUnits") or []]
        for field, code in [("leadUnit", lead), *(("coUnits", c) for c in co)]:
            if code not in units:
                raise _refuse(f"unknown unit {code!r}", "UNKNOWN_UNIT", field)
        if lead in co or len(set(co)) != len(co):
            raise _refuse("the lead unit and co-units must all differ", "BAD_VALUE", "coUnits")
        if len(co) > MAX_CO_UNITS:
            raise _refuse(f"at most {MAX_CO_UNITS} co-units", "BAD_VALUE", "coUnits")
        _check_text(command, "note", required=False)
    elif a is Action.RETURN:
        _check_text(command, "reason", required=True)
    elif a is Action.REQUEST_EXTENSION:
        _check_text(command, "reason", required=True)
        days = p.get("days")
        if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
            raise _refuse(f"days must be 1 to {MAX_EXTENSION_DAYS} working days", "BAD_VALUE", "days")
    elif a is Action.REPLY:
        _check_text(command, "text", required=True, limit=MAX_REPLY_CHARS)
    elif a is Action.CLOSE:
        if p.get("closure") not in CLOSURE_LEVELS:
            raise _refuse("closure must be one of " + ", ".join(CLOSURE_LEVELS), "BAD_VALUE", "closure")
    elif a is Action.SUPERVISE:
        _check_text(command, "opinion", required=True)
        _check_deadline(str(p.get("replyBy") or ""), now, "replyBy")
    elif a in (Action.DECIDE_RETURN, Action.APPROVE_EXTENSION, Action.REVIEW_REPLY, Action.CALLBACK, Action.URGE):
        _check_text(command, "opinion", required=False)
    elif a is Action.LINK_DUPLICATES:
        other = parse_appeal_id(str(p.get("duplicate") or ""))
        if other is None or other.id == command.appeal:
            raise _refuse("duplicate must be the id of another appeal", "BAD_VALUE", "duplicate")
    elif a is Action.ROUTE_TO_GRID:
        event_type = str(p.get("eventType") or "")
        if len(event_type) != 4 or not event_type.isdigit():
            raise _refuse("eventType is the 4-digit grid event code (major + minor class)", "BAD_VALUE", "eventType")
        grid = str(p.get("gridCode") or _grid_code(target))
        if len(grid) != 15 or not grid.isdigit():
            raise _refuse("the appeal has no 15-digit grid cell; give gridCode", "BAD_VALUE", "gridCode")
        if isinstance(target, HotlineTicketRecord) and any(lk.system == "grid" for lk in target.links):
            raise _refuse("this order is already routed to the grid", "TRANSITION_NOT_ALLOWED", "id")
    elif a is Action.ROUTE_GRID_TIER:
        tier = str(p.get("tier") or "")
        if tier not in TIERS or tier == "GRID":
            raise _refuse("tier must be STREET or DEPARTMENT", "BAD_VALUE", "tier")
        if isinstance(target, GridEvent):
            order = list(TIERS.values())
            current = target.routing_tier or order[0]
            if target.state in ("结案", "作废") or order.index(TIERS[tier]) <= order.index(current):
                raise _refuse(
                    f"the event is {target.state} on tier {current}; tiers only go up on open events",
                    "TRANSITION_NOT_ALLOWED",
                    "tier",
                )


def _check_deadline(text: str, now: datetime, field: str) -> None:
    if not text:
        return
    try:
        due = datetime.fromisoformat(text)
    except ValueError:
        raise _refuse(f"{field} must be an RFC 3339 date-time", "BAD_VALUE", field) from None
    if due.tzinfo is None:
        raise _refuse(f"{field} needs an offset, e.g. +08:00", "BAD_VALUE", field)
    if due <= now:
        raise _refuse(f"{field} is in the past", "DEADLINE_PASSED", field)


def _check_hotline_state(command: Command, ticket: HotlineTicketRecord) -> None:
    states = _CITY.get(command.action)
    if states is not None and ticket.city_state not in states:
        raise _refuse(
            f"the order is {ticket.city_state}; {command.action.value} needs {'/'.join(states)}",
            "TRANSITION_NOT_ALLOWED",
            "id",
        )
    unit_states = _UNIT.get(command.action)
    if unit_states is None:
        return
    unit = str(command.params.get("unit") or "")
    share = next((u for u in ticket.units if u.unit.code == unit and u.state != "已退单"), None)
    if share is None:
        raise _refuse(f"unit {unit} does not hold this order", "UNKNOWN_UNIT", "unit")
    if share.state not in unit_states:
        raise _refuse(
            f"{share.unit.name} is {share.state}; {command.action.value} needs {'/'.join(unit_states)}",
            "TRANSITION_NOT_ALLOWED",
            "unit",
        )
    if command.action is Action.REPLY and share.role == "LEAD":
        waiting = [u.unit.name for u in ticket.units if u.role == "CO" and u.state not in ("已回复", "已退单")]
        if waiting:
            raise _refuse(
                "the lead unit replies last, once for all: waiting for " + "、".join(waiting),
                "TRANSITION_NOT_ALLOWED",
                "unit",
            )


def _check_registration(command: Command) -> None:
    """What each system needs beyond the common fields to register an appeal."""
    p, system = command.params, str(command.params.get("system") or "hotline")
    if p.get("directAnswer") is not None:
        _check_direct_answer(command, system)
    if system == "petition":
        _check_text(command, "callerName", required=True, limit=50)
        _check_text(command, "address", required=True, limit=200)
        channel = str(p.get("channel") or "网上")
        if channel not in PETITION_FORMS:
            raise _refuse("a petition's channel is one of " + "/".join(PETITION_FORMS), "BAD_VALUE", "channel")
        representatives = p.get("representatives")
        if representatives is not None and not representatives_allowed(int(representatives)):
            raise _refuse(
                f"a group visit elects 1 to {MAX_REPRESENTATIVES} representatives (信访工作条例 Art 20)",
                "BAD_VALUE",
                "representatives",
            )
        persons = p.get("personsInvolved")
        if persons is not None and not 1 <= int(persons) <= MAX_PERSONS:
            raise _refuse(f"personsInvolved is 1 to {MAX_PERSONS}", "BAD_VALUE", "personsInvolved")
    elif system == "suggestion":
        _check_text(command, "callerName", required=True, limit=50)
        if p.get("category") not in SUGGESTION_CATEGORIES:
            raise _refuse(
                "a suggestion's category is one of " + "、".join(SUGGESTION_CATEGORIES), "BAD_VALUE", "category"
            )
    elif system == "grid":
        event_type = str(p.get("eventType") or "")
        if len(event_type) != 4 or not event_type.isdigit():
            raise _refuse("eventType is the 4-digit grid event code (major + minor class)", "BAD_VALUE", "eventType")
        grid = str(p.get("gridCode") or "")
        if len(grid) != 15 or not grid.isdigit():
            raise _refuse("a grid event needs its 15-digit grid cell (gridCode)", "BAD_VALUE", "gridCode")


def _check_direct_answer(command: Command, system: str) -> None:
    """直接答复 (DOMAIN.md §2.2, §8 坐席): only a hotline 咨询 is answered on the call from the knowledge base."""
    if system != "hotline":
        raise _refuse("a direct answer is given on a hotline call only", "UNSUPPORTED", "directAnswer")
    if command.params.get("appealType") != "CONSULT":
        raise _refuse("only a 咨询 (CONSULT) is answered directly on the call", "BAD_VALUE", "directAnswer")
    _check_text(command, "directAnswer", required=True, limit=MAX_REPLY_CHARS)


def _check_single_unit_system(
    command: Command, target: PetitionRecord | Suggestion, units: Mapping[str, str], now: datetime
) -> None:
    """The petition and suggestion systems: one 承办单位, their own states and their own inputs."""
    a, p = command.action, command.params
    if isinstance(target, PetitionRecord):
        system, state, label = "petition", target.source_status, target.source_status
        states = _PETITION_STATES
    else:
        system, state, label = "suggestion", target.state_code, target.state_name
        states = _SUGGESTION_STATES
    needed = states.get(a, ())
    if state not in needed:
        names = "/".join(needed) if system == "petition" else f"state {'/'.join(needed)}"
        raise _refuse(f"the {system} is {label}; {a.value} needs {names}", "TRANSITION_NOT_ALLOWED", "id")
    if a is Action.DISPATCH:
        lead = str(p.get("leadUnit") or "")
        if lead not in units:
            raise _refuse(f"unknown unit {lead!r}", "UNKNOWN_UNIT", "leadUnit")
        if p.get("coUnits"):
            raise _refuse(
                f"the {system} system takes one 承办单位; co-units (会办) are dispatched in the hotline",
                "UNSUPPORTED",
                "coUnits",
            )
        _check_text(command, "note", required=False)
    elif a is Action.RETURN:
        _check_text(command, "reason", required=True)
    elif a is Action.REQUEST_EXTENSION:
        _check_text(command, "reason", required=True)
        days = p.get("days")
        if not isinstance(days, int) or not 1 <= days <= PETITION_EXTENSION_DAYS:
            raise _refuse(f"days must be 1 to {PETITION_EXTENSION_DAYS} days (Art 34)", "BAD_VALUE", "days")
    elif a is Action.REPLY:
        _check_text(command, "text", required=True, limit=MAX_REPLY_CHARS)
        if system == "petition" and p.get("outcome") not in PETITION_OUTCOMES:
            raise _refuse(
                "a petition's opinion needs its outcome: " + ", ".join(PETITION_OUTCOMES), "REQUIRED", "outcome"
            )
        if system == "suggestion" and p.get("adoption") not in ADOPTIONS:
            raise _refuse(
                "a suggestion's feedback says whether it is adopted: " + ", ".join(ADOPTIONS), "REQUIRED", "adoption"
            )
    if isinstance(target, PetitionRecord):
        _check_petition_limits(command, target, now)


def _check_petition_limits(command: Command, petition: PetitionRecord, now: datetime) -> None:
    due = petition.handling_deadline
    if due is None:
        return
    due = due if due.tzinfo is not None else due.replace(tzinfo=CHINA)
    if now <= due:
        return
    when = due.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    if command.action is Action.REQUEST_EXTENSION:
        raise _refuse(
            f"the handling limit ran out at {when}; an extension is asked for before it (Art 34)",
            "DEADLINE_PASSED",
            "days",
        )
    if command.action in _PETITION_LATE_NOTE and not str(command.params.get("lateNote") or "").strip():
        raise _refuse(
            f"this step is past its statutory limit ({when}); give the 超期说明 in lateNote", "REQUIRED", "lateNote"
        )
    _check_text(command, "lateNote", required=False)
