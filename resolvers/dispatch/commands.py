"""What a client asks to write: one :class:`Command` per mutation, in the domain's words.

A command names its :class:`Action`, the appeal it acts on (``"<system>:<local id>"``; none for a registration)
and its parameters as plain JSON values. :func:`input_hash` is the fingerprint the idempotency store compares: the
same key with the same input is a replay, the same key with another input a conflict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson

__all__ = ["Action", "AppealRef", "Command", "input_hash", "parse_appeal_id"]


class Action(StrEnum):
    REGISTER = "registerAppeal"  # 登记
    DISPATCH = "dispatchAppeal"  # 派单: lead unit (主办) and co-units (会办)
    SIGN = "signAppeal"  # 签收
    RETURN = "returnAppeal"  # 退单, with a reason
    DECIDE_RETURN = "decideAppealReturn"  # 退单审核 (centre)
    REQUEST_EXTENSION = "requestAppealExtension"  # 延期申请
    APPROVE_EXTENSION = "approveAppealExtension"  # 延期审批 (centre)
    REPLY = "replyAppeal"  # 答复: co-units to the lead, the lead's consolidated reply is the answer
    REVIEW_REPLY = "reviewAppealReply"  # 中心审核 of the consolidated reply
    CALLBACK = "recordAppealCallback"  # 回访
    CLOSE = "closeAppeal"  # 办结 with a closure level (三级办结)
    SUPERVISE = "superviseAppeal"  # 督办
    URGE = "urgeAppeal"  # 催办
    LINK_DUPLICATES = "linkDuplicateAppeals"  # 重复件 / 重合件 links, never a delete
    ROUTE_TO_GRID = "routeAppealToGrid"  # 网格直办: a grid event for a hotline order, linked both ways
    ROUTE_GRID_TIER = "routeGridEventTier"  # 网格直办 → 镇街主办 → 部门联办
    RATE = "rateAppeal"  # 评价: the citizen rates the answer to their own appeal


@dataclass(frozen=True, slots=True)
class AppealRef:
    system: str  # hotline | grid | petition | board | suggestion
    local_id: str

    @property
    def id(self) -> str:
        return f"{self.system}:{self.local_id}"


def parse_appeal_id(value: str) -> AppealRef | None:
    system, sep, local = value.partition(":")
    return AppealRef(system, local) if sep and system and local else None


@dataclass(frozen=True, slots=True)
class Command:
    action: Action
    appeal: str | None  # the appeal acted on; None for a registration
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "appeal": self.appeal, "params": dict(self.params)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Command:
        return cls(Action(raw["action"]), raw.get("appeal"), dict(raw.get("params") or {}))


def input_hash(command: Command) -> str:
    """SHA-256 of the command in canonical JSON (sorted keys): equal inputs, equal hashes."""
    return hashlib.sha256(orjson.dumps(command.to_json(), option=orjson.OPT_SORT_KEYS)).hexdigest()
