"""Who an accusation is about: resolving the accused party (被举报人/单位) of a 检举控告 item to a unit.

信访工作条例 Art 30 ¶3 (and Art 46(5)): 检举、揭发 materials must never reach the accused person or unit. The
legacy systems name the accused in their own ways — a unit code where they have a unit reference, most often a
free-text name (``"开福区城市管理和综合执法局"``, ``"某街道办工作人员"``). The access rules need a unit: matching
must not hang on one exact string, so names are normalised (full-width forms, spaces and punctuation, the
province/city prefix, the person words after a unit's name) before they are compared with the units the item is
assigned to.

The outcome (:class:`Accused`) is either resolved to a unit code, or unresolved — the accused is named but matches
no known unit. The access rules fail closed on an unresolved accused: the item is hidden from every handling unit
except the lead unit the petition office named (:mod:`resolvers.access`). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from resolvers.domain import AppealType, Confidentiality, UnitRef

__all__ = ["Accused", "accused_of_report", "normalise_unit_name", "protection", "resolve_accused"]

_NOISE = re.compile(r"[\s·•,，.。:：;；()（）\[\]【】<>《》\-—_/、\"'“”‘’]")
_PREFIX = re.compile(r"^(?:湖南省)?(?:长沙市)?")
_PERSON = re.compile(
    r"(?:的)?(?:工作人员|负责人|主要负责人|领导|干部|职工|人员|主任|副主任|书记|副书记|队员|队长|局长|副局长|"
    r"科长|所长|站长|经理|老板|网格员|执法人员)+$"
)
_MIN_CONTAINED = 4  # a unit name shorter than this is not trusted inside a longer text


def normalise_unit_name(name: str) -> str:
    """A unit's name in one canonical spelling: NFKC (full-width letters and digits folded), no spaces or
    punctuation, no leading 湖南省/长沙市, no trailing person words (工作人员, 负责人, 主任 …)."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", name))
    text = _PREFIX.sub("", text)
    return _PERSON.sub("", text)


@dataclass(frozen=True, slots=True)
class Accused:
    """The accused party of one item: ``unit_code`` when resolved, ``None`` when named but unresolved."""

    raw: str
    unit_code: str | None

    @property
    def resolved(self) -> bool:
        return self.unit_code is not None


def resolve_accused(raw: str, units: Iterable[UnitRef], *, unit_code: str = "") -> Accused | None:
    """The accused of an item, matched against ``units`` (the units the item is assigned to, or any directory of
    units); ``unit_code`` is the legacy system's own unit reference when it has one, and wins. ``None`` when no
    accused is named at all."""
    text = raw.strip()
    if unit_code.strip():
        return Accused(text, unit_code.strip())
    if not text:
        return None
    known = list(units)
    folded = unicodedata.normalize("NFKC", text)
    for unit in known:
        if folded == unit.code:
            return Accused(text, unit.code)
    name = normalise_unit_name(text)
    for unit in known:
        candidate = normalise_unit_name(unit.name)
        if candidate and (candidate == name or (len(candidate) >= _MIN_CONTAINED and candidate in name)):
            return Accused(text, unit.code)
    return Accused(text, None)


def accused_of_report(appeal_type: AppealType, raw: str, units: Iterable[UnitRef]) -> Accused | None:
    """The accused of a hotline work order: only a 举报 (REPORT) names one (被反映人/单位, DOMAIN.md §2.1)."""
    return resolve_accused(raw, units) if appeal_type is AppealType.REPORT else None


def protection(accused: Accused | None, *, is_secret: bool = False) -> Confidentiality:
    """ACCUSATION when an accused party is named (Art 30 ¶3 applies), else SECRET for 保密 items, else NORMAL."""
    if accused is not None:
        return Confidentiality.ACCUSATION
    return Confidentiality.SECRET if is_secret else Confidentiality.NORMAL
