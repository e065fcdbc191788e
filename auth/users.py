"""The provider's users: roles, unit (承办单位), jurisdiction (admin and grid codes) and a scrypt password hash.

The store is a JSON file (``MINYI_AUTH_USERS_FILE``) or, without a file, memory seeded with the demo users; when the
provider has Redis the users live there instead (auth/user_store.py, same interface). ``minyi users`` edits
whichever is configured. Demo users exist for every person role of DOMAIN.md §8, with unit codes from the hotline
stand-in's directory (legacy/hotline/units.py: district code + ``01``–``08`` department or ``1n`` street office)
and admin/grid codes of the synthetic city's places (legacy/world.py, seed 1): the grid worker's cell and the
units actually carry work orders in the seeded stand-ins. The demo citizen is a real person of that city
(杜玲, who filed in the hotline, petition, board and grid systems): their ``person_key`` is the one the subgraphs
compute from her phone with the demo ``person_key_secret`` (a test recomputes it), so her token shows her own
appeals.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from auth.principal import Principal, Role

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PERSON_KEYS",
    "DEMO_SCOPES",
    "DEMO_USERS",
    "User",
    "UserStore",
    "demo_logins",
    "demo_users",
    "hash_password",
    "verify_password",
]

DEMO_PASSWORD = "minyi-demo-2026"  # printed by `minyi demo`; never valid outside a demo store

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64url), hashlib.scrypt with N=2^14, r=8, p=1."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def burn_password_check(password: str) -> None:
    """Spend the time of one password check, so an unknown user answers as slowly as a wrong password."""
    verify_password(password, f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}$c2FsdHNhbHRzYWx0c2FsdA$AAAA")


@dataclass(frozen=True, slots=True)
class User:
    username: str
    name: str
    roles: tuple[Role, ...]
    password_hash: str = ""
    unit: str | None = None
    admin_codes: tuple[str, ...] = ()
    grid_codes: tuple[str, ...] = ()
    disabled: bool = False
    person_key: str | None = None  # citizens: the person key of their phone (auth.principal); None for staff

    def principal(self, *, scopes: Iterable[str] = (), client_id: str | None = None) -> Principal:
        return Principal(
            subject=self.username,
            roles=frozenset(self.roles),
            scopes=frozenset(scopes),
            unit=self.unit,
            admin_codes=self.admin_codes,
            grid_codes=self.grid_codes,
            name=self.name,
            client_id=client_id,
            person_key=self.person_key,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "name": self.name,
            "roles": [r.value for r in self.roles],
            "password_hash": self.password_hash,
            "unit": self.unit,
            "admin_codes": list(self.admin_codes),
            "grid_codes": list(self.grid_codes),
            "disabled": self.disabled,
            "person_key": self.person_key,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> User:
        return cls(
            username=str(data["username"]),
            name=str(data.get("name") or data["username"]),
            roles=tuple(Role(r) for r in data.get("roles", ())),
            password_hash=str(data.get("password_hash") or ""),
            unit=data.get("unit") or None,
            admin_codes=tuple(data.get("admin_codes", ())),
            grid_codes=tuple(data.get("grid_codes", ())),
            disabled=bool(data.get("disabled", False)),
            person_key=data.get("person_key") or None,
        )


CITY = "430100"  # 长沙市
# (username, display name, role, unit, admin codes, grid codes) — see the module docstring for where codes come from.
DEMO_USERS: tuple[tuple[str, str, Role, str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    ("citizen", "杜玲", Role.CITIZEN, None, (), ()),
    ("operator", "李坐席", Role.OPERATOR, None, (CITY,), ()),
    ("dispatcher", "王派单", Role.DISPATCHER, None, (CITY,), ()),
    ("handler", "赵承办", Role.UNIT_HANDLER, "43010503", ("430105",), ()),  # 开福区生态环境分局
    ("cohandler", "何会办", Role.UNIT_HANDLER, "43010502", ("430105",), ()),  # 开福区城市管理和综合执法局
    (
        "gridworker",
        "陈网格",
        Role.GRID_WORKER,
        "43012112",
        ("430121002008",),
        ("430121002008009",),
    ),  # 湘龙街道 荷花社区
    ("street", "刘调度", Role.STREET_DISPATCHER, "43012112", ("430121002",), ()),  # 长沙县湘龙街道办事处
    ("supervisor", "周督办", Role.SUPERVISOR, None, ("430121",), ()),  # 长沙县
    ("petition", "吴信访", Role.PETITION_OFFICER, None, (CITY,), ()),
    ("leader", "郑领导", Role.LEADER, None, ("430121",), ()),
    ("analyst", "孙分析", Role.ANALYST, None, (CITY,), ()),
    ("admin", "钱管理", Role.ADMIN, None, (), ()),
)


# username -> what the user may see, as the demo prints it and the README's table of demo users says it (a test
# keeps the README equal to this, and every code named here equal to the user's unit, admin or grid codes).
DEMO_SCOPES: dict[str, str] = {
    "citizen": "her own appeals: a person of the seeded city (phone 19939150008) with filings in four systems",
    "operator": "430100 (city)",
    "dispatcher": "430100 (city)",
    "handler": "unit 43010503 (开福区生态环境分局)",
    "cohandler": "unit 43010502 (开福区城市管理和综合执法局)",
    "gridworker": "grid 430121002008009",
    "street": "430121002 (湘龙街道)",
    "supervisor": "430121 (长沙县)",
    "petition": "430100 (city)",
    "leader": "430121",
    "analyst": "430100",
    "admin": "–",
}


def demo_logins() -> list[tuple[str, str, Role, str]]:
    """(username, name, role, what they see) of every demo user, in the order of :data:`DEMO_USERS`."""
    return [(username, name, role, DEMO_SCOPES[username]) for username, name, role, *_ in DEMO_USERS]


# username -> person key: person 2 of legacy.world.build_world(1) (杜玲, phone 19939150008) under the demo
# person_key_secret "minyi-dev-person-key-secret" (subgraphs.settings); tests/auth recomputes it from the world.
DEMO_PERSON_KEYS: dict[str, str] = {"citizen": "179e5a6cb87587250d3d8cfeba137c7a"}


def demo_users(password: str = DEMO_PASSWORD) -> list[User]:
    """One demo user per person role, all with ``password`` (hashed once, shared salt-free cost)."""
    hashed = hash_password(password)
    return [
        User(username, name, (role,), hashed, unit, admin, grid, person_key=DEMO_PERSON_KEYS.get(username))
        for username, name, role, unit, admin, grid in DEMO_USERS
    ]


class UserStore:
    """Users by username, kept in a JSON file (written atomically) or in memory when ``path`` is None."""

    def __init__(self, path: Path | None = None, users: Iterable[User] = ()) -> None:
        self.path = path
        self._users: dict[str, User] = {u.username: u for u in users}
        if path is not None and path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self._users = {u["username"]: User.from_json(u) for u in data.get("users", [])}

    @classmethod
    def demo(cls, path: Path | None = None) -> UserStore:
        """The store at ``path`` (seeded with the demo users when new), or memory seeded with them."""
        if path is not None and path.exists():
            return cls(path)
        store = cls(path, demo_users())
        store.save()
        return store

    def get(self, username: str) -> User | None:
        return self._users.get(username.strip().lower())

    def list(self) -> list[User]:
        return sorted(self._users.values(), key=lambda u: u.username)

    def put(self, user: User) -> None:
        self._users[user.username.lower()] = replace(user, username=user.username.lower())
        self.save()

    def remove(self, username: str) -> bool:
        found = self._users.pop(username.strip().lower(), None) is not None
        self.save()
        return found

    # the async interface the provider and ``minyi users`` use (auth.user_store.Users), shared with Redis
    async def get_user(self, username: str) -> User | None:
        return self.get(username)

    async def list_users(self) -> builtins.list[User]:
        return self.list()

    async def put_user(self, user: User) -> None:
        self.put(user)

    async def remove_user(self, username: str) -> bool:
        return self.remove(username)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps({"users": [u.to_json() for u in self.list()]}, ensure_ascii=False, indent=2))
        os.replace(tmp, self.path)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
