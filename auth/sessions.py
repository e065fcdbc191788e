"""Login sessions, authorization codes and refresh-token families, in Redis area ``minyi:session`` (only here).

- ``minyi:session:login:{sid}`` — a browser's login session: its CSRF token and, once logged in, the user and
  ``auth_time``. The session id is replaced at login (no session fixation). Before the login it lives at most
  ``PRELOGIN_TTL_S`` (30 minutes), after it ``session_ttl_s``.
- ``minyi:session:code:{sha256(code)}`` — an authorization code, single use (GETDEL), ``code_ttl_s``.
- ``minyi:session:family:{fid}`` — a refresh-token family (one login of one client), absolute lifetime;
  ``minyi:session:refresh:{sha256(token)}`` → fid, idle lifetime; ``minyi:session:used:{sha256(token)}`` marks a
  token spent (SET NX, so two concurrent uses cannot both win). A spent token presented again revokes its family
  (RFC 9700 §4.14.2 refresh token rotation with reuse detection).
- ``minyi:session:fams:{sid}`` — the families a login session issued, revoked with it at logout.

One browser holds one login: a new login ends the session it replaces (the logged-in session of the cookie, or the
one a ``prompt=login`` page was shown over, kept as ``previous`` in the pre-login session) with its refresh-token
families, so a logout afterwards leaves nothing open.

Only hashes of codes and refresh tokens are stored.

Access tokens carry ``sid`` = :func:`public_sid` of their login session: the SHA-256 of the session cookie (never
the cookie itself), which is also how the session is named in Redis. :class:`SessionCheck` answers whether that
session is still open for the gateway's verifier: an open session is remembered in process for ``alive_ttl_s``
(5 s), an ended one for good, so the hot path costs a dict lookup and Redis is asked once per session and window.
Logout deletes the session in Redis and tells the checks of this process at once (:meth:`SessionStore.end_session`
calls its listeners); another replica refuses the session's tokens at the latest ``alive_ttl_s`` later.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from auth.store import KeyValue

__all__ = [
    "AuthorizationCode",
    "LoginSession",
    "RefreshFamily",
    "SessionCheck",
    "SessionStore",
    "new_token",
    "public_sid",
]

PREFIX = "minyi:session"
PRELOGIN_TTL_S = 1800  # a login form older than half an hour asks to be loaded again


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_sid(sid: str | None) -> str | None:
    """The session id a token carries: the hash naming the session in Redis, never the cookie value."""
    return _h(sid) if sid else None


@dataclass(frozen=True, slots=True)
class LoginSession:
    sid: str
    csrf: str
    username: str | None = None
    auth_time: int | None = None
    previous: str | None = None  # pre-login only: public sid of the logged-in session this login will replace


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    username: str
    sid: str
    auth_time: int
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshFamily:
    fid: str
    client_id: str
    username: str
    scope: str
    sid: str | None
    created_at: int
    auth_time: int | None = None
    revoked: bool = False


class SessionStore:
    def __init__(
        self, kv: KeyValue, *, session_ttl_s: int, code_ttl_s: int, refresh_idle_s: int, refresh_absolute_s: int
    ):
        self._kv = kv
        self._session_ttl = session_ttl_s
        self._code_ttl = code_ttl_s
        self._idle = refresh_idle_s
        self._absolute = refresh_absolute_s
        self.on_end: list[Callable[[str], None]] = []  # called with the public sid of every session ended here

    # --- login sessions -------------------------------------------------------------------------------------
    async def new_session(self, replacing: LoginSession | None = None) -> LoginSession:
        """A pre-login session; ``replacing`` is the logged-in session it was opened over (ended at the login)."""
        previous = public_sid(replacing.sid) if replacing is not None and replacing.username is not None else None
        session = LoginSession(sid=new_token(), csrf=new_token(), previous=previous)
        await self._put_session(session)
        return session

    async def get_session(self, sid: str | None) -> LoginSession | None:
        if not sid:
            return None
        raw = await self._kv.get(f"{PREFIX}:login:{_h(sid)}")
        return None if raw is None else LoginSession(**json.loads(raw))

    async def log_in(self, old: LoginSession, username: str, now: int | None = None) -> LoginSession:
        """A new session (new id and CSRF token) for ``username``. ``old`` is deleted; when it was logged in, or
        replaces a logged-in session (``previous``), that login is ended with its refresh-token families."""
        if old.username is not None:
            await self._end(_h(old.sid))
        else:
            await self._kv.delete(f"{PREFIX}:login:{_h(old.sid)}")
        if old.previous:
            await self._end(old.previous)
        session = LoginSession(new_token(), new_token(), username, int(time.time()) if now is None else now)
        await self._put_session(session)
        return session

    async def session_open(self, public: str) -> bool:
        """Whether the login session named by ``public`` (:func:`public_sid`, a token's ``sid``) is still open."""
        return await self._kv.get(f"{PREFIX}:login:{public}") is not None

    async def end_session(self, sid: str) -> int:
        """Delete the session and revoke every refresh family it issued; returns how many families. A pre-login
        session's ``previous`` login is ended too."""
        session = await self.get_session(sid)
        if session is not None and session.previous:
            await self._end(session.previous)
        return await self._end(_h(sid))

    async def _end(self, public: str) -> int:
        await self._kv.delete(f"{PREFIX}:login:{public}")
        for listener in self.on_end:
            listener(public)
        members = await self._kv.smembers(f"{PREFIX}:fams:{public}")
        for fid in members:
            await self.revoke_family(fid.decode() if isinstance(fid, bytes) else str(fid))
        await self._kv.delete(f"{PREFIX}:fams:{public}")
        return len(members)

    async def _put_session(self, session: LoginSession) -> None:
        # A session nobody has logged into yet (one per cookieless visit of the login page) lives only as long as
        # a login form may sensibly stay open, so that a flood of anonymous visits holds little.
        ttl = self._session_ttl if session.username is not None else min(self._session_ttl, PRELOGIN_TTL_S)
        await self._kv.set(f"{PREFIX}:login:{_h(session.sid)}", json.dumps(asdict(session)), ex=ttl)

    # --- authorization codes --------------------------------------------------------------------------------
    async def issue_code(self, grant: AuthorizationCode, code: str | None = None) -> str:
        """Store ``grant`` under ``code`` (a fresh random one when not given) for ``code_ttl_s``."""
        code = code or new_token()
        await self._kv.set(f"{PREFIX}:code:{_h(code)}", json.dumps(asdict(grant)), ex=self._code_ttl)
        return code

    async def take_code(self, code: str) -> AuthorizationCode | None:
        """The code's grant, once: a second call (replay) gets None."""
        raw = await self._kv.getdel(f"{PREFIX}:code:{_h(code)}")
        return None if raw is None else AuthorizationCode(**json.loads(raw))

    # --- refresh-token families -----------------------------------------------------------------------------
    async def start_family(
        self, client_id: str, username: str, scope: str, sid: str | None, auth_time: int | None
    ) -> tuple[RefreshFamily, str]:
        family = RefreshFamily(new_token(), client_id, username, scope, sid, int(time.time()), auth_time)
        await self._kv.set(f"{PREFIX}:family:{family.fid}", json.dumps(asdict(family)), ex=self._absolute)
        if sid:
            await self._kv.sadd(f"{PREFIX}:fams:{_h(sid)}", family.fid)
            await self._kv.expire(f"{PREFIX}:fams:{_h(sid)}", self._session_ttl)
        return family, await self._issue_refresh(family)

    async def rotate(self, token: str) -> tuple[RefreshFamily, str] | None:
        """Spend ``token`` and return its family and the next token; None when the token is unknown, expired, of a
        revoked family, or already spent — in the last case the whole family is revoked."""
        fid_raw = await self._kv.get(f"{PREFIX}:refresh:{_h(token)}")
        if fid_raw is None:
            return None
        fid = fid_raw.decode() if isinstance(fid_raw, bytes) else str(fid_raw)
        family = await self.get_family(fid)
        if family is None or family.revoked:
            return None
        if not await self._kv.set(f"{PREFIX}:used:{_h(token)}", "1", ex=self._absolute, nx=True):
            await self.revoke_family(fid)  # reuse: someone holds a copy of a spent token
            return None
        await self._kv.expire(f"{PREFIX}:refresh:{_h(token)}", self._absolute)  # keep it to detect reuse
        return family, await self._issue_refresh(family)

    async def find_refresh(self, token: str) -> tuple[RefreshFamily, bool] | None:
        """The family of a refresh token issued here and whether the token is spent (rotated or revoked), without
        spending it; None when the token is unknown or has expired."""
        fid_raw = await self._kv.get(f"{PREFIX}:refresh:{_h(token)}")
        if fid_raw is None:
            return None
        family = await self.get_family(fid_raw.decode() if isinstance(fid_raw, bytes) else str(fid_raw))
        if family is None:
            return None
        return family, await self._kv.get(f"{PREFIX}:used:{_h(token)}") is not None

    async def get_family(self, fid: str) -> RefreshFamily | None:
        raw = await self._kv.get(f"{PREFIX}:family:{fid}")
        return None if raw is None else RefreshFamily(**json.loads(raw))

    async def revoke_family(self, fid: str) -> None:
        family = await self.get_family(fid)
        if family is not None and not family.revoked:
            revoked = replace(family, revoked=True)
            await self._kv.set(f"{PREFIX}:family:{fid}", json.dumps(asdict(revoked)), ex=self._absolute)

    async def _issue_refresh(self, family: RefreshFamily) -> str:
        token = new_token()
        remaining = family.created_at + self._absolute - int(time.time())
        await self._kv.set(f"{PREFIX}:refresh:{_h(token)}", family.fid, ex=max(1, min(self._idle, remaining)))
        return token


class SessionCheck:
    """Whether a token's login session is open, cached in process (see the module docstring for the window).
    Registered with ``sessions`` so that a logout on this replica is seen at once."""

    def __init__(
        self,
        sessions: SessionStore,
        *,
        alive_ttl_s: float = 5.0,
        max_entries: int = 100_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self.alive_ttl_s = alive_ttl_s
        self._max = max_entries
        self._monotonic = monotonic
        self._alive: dict[str, float] = {}
        self._ended: set[str] = set()
        sessions.on_end.append(self.ended)

    async def alive(self, public: str) -> bool:
        until = self._alive.get(public)
        if until is not None and until > self._monotonic():
            return True
        if public in self._ended:
            return False
        open_ = await self._sessions.session_open(public)
        if open_:
            if len(self._alive) >= self._max:
                self._alive.clear()
            self._alive[public] = self._monotonic() + self.alive_ttl_s
        else:
            self.ended(public)
        return open_

    def ended(self, public: str) -> None:
        self._alive.pop(public, None)
        if len(self._ended) >= self._max:
            self._ended.clear()  # forgotten ended sessions are asked again: still refused, one Redis read later
        self._ended.add(public)


def describe(family: RefreshFamily) -> dict[str, Any]:
    """For logs: never the token, only the family id's prefix."""
    return {"family": family.fid[:8], "client_id": family.client_id, "user": family.username}
