"""The audit log (Redis area ``minyi:audit``): who looked at which citizen's contact, when, and why (DOMAIN.md §8).

Append-only: one Redis Stream, ``minyi:audit:log``, written with ``XADD`` only — nothing here trims, edits or
deletes an entry. Each entry holds ``who`` (the principal's subject), ``role`` (its roles, space-separated),
``when`` (ISO 8601, UTC), ``appeal`` (the appeal id), ``reason`` (as the user gave it) and ``action``
(``reveal_contact`` when granted, ``reveal_contact_denied`` when refused). Reading is for administrators
(:func:`read_audit` checks the role). A process without Redis uses :class:`MemoryAuditLog`, same interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from auth.errors import Forbidden
from auth.principal import Principal, Role

__all__ = [
    "AUDIT_STREAM",
    "AuditEntry",
    "AuditLog",
    "AuditUnavailable",
    "MemoryAuditLog",
    "RedisAuditLog",
    "audit_entry",
    "read_audit",
]

AUDIT_STREAM = "minyi:audit:log"
REVEAL = "reveal_contact"
REVEAL_DENIED = "reveal_contact_denied"


class AuditUnavailable(Exception):
    """The audit log cannot be written; an audited action must then not happen."""

    code = "AUDIT_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    who: str
    role: str
    when: str
    appeal: str
    reason: str
    action: str
    id: str = ""  # the stream entry id once stored

    def fields(self) -> dict[str, str]:
        return {
            "who": self.who,
            "role": self.role,
            "when": self.when,
            "appeal": self.appeal,
            "reason": self.reason,
            "action": self.action,
        }


def audit_entry(principal: Principal, appeal: str, reason: str, action: str, now: datetime | None = None) -> AuditEntry:
    return AuditEntry(
        who=principal.subject or "anonymous",
        role=" ".join(sorted(r.value for r in principal.roles)),
        when=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        appeal=appeal,
        reason=reason,
        action=action,
    )


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> str: ...

    async def entries(self, count: int = 100) -> list[AuditEntry]: ...


class RedisAuditLog:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def append(self, entry: AuditEntry) -> str:
        try:
            entry_id = await self._redis.xadd(AUDIT_STREAM, entry.fields())  # type: ignore[arg-type]
        except RedisError as exc:
            raise AuditUnavailable(f"audit log unavailable: {type(exc).__name__}") from exc
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    async def entries(self, count: int = 100) -> list[AuditEntry]:
        """The newest ``count`` entries, oldest first."""
        try:
            rows = await self._redis.xrevrange(AUDIT_STREAM, count=count)
        except RedisError as exc:
            raise AuditUnavailable(f"audit log unavailable: {type(exc).__name__}") from exc
        out = []
        for entry_id, raw in reversed(list(rows or [])):
            f = {_text(k): _text(v) for k, v in (raw or {}).items()}
            out.append(
                AuditEntry(
                    who=f.get("who", ""),
                    role=f.get("role", ""),
                    when=f.get("when", ""),
                    appeal=f.get("appeal", ""),
                    reason=f.get("reason", ""),
                    action=f.get("action", ""),
                    id=_text(entry_id),
                )
            )
        return out


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


class MemoryAuditLog:
    """In-process, for a demo without Redis: the same append-only list, lost when the process ends."""

    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> str:
        entry_id = f"{len(self._entries) + 1}-0"
        self._entries.append(AuditEntry(**{**entry.fields(), "id": entry_id}))
        return entry_id

    async def entries(self, count: int = 100) -> list[AuditEntry]:
        return list(self._entries[-count:]) if count > 0 else []


async def read_audit(log: AuditLog, principal: Principal, count: int = 100) -> Sequence[AuditEntry]:
    """The newest entries, for administrators only (§8 系统管理员: configuration and oversight)."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("reading the audit log needs the admin role")
    return await log.entries(count)
