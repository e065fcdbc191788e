"""Login brute-force limits in Redis area ``minyi:rl`` (only here): login attempts counted per account and per
client IP in fixed windows. An attempt is reserved — both counters incremented atomically (``INCR``) — *before*
the password is checked; an attempt that takes the account past ``max_per_account`` (or the IP past
``max_per_ip``) inside the window is refused with :class:`~auth.errors.RateLimited` and its reservation given back,
without checking the password. A failed attempt keeps its reservation; a successful one clears the account's
counter and gives back its IP reservation. So at most ``max_per_account`` passwords are ever verified for one
account in one window, however many guesses arrive at once, and the 6th attempt at one account in 15 minutes is
refused whatever the password."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from auth.errors import RateLimited
from auth.store import KeyValue

__all__ = ["LoginAttempt", "LoginLimiter"]

PREFIX = "minyi:rl:login"


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A reserved attempt: the counters it holds a place in."""

    account: str
    ip: str


class LoginLimiter:
    def __init__(self, kv: KeyValue, *, window_s: int = 900, max_per_account: int = 5, max_per_ip: int = 20) -> None:
        self._kv = kv
        self._window = window_s
        self._max_account = max_per_account
        self._max_ip = max_per_ip

    def _keys(self, username: str, ip: str) -> LoginAttempt:
        account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return LoginAttempt(f"{PREFIX}:acct:{account}", f"{PREFIX}:ip:{ip}")

    async def _take(self, key: str) -> int:
        # The key is created with its expiry (SET NX EX) before INCR, so a counter never outlives its window.
        await self._kv.set(key, "0", ex=self._window, nx=True)
        taken = int(await self._kv.incr(key))
        await self._kv.expire(key, self._window, nx=True)
        return taken

    async def reserve(self, username: str, ip: str) -> LoginAttempt:
        """Take one attempt for the account and the IP, or raise RateLimited (the reservation given back) when
        either has used up its attempts in the current window."""
        attempt = self._keys(username, ip)
        # The account first: guesses at a locked account never touch the IP's budget.
        if await self._take(attempt.account) > self._max_account:
            await self._kv.incr(attempt.account, -1)
            raise RateLimited("too many failed logins for this account; try again later")
        if await self._take(attempt.ip) > self._max_ip:
            await self._kv.incr(attempt.account, -1)
            await self._kv.incr(attempt.ip, -1)
            raise RateLimited("too many failed logins from this address; try again later")
        return attempt

    async def succeeded(self, attempt: LoginAttempt) -> None:
        """A successful login clears the account's counter and gives back its IP reservation (not the IP's other
        failures: one good account must not reset an attacker's budget against the others)."""
        await self._kv.delete(attempt.account)
        await self._kv.incr(attempt.ip, -1)
