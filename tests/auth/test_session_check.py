"""Logout refuses a session's access tokens: at once on the replica that served it, within the cache window on the
others (two SessionStores on the same real Redis stand for two gateway replicas; the clock is injected)."""

from __future__ import annotations

from redis.asyncio import Redis

from auth.sessions import SessionCheck, SessionStore, public_sid


def _store(redis: Redis) -> SessionStore:
    return SessionStore(redis, session_ttl_s=600, code_ttl_s=60, refresh_idle_s=600, refresh_absolute_s=600)


async def test_logout_is_seen_at_once_here_and_within_the_window_elsewhere(redis: Redis) -> None:
    here, there = _store(redis), _store(redis)
    now = [1000.0]
    check_here = SessionCheck(here, alive_ttl_s=5.0, monotonic=lambda: now[0])
    check_there = SessionCheck(there, alive_ttl_s=5.0, monotonic=lambda: now[0])
    session = await here.log_in(await here.new_session(), "dispatcher")
    sid = public_sid(session.sid)
    assert sid is not None and sid != session.sid  # tokens carry a hash, never the cookie value
    assert await check_here.alive(sid) and await check_there.alive(sid)

    await here.end_session(session.sid)
    assert not await check_here.alive(sid)  # this replica's logout: refused at once
    assert await check_there.alive(sid)  # another replica: still cached as open…
    now[0] += 5.0
    assert not await check_there.alive(sid)  # …until the window ends; then Redis says it is gone
    now[0] += 3600.0
    assert not await check_there.alive(sid)  # an ended session stays ended


async def test_an_unknown_session_is_refused(redis: Redis) -> None:
    check = SessionCheck(_store(redis))
    assert not await check.alive(public_sid("never-issued") or "")
