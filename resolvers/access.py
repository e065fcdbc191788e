"""Who may see what of an appeal: the rules of DOMAIN.md §8 in one table, pure (no I/O).

Given a :class:`~auth.principal.Principal` and the facts of one appeal (:class:`AppealFacts`) :func:`decide` answers
an :class:`Access`: is the appeal visible at all (:class:`Scope`), how much of its content (:class:`ContentView`),
how its petitioner's PII is shown (:class:`PiiView`), and whether the principal may reveal the contact
("查看联系方式", an audited action). A principal with several roles gets, per aspect, the most its roles allow.

Relations the rules use:

- a citizen's own appeals: the principal's ``person_key`` claim (HMAC of the normalized phone or ID number, the
  same key as ``PersonRef.personKey``; see :mod:`auth.principal`) equals the appeal's petitioner key;
- assigned: the principal's unit is the lead (主办) or a co-unit (会办) of the appeal;
- the accused: the principal's unit is the accused unit (被举报单位) of a 检举控告 item (a petition, or a hotline
  举报 naming whom it is about) — that unit never sees the appeal, whatever else it is (信访工作条例 Art 30 ¶3,
  Art 46(5)); the accused is resolved to a unit by reference or normalised name (:mod:`resolvers.accused`), and
  when it cannot be resolved the rules fail closed: of the handling units only the lead unit the item was routed
  to (the one the petition office named) sees it;
- jurisdiction: one of the principal's admin or grid codes covers the appeal's admin code (12 digits) or grid
  code (15 digits) by level (:mod:`resolvers.jurisdiction`: GB/T 2260 province 2, city 4, county 6, township 9,
  village 12 digits, grid cell 15; ``430100`` is the whole city and covers every district, street, community and
  cell in it, ``430102`` its district only); an appeal with no code yet is in the city queue: a city- or
  province-level code covers it, and so does being assigned to it;
- created: the principal registered the appeal (the legacy system's operator / 登记人 field);
- on the call: an operator is on a call with a person while an item the operator registered for that person is
  still being registered (SUBMITTED); during it the caller's other items (their history) are open to the operator
  (DOMAIN.md §8 "plus caller history during the call"); the subgraph that knows the call passes the caller's person
  key to :func:`decide` as ``on_call_with``.

The anonymous principal (no login) reads what is public and nothing else: message-board posts (领导留言板, published
by the board itself) with their content, but never their poster's PII; everything else needs a login (a citizen's
own appeals need the citizen's login).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from auth.principal import Principal, Role
from resolvers.domain import Confidentiality, SourceSystem, UnifiedStatus
from resolvers.jurisdiction import Level, covers, level_of

__all__ = [
    "Access",
    "AppealFacts",
    "ContentView",
    "PiiView",
    "Scope",
    "decide",
    "is_citizen_view",
    "on_call_caller",
    "person_key_of",
]

PERSON_KEY_CLAIM = "person_key"


class Scope(IntEnum):
    """How much of the appeal's existence the principal may know."""

    HIDDEN = 0  # not in lists, null by id: as if it did not exist
    EXISTENCE = 1  # existence, status and unit only (hotline roles on 信访 items)
    FULL = 2


class ContentView(IntEnum):
    NONE = 0
    REDACTED = 1  # PII patterns (phone, ID numbers) removed from the text (analysts' de-identified data)
    FULL = 2


class PiiView(IntEnum):
    """How the petitioner is shown: not at all, only by the pseudonymous person key, masked, or in full."""

    NONE = 0
    KEY_ONLY = 1
    MASKED = 2  # name → 王先生, phone → 138****5678, ID → 430102********1234
    FULL = 3


@dataclass(frozen=True, slots=True)
class AppealFacts:
    """What the rules need to know about one appeal; built by each subgraph from its legacy record."""

    system: SourceSystem
    confidentiality: Confidentiality = Confidentiality.NORMAL
    status: UnifiedStatus = UnifiedStatus.HANDLING
    lead_unit: str | None = None  # 主办单位 code
    co_units: tuple[str, ...] = ()  # 会办单位 codes
    accused_unit: str | None = None  # 被举报单位 code of a 检举控告 item, resolved; server-side only
    accused_unresolved: bool = False  # an accused is named but matches no unit: fail closed
    admin_code: str | None = None  # 12-digit 行政区划 of the location
    grid_code: str | None = None  # 15-digit 单元网格
    person_key: str | None = None  # the petitioner's person key
    creator: str | None = None  # the operator / 登记人 who registered it


@dataclass(frozen=True, slots=True)
class Access:
    scope: Scope
    content: ContentView
    pii: PiiView
    may_reveal: bool

    @property
    def visible(self) -> bool:
        return self.scope is not Scope.HIDDEN


NOTHING = Access(Scope.HIDDEN, ContentView.NONE, PiiView.NONE, False)
_STATUS_ONLY = Access(Scope.EXISTENCE, ContentView.NONE, PiiView.NONE, False)


def person_key_of(principal: Principal) -> str | None:
    """A citizen principal's own person key: the ``person_key`` claim the identity provider adds."""
    key = principal.claims.get(PERSON_KEY_CLAIM)
    return key if isinstance(key, str) and key else None


def _identity(facts: AppealFacts, otherwise: PiiView, on_confidential: PiiView = PiiView.KEY_ONLY) -> PiiView:
    """The petitioner view for a role whose §8 "检举控告 identity" column says never/hidden: on SECRET or
    ACCUSATION items only the pseudonymous key is left (it links the item to the person's history without naming
    anyone)."""
    return on_confidential if facts.confidentiality is not Confidentiality.NORMAL else otherwise


def _assigned(p: Principal, f: AppealFacts) -> bool:
    return p.unit is not None and (p.unit == f.lead_unit or p.unit in f.co_units)


def _city_level(code: str) -> bool:
    """A city (or province) code: ``4301``, ``430100``, ``43``, ``430000`` — not a district (``430102``) or below."""
    try:
        level = level_of(code)
    except ValueError:
        return False
    return level is not None and level <= Level.CITY


def _in_jurisdiction(p: Principal, f: AppealFacts) -> bool:
    places = [code for code in (f.admin_code, f.grid_code) if code]
    if not places:
        # Not located yet (many letters carry only a place name): the city queue, so a city-level jurisdiction
        # covers it; a district's roles see it once it is assigned to their unit.
        return any(_city_level(code) for code in p.admin_codes) or _assigned(p, f)
    return any(covers(area, place) for area in (*p.admin_codes, *p.grid_codes) for place in places)


def is_citizen_view(principal: Principal) -> bool:
    """Whether the principal looks at appeals only as a citizen (no staff role): what a citizen may not see yet —
    a reply still under the centre's audit (DOMAIN.md §6 node 8), warnings — is withheld from this view."""
    return principal.has_role(Role.CITIZEN) and not any(r is not Role.CITIZEN for r in principal.roles)


def _is_accused(p: Principal, f: AppealFacts) -> bool:
    return f.confidentiality is Confidentiality.ACCUSATION and p.unit is not None and p.unit == f.accused_unit


# --- The §8 table, one function per row --------------------------------------------------------------------------
# Each answers for a principal holding that role; `decide` combines the rows of all the principal's roles.


def _citizen(p: Principal, f: AppealFacts) -> Access:
    # §8 市民: own appeals only; own content, own PII, own accusation identity. Revealing is moot (they see it all).
    own = person_key_of(p)
    if own is None or own != f.person_key:
        return NOTHING
    return Access(Scope.FULL, ContentView.FULL, PiiView.FULL, False)


def _operator(p: Principal, f: AppealFacts) -> Access:
    # §8 坐席/话务员: items they created; full content; PII full for the current call (the item is still being
    # registered: SUBMITTED), masked after; 检举控告 identity hidden after submit.
    # §8 "Hotline roles looking at 信访 items": existence, status and unit only.
    if f.system is SourceSystem.PETITION:
        return _STATUS_ONLY
    if f.creator is None or f.creator != p.subject:
        return NOTHING
    on_call = f.status is UnifiedStatus.SUBMITTED
    return Access(Scope.FULL, ContentView.FULL, PiiView.FULL if on_call else _identity(f, PiiView.MASKED), False)


def _dispatcher(p: Principal, f: AppealFacts) -> Access:
    # §8 派单员/复核员: the city queue (every non-信访 channel); full content; PII masked, reveal with log;
    # 检举控告 identity hidden. On 信访 items: existence, status and unit only.
    if f.system is SourceSystem.PETITION:
        return _STATUS_ONLY
    pii = _identity(f, PiiView.MASKED)
    return Access(Scope.FULL, ContentView.FULL, pii, pii is PiiView.MASKED)


def _unit_handler(p: Principal, f: AppealFacts) -> Access:
    # §8 承办单位联络员/办理人: assigned (LEAD/CO) only; full content; PII masked, reveal with log; identity never on
    # ACCUSATION or SECRET (no reveal either). Never the accused unit (Art 30 ¶3), even when the item was routed to it;
    # an accused nobody could resolve to a unit might be any of them: then only the lead unit (fail closed).
    if _is_accused(p, f) or not _assigned(p, f):
        return NOTHING
    if f.confidentiality is Confidentiality.ACCUSATION and f.accused_unresolved and p.unit != f.lead_unit:
        return NOTHING
    pii = _identity(f, PiiView.MASKED)
    return Access(Scope.FULL, ContentView.FULL, pii, pii is PiiView.MASKED)


def _grid_worker(p: Principal, f: AppealFacts) -> Access:
    # §8 网格员: own grid cells; full content; PII masked, reveal with log; identity never.
    if not f.grid_code or not any(covers(cell, f.grid_code) for cell in p.grid_codes):
        return NOTHING
    pii = _identity(f, PiiView.MASKED)
    return Access(Scope.FULL, ContentView.FULL, pii, pii is PiiView.MASKED)


def _street_dispatcher(p: Principal, f: AppealFacts) -> Access:
    # §8 镇街调度: own street or town; full content; PII masked (no reveal); identity never.
    if not _in_jurisdiction(p, f):
        return NOTHING
    return Access(Scope.FULL, ContentView.FULL, _identity(f, PiiView.MASKED), False)


def _supervisor(p: Principal, f: AppealFacts) -> Access:
    # §8 督办员: own jurisdiction; full content; PII masked, reveal with log; 检举控告 identity only with approval,
    # which this system has no workflow for yet, so: key only and no reveal on SECRET/ACCUSATION items.
    if not _in_jurisdiction(p, f):
        return NOTHING
    pii = _identity(f, PiiView.MASKED)
    return Access(Scope.FULL, ContentView.FULL, pii, pii is PiiView.MASKED)


def _petition_officer(p: Principal, f: AppealFacts) -> Access:
    # §8 信访工作人员: 信访 items of their organ (its jurisdiction; an officer without codes serves the whole city);
    # full content; full PII (statutory); 检举控告 identity per Art 30 (they hold it; it never goes to the accused).
    # Revealing is allowed and logged. 重合件 links to hotline items are the appeals subgraph's business.
    if f.system is not SourceSystem.PETITION:
        return NOTHING
    if (p.admin_codes or p.grid_codes) and not _in_jurisdiction(p, f):
        return NOTHING
    return Access(Scope.FULL, ContentView.FULL, PiiView.FULL, True)


def _leader(p: Principal, f: AppealFacts) -> Access:
    # §8 领导: drill down in own jurisdiction; full content; PII masked; 检举控告 identity never by default.
    if not _in_jurisdiction(p, f):
        return NOTHING
    return Access(Scope.FULL, ContentView.FULL, _identity(f, PiiView.MASKED), False)


def _analyst(p: Principal, f: AppealFacts) -> Access:
    # §8 分析员: de-identified data sets: every item, content redacted, the pseudonymous key only, identity none.
    return Access(Scope.FULL, ContentView.REDACTED, _identity(f, PiiView.KEY_ONLY, PiiView.NONE), False)


def _nothing(p: Principal, f: AppealFacts) -> Access:
    # §8 系统管理员: configuration; no appeal data by default (break-glass with dual approval is not built).
    # A service client (client credentials, no person) is not in §8: it gets nothing until a rule names it.
    return NOTHING


_RULES = {
    Role.CITIZEN: _citizen,
    Role.OPERATOR: _operator,
    Role.DISPATCHER: _dispatcher,
    Role.UNIT_HANDLER: _unit_handler,
    Role.GRID_WORKER: _grid_worker,
    Role.STREET_DISPATCHER: _street_dispatcher,
    Role.SUPERVISOR: _supervisor,
    Role.PETITION_OFFICER: _petition_officer,
    Role.LEADER: _leader,
    Role.ANALYST: _analyst,
    Role.ADMIN: _nothing,
    Role.SERVICE: _nothing,
}

_PUBLIC_BOARD = Access(Scope.FULL, ContentView.FULL, PiiView.NONE, False)


def _public(f: AppealFacts) -> Access:
    # Public board posts: the board publishes title, content and reply; the poster's PII is never public.
    return _PUBLIC_BOARD if f.system is SourceSystem.MSGBOARD else NOTHING


def _combine(grants: Iterable[Access]) -> Access:
    best = NOTHING
    for g in grants:
        best = Access(
            max(best.scope, g.scope),
            max(best.content, g.content),
            max(best.pii, g.pii),
            best.may_reveal or g.may_reveal,
        )
    return best


def _caller_history(p: Principal, f: AppealFacts, on_call_with: str | None) -> Access:
    # §8 坐席: caller history during the call — the caller's items, content in full, PII masked (full only on the
    # item of the call itself, which _operator grants); 信访 items stay existence/status/unit only.
    if on_call_with is None or f.person_key != on_call_with or not p.has_role(Role.OPERATOR):
        return NOTHING
    if f.system is SourceSystem.PETITION:
        return _STATUS_ONLY
    return Access(Scope.FULL, ContentView.FULL, _identity(f, PiiView.MASKED), False)


def on_call_caller(principal: Principal, calls: Iterable[AppealFacts]) -> str | None:
    """The person an operator is on a call with, judged from ``calls`` (items of one person): an item the operator
    registered and is still registering (SUBMITTED). ``None`` when there is no such call."""
    if not principal.has_role(Role.OPERATOR):
        return None
    for f in calls:
        if f.creator == principal.subject and f.status is UnifiedStatus.SUBMITTED and f.person_key:
            return f.person_key
    return None


def decide(principal: Principal, facts: AppealFacts, *, on_call_with: str | None = None, public: bool = True) -> Access:
    """What ``principal`` may see of the appeal described by ``facts`` (DOMAIN.md §8); ``on_call_with`` is the
    person key of the caller of the principal's current call, when the asking subgraph knows one. With
    ``public=False`` what the board publishes to everyone counts for nothing: a person's history (which appeals are
    theirs) is not public even where each appeal is."""
    if _is_accused(principal, facts):
        return NOTHING  # Art 30 ¶3 trumps every other role the principal may hold
    grants = [
        _public(facts) if public else NOTHING,
        _caller_history(principal, facts, on_call_with),
        *(_RULES[role](principal, facts) for role in principal.roles),
    ]
    return _combine(grants)
