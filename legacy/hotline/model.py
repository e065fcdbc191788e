"""A hotline work order (工单) as the stand-in keeps it: states, unit assignments, the flow log.

The legacy engine keeps one state for the city centre and one per handling unit (DOMAIN.md §2.2); the S14 回显
"市级: 已转办处理中 / A单位: 待签收 / B单位: 办理中" is exactly ``Ticket.state`` plus ``Ticket.units``. The values
are the Chinese texts the legacy system shows, so they are what goes over the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "APPEAL_KINDS",
    "CLOSURE_LEVELS",
    "CityState",
    "Event",
    "Link",
    "Role",
    "Ticket",
    "UnitAssignment",
    "UnitState",
]

APPEAL_KINDS = ("咨询", "求助", "投诉", "举报", "建议")  # 诉求类型 sqlx
CLOSURE_LEVELS = ("阶段性办结", "程序性办结", "实质性办结")  # 办结类型 bjlx (三级办结)


class CityState(StrEnum):
    """市级状态 ``zt``: where the work order stands at the 12345 centre."""

    DRAFT = "暂存"  # 坐席登记, not yet accepted
    ACCEPTED = "已受理"  # accepted, waiting for (re-)dispatch
    DIRECT_ANSWERED = "已直接答复"  # 咨询 answered from the knowledge base, no unit involved
    DISPATCHED = "已转办处理中"  # units hold it; their own states say more
    REPLIED = "已回复待审核"  # the lead unit's consolidated reply waits for 中心审核
    VISIT = "待回访"  # audit passed, callback due
    VISITED = "已回访"  # callback done and satisfied, waiting to be archived
    REHANDLE = "重办中"  # callback unsatisfied: units handle it again
    CLOSED = "已办结"  # 办结归档
    INVALID = "无效件"  # 无效/骚扰


class UnitState(StrEnum):
    """单位状态 ``dwzt[].zt``: one per unit a work order was dispatched to."""

    PENDING_SIGN = "待签收"
    HANDLING = "办理中"
    EXTENSION_REQUESTED = "延期申请中"
    RETURN_REQUESTED = "退单申请中"
    REPLIED = "已回复"
    RETURNED = "已退单"


class Role(StrEnum):
    LEAD = "主办"  # 主办单位: coordinates and gives the one consolidated reply
    CO = "协办"  # 协办/会办单位: replies to the lead


@dataclass(frozen=True, slots=True)
class UnitAssignment:
    """One unit's share of a work order (单位办理情况)."""

    code: str  # 单位编码 dwbm
    name: str  # 单位名称 dwmc
    role: Role
    state: UnitState
    dispatched_at: datetime
    sign_deadline: datetime  # 签收截止
    deadline: datetime  # 办理截止
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    reply: str = ""
    return_reason: str = ""  # 退单原因
    extension_days: int = 0  # 申请延期天数 (working days)
    extension_reason: str = ""

    @property
    def active(self) -> bool:
        return self.state is not UnitState.RETURNED


@dataclass(frozen=True, slots=True)
class Event:
    """One line of the flow log (流转记录)."""

    at: datetime
    action: str  # 登记, 受理, 派单, 签收, 退单申请, 退单审核, 延期申请, 延期审批, 答复, 审核, 回访, 办结, 作废
    unit: str  # acting unit name, or 12345中心
    note: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A link to a record in another system (关联记录): 网格直办 to a grid event, 重合件 to a petition, 重复件."""

    system: str  # 系统 xt: grid, petition, hotline, ...
    number: str  # 编号 bh in that system
    kind: str  # 关联类型 gllx: 网格直办 / 重合件 / 重复件
    at: datetime


@dataclass(frozen=True, slots=True)
class Ticket:
    """One work order. The caller and matter are fixed at registration; the rest moves with the workflow."""

    order_no: str  # 工单编号 gdbh
    tracking_no: str  # 流水号 lsh (citizen-facing)
    query_code: str  # 提取码 tqm (never leaves the centre except to the citizen)
    caller_name: str  # 来电人 ldr
    caller_sex: str  # ldrxb 男/女
    contact_phone: str  # 联系电话 lxdh
    caller_number: str  # 来电号码 ldhm (may be a landline)
    id_number: str  # 证件号码 zjhm, often not given
    channel: str  # 受理渠道 slqd: 电话/网站/微信/APP
    title: str  # 标题 bt
    content: str  # 内容 nr
    kind: str  # 诉求类型 sqlx
    category_code: str  # 问题分类编码 wtfl.dm
    category_name: str  # 问题分类名称 wtfl.mc, "大类/小类"
    urgency: str  # 紧急程度 jjcd: 一般/紧急/特急
    address: str  # 事发地址 sfdz
    admin_code: str  # 行政区划 xzqh (12 digits)
    grid_code: str  # 网格编码 wgbm (15 digits) when known
    is_secret: bool  # 是否保密 sfbm
    called_at: datetime  # 来电时间 ldsj
    state: CityState
    operator_id: str = ""  # 坐席工号 zxgh: the operator (登记人) who registered it ("" when unknown)
    accused: str = ""  # 被反映人/单位 bfyr (reflectName): whom a 举报/投诉 is about, as the caller named them
    accepted_at: datetime | None = None  # 受理时间 slsj
    dispatched_at: datetime | None = None  # 派单时间 pdsj
    time_limit: int = 0  # 办理时限 blsx
    time_unit: str = ""  # 时限单位 sxdw: 工作日/小时
    deadline: datetime | None = None  # 办理截止时间 jzsj
    units: tuple[UnitAssignment, ...] = ()
    return_count: int = 0  # 退单次数 thcs
    extension_count: int = 0  # 延期次数 yqcs
    rehandle_count: int = 0  # 重办次数 cbcs
    direct_answer: bool = False  # 直接答复 zjdf
    replied_at: datetime | None = None  # 答复时间 dfsj (consolidated or direct)
    reply: str = ""  # 答复内容 dfnr
    audit_opinion: str = ""  # 审核意见 shyj
    callback_count: int = 0  # 回访次数 hfcs
    callback_at: datetime | None = None  # 回访时间 hfsj
    callback_satisfied: bool | None = None  # 是否满意 sfmy
    callback_opinion: str = ""  # 回访意见 hfyj
    closed_at: datetime | None = None  # 办结时间 bjsj
    closure: str = ""  # 办结类型 bjlx (三级办结), "" before closing or when not given
    links: tuple[Link, ...] = ()  # 关联记录 gljl
    events: tuple[Event, ...] = ()

    @property
    def lead(self) -> UnitAssignment | None:
        return next((u for u in self.units if u.role is Role.LEAD and u.active), None)

    @property
    def co_units(self) -> tuple[UnitAssignment, ...]:
        return tuple(u for u in self.units if u.role is Role.CO and u.active)

    def unit(self, code: str) -> UnitAssignment | None:
        return next((u for u in self.units if u.code == code and u.active), None)
