"""Login brute-force limits in Redis area ``minyi:rl`` (only here): failed logins counted per account and per
client IP in fixed windows. Once an account has ``max_per_account`` failures (or an IP ``max_per_ip``) inside the
window, further attempts are refused with :class:`~auth.errors.RateLimited` before the password is even checked —
so the 6th attempt at one account in 15 minutes is refused whatever the password."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from auth.errors import RateLimited
from auth.store import KeyValue

__all__ = ["LoginLimiter"]

PREFIX = "minyi:rl:login"


@dataclass(frozen=True, slots=True)
class _Keys:
    account: str
    ip: str


class LoginLimiter:
    def __init__(self, kv: KeyValue, *, window_s: int = 900, max_per_account: int = 5, max_per_ip: int = 20) -> None:
        self._kv = kv
        self._window = window_s
        self._max_account = max_per_account
        self._max_ip = max_per_ip

    def _keys(self, username: str, ip: str) -> _Keys:
        account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return _Keys(f"{PREFIX}:acct:{account}", f"{PREFIX}:ip:{ip}")

    async def check(self, username: str, ip: str) -> None:
        """Raise RateLimited when the account or the IP has used up its failures in the current window."""
        keys = self._keys(username, ip)
        account = int(await self._kv.get(keys.account) or 0)
        by_ip = int(await self._kv.get(keys.ip) or 0)
        if account >= self._max_account:
            raise RateLimited("too many failed logins for this account; try again later")
        if by_ip >= self._max_ip:
            raise RateLimited("too many failed logins from this address; try again later")

    async def failed(self, username: str, ip: str) -> None:
        keys = self._keys(username, ip)
        for key in (keys.account, keys.ip):
            await self._kv.incr(key)
            await self._kv.expire(key, self._window, nx=True)

    async def succeeded(self, username: str, ip: str) -> None:
        """A successful login clears the account's counter (not the IP's: one good account must not reset an
        attacker's budget against the others)."""
        await self._kv.delete(self._keys(username, ip).account)
