"""The unified appeal vocabulary shared by every system (DOMAIN.md §5) and the person key.

Each legacy system keeps its own statuses and codes; the adapters map them onto these enums in one place per
system, and the raw value always travels alongside as ``source_status``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

__all__ = [
    "AppealType",
    "Confidentiality",
    "PersonRef",
    "SourceSystem",
    "UnifiedStatus",
    "UnitRef",
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalize_id_number",
    "normalize_phone",
    "parse_legacy_datetime",
    "person_key",
]


class SourceSystem(Enum):
    HOTLINE = "HOTLINE"  # 12345 热线
    PETITION = "PETITION"  # 信访
    MSGBOARD = "MSGBOARD"  # 领导留言板
    GRID = "GRID"  # 网格
    NETINQUIRY = "NETINQUIRY"  # 网络问政
    MAILBOX = "MAILBOX"  # 领导信箱
    SUGGESTION = "SUGGESTION"  # 人民建议


class UnifiedStatus(Enum):
    """DOMAIN.md §5 UnifiedStatus."""

    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    DISPATCHED = "DISPATCHED"
    PENDING_SIGN = "PENDING_SIGN"
    HANDLING = "HANDLING"
    EXTENDED = "EXTENDED"
    RETURNED = "RETURNED"
    REPLIED = "REPLIED"
    AUDIT = "AUDIT"
    VISIT = "VISIT"
    REHANDLE = "REHANDLE"
    CLOSED = "CLOSED"
    NOT_ACCEPTED = "NOT_ACCEPTED"
    REDIRECTED = "REDIRECTED"
    REVIEW = "REVIEW"
    INVALID = "INVALID"


class AppealType(Enum):
    CONSULT = "CONSULT"  # 咨询
    HELP = "HELP"  # 求助
    COMPLAINT = "COMPLAINT"  # 投诉
    REPORT = "REPORT"  # 举报
    SUGGESTION = "SUGGESTION"  # 建议
    PRAISE = "PRAISE"  # 表扬
    PETITION_SUGGEST = "PETITION_SUGGEST"  # 建议意见类
    PETITION_ACCUSE = "PETITION_ACCUSE"  # 检举控告类
    PETITION_CLAIM = "PETITION_CLAIM"  # 申诉求决类


class Confidentiality(Enum):
    NORMAL = "NORMAL"
    SECRET = "SECRET"  # isSecret 保密
    ACCUSATION = "ACCUSATION"  # 信访条例 Art 30 ¶3 检举控告


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A handling unit (承办单位)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PersonRef:
    """The person behind an appeal: raw identifiers stay server-side; clients see the key and masks."""

    name: str
    phone: str
    id_number: str = ""

    def key(self, secret: bytes) -> str:
        return person_key(secret, phone=self.phone, id_number=self.id_number)


_NON_DIGITS = re.compile(r"\D")


def normalize_phone(raw: str) -> str:
    """11-digit mainland mobile or the digits of a landline; country code and separators dropped."""
    digits = _NON_DIGITS.sub("", raw)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def normalize_id_number(raw: str) -> str:
    return raw.strip().upper()


def person_key(secret: bytes, *, phone: str = "", id_number: str = "") -> str:
    """HMAC-SHA256 of the normalized phone (or, without one, the ID number), hex, 32 characters.

    The key identifies a person across systems without carrying the number itself (DOMAIN.md §8, §9).
    """
    ident = normalize_phone(phone) if phone else ""
    material = f"p:{ident}" if ident else f"i:{normalize_id_number(id_number)}"
    if material in ("p:", "i:"):
        raise ValueError("a person key needs a phone number or an ID number")
    return hmac.new(secret, material.encode(), hashlib.sha256).hexdigest()[:32]


def mask_name(name: str, sex: str | None = None) -> str:
    """Family name + 先生/女士 (or 某 when the sex is unknown)."""
    if not name:
        return ""
    suffix = {"男": "先生", "M": "先生", "女": "女士", "F": "女士"}.get(sex or "", "某")
    return name[0] + suffix


def mask_phone(phone: str) -> str:
    digits = normalize_phone(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_id_number(id_number: str) -> str:
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


# Address levels, most precise first: what masking lets through of an address (DOMAIN.md §8: "to the community or
# grid level"); a street, town or district when the address names no community.
_ADDRESS_LEVELS = (
    re.compile(r"^.*?社区"),
    re.compile(r"^.*?村"),
    re.compile(r"^.*?(?:街道|镇|乡)"),
    re.compile(r"^.*?(?:区|县)"),
)


def mask_address(address: str) -> str | None:
    """The address cut to the community (村/社区; failing that street, town or district): no spot, building or
    door. ``None`` when it names none of these levels (nothing can be shown safely)."""
    text = address.strip()
    for level in _ADDRESS_LEVELS:
        found = level.match(text)
        if found:
            return found.group(0)
    return None


def parse_legacy_datetime(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (the hotline's and petition system's string dates), naive local time."""
    if len(text) == 19 and text[4] == text[7] == "-" and text[10] == " " and text[13] == text[16] == ":":
        return datetime.fromisoformat(text)  # the same answer as strptime, several times faster
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
