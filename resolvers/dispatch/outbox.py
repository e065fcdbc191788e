"""The durable outbox on Redis Streams (area ``minyi:outbox``) and the idempotency keys (area ``minyi:idem``).

Keys::

    minyi:outbox:d:{id}        the dispatch record (JSON), written at acceptance and after every step
    minyi:outbox:stream        one entry per dispatch to work on; consumer group ``workers``
    minyi:outbox:retry         sorted set: dispatch id → when its next attempt is due (epoch ms)
    minyi:outbox:dead          stream of dispatches that ended FAILED (id, reason): the dead letters
    minyi:outbox:lease:{id}    the worker applying a dispatch right now (expires, so a dead worker's lease lapses)
    minyi:outbox:done:{id}     list a waiting mutation blocks on until the dispatch ends
    minyi:idem:{subject}:{key} the input hash and dispatch id of an idempotency key, per user

Acceptance writes the record and the stream entry in one ``MULTI``. A worker reads with ``XREADGROUP``, takes
entries another worker left unacknowledged for too long with ``XAUTOCLAIM``, and acknowledges an entry only once
the dispatch has ended or its next attempt is in the retry set. Redis must persist (AOF) for "nothing lost" to
survive a Redis restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError, WatchError

from resolvers.dispatch.errors import OutboxUnavailable
from resolvers.dispatch.record import DispatchRecord

__all__ = ["GROUP", "Claim", "IdempotencyEntry", "Outbox", "OutboxDepth"]

PREFIX = "minyi:outbox"
STREAM = f"{PREFIX}:stream"
RETRY = f"{PREFIX}:retry"
DEAD = f"{PREFIX}:dead"
GROUP = "workers"
IDEM_PREFIX = "minyi:idem"
RECORD_TTL_S = 7 * 24 * 3600  # a dispatch and its idempotency key are kept a week

# Move due retries back onto the stream, atomically (no entry is lost or doubled between the two keys).
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'dispatch', id)
end
return #due
"""
# Release a lease only if it is still ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Claim:
    """A stream entry handed to this worker: the entry id (to acknowledge) and the dispatch it names."""

    entry: str
    dispatch: str


@dataclass(frozen=True, slots=True)
class IdempotencyEntry:
    input_hash: str
    dispatch: str


@dataclass(frozen=True, slots=True)
class OutboxDepth:
    """What the outbox holds: entries waiting for or held by a worker, dispatches waiting for their next attempt,
    and dead letters."""

    queued: int
    retrying: int
    dead: int


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Outbox:
    """The outbox's Redis operations; every Redis failure becomes :class:`OutboxUnavailable`."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def record_key(dispatch: str) -> str:
        return f"{PREFIX}:d:{dispatch}"

    @staticmethod
    def idem_key(subject: str, key: str) -> str:
        return f"{IDEM_PREFIX}:{subject or 'anonymous'}:{key}"

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise OutboxUnavailable(f"outbox: {exc}") from exc
        except RedisError as exc:
            raise OutboxUnavailable(f"outbox unavailable: {type(exc).__name__}") from exc

    # -- idempotency -----------------------------------------------------------------------------------------

    async def idempotency(self, subject: str, key: str) -> IdempotencyEntry | None:
        try:
            raw = await self.redis.get(self.idem_key(subject, key))
        except RedisError as exc:
            raise OutboxUnavailable(f"outbox unavailable: {type(exc).__name__}") from exc
        if raw is None:
            return None
        input_hash, _, dispatch = _text(raw).partition(" ")
        return IdempotencyEntry(input_hash, dispatch)

    async def accept(self, subject: str, record: DispatchRecord) -> IdempotencyEntry | None:
        """Claim the idempotency key and enqueue the dispatch, all or nothing. When the key was claimed first by
        someone else, nothing is written and their entry is returned."""
        idem = self.idem_key(subject, record.idempotency_key)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        await pipe.watch(idem)
                        existing = await pipe.get(idem)
                        if existing is not None:
                            await pipe.reset()  # type: ignore[no-untyped-call]
                            input_hash, _, dispatch = _text(existing).partition(" ")
                            return IdempotencyEntry(input_hash, dispatch)
                        pipe.multi()  # type: ignore[no-untyped-call]
                        pipe.set(idem, f"{record.input_hash} {record.id}", ex=RECORD_TTL_S)
                        pipe.set(self.record_key(record.id), record.to_json(), ex=RECORD_TTL_S)
                        pipe.xadd(STREAM, {"dispatch": record.id})
                        await pipe.execute()
                        return None
                    except WatchError:
                        continue
        except RedisError as exc:
            raise OutboxUnavailable(f"outbox unavailable: {type(exc).__name__}") from exc

    # -- records ---------------------------------------------------------------------------------------------

    async def load(self, dispatch: str) -> DispatchRecord | None:
        try:
            raw = await self.redis.get(self.record_key(dispatch))
        except RedisError as exc:
            raise OutboxUnavailable(f"outbox unavailable: {type(exc).__name__}") from exc
        return None if raw is None else DispatchRecord.from_json(raw)

    async def save(self, record: DispatchRecord) -> None:
        await self.redis.set(self.record_key(record.id), record.to_json(), ex=RECORD_TTL_S)

    async def finish(self, record: DispatchRecord) -> None:
        """Save an ended dispatch, dead-letter it when FAILED, and wake whoever waits for it."""
        done = f"{PREFIX}:done:{record.id}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.record_key(record.id), record.to_json(), ex=RECORD_TTL_S)
            if record.state.value == "FAILED":
                pipe.xadd(DEAD, {"dispatch": record.id, "reason": record.reason or ""})
            pipe.rpush(done, record.state.value)
            pipe.expire(done, 60)
            await pipe.execute()

    async def wait(self, dispatch: str, timeout_s: float) -> None:
        """Block until the dispatch ends or ``timeout_s`` passes (whichever first)."""
        if timeout_s <= 0:
            return
        try:
            await self.redis.blpop([f"{PREFIX}:done:{dispatch}"], timeout=timeout_s)
        except RedisError as exc:
            raise OutboxUnavailable(f"outbox unavailable: {type(exc).__name__}") from exc

    # -- the work queue --------------------------------------------------------------------------------------

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Claim]:
        answer: Any = await self.redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=count, block=block_ms)
        return [Claim(_text(eid), _text(fields[b"dispatch"])) for _, entries in answer or [] for eid, fields in entries]

    async def autoclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[Claim]:
        """Entries other workers took and left unacknowledged for ``min_idle_ms`` (their worker died)."""
        answer = await self.redis.xautoclaim(STREAM, GROUP, consumer, min_idle_ms, "0-0", count=count)
        entries = answer[1] if answer else []
        return [Claim(_text(eid), _text(fields[b"dispatch"])) for eid, fields in entries if fields]

    async def ack(self, claim: Claim) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, claim.entry)
            pipe.xdel(STREAM, claim.entry)
            await pipe.execute()

    async def schedule_retry(self, dispatch: str, due_s: float) -> None:
        await self.redis.zadd(RETRY, {dispatch: int(due_s * 1000)})

    async def promote_due(self, now_s: float | None = None, limit: int = 200) -> int:
        now_ms = int((time.time() if now_s is None else now_s) * 1000)
        moved: Any = await self.redis.eval(_PROMOTE, 2, RETRY, STREAM, now_ms, limit)
        return int(moved)

    async def lease(self, dispatch: str, token: str, ttl_ms: int) -> bool:
        return bool(await self.redis.set(f"{PREFIX}:lease:{dispatch}", token, nx=True, px=ttl_ms))

    async def renew(self, dispatch: str, ttl_ms: int) -> None:
        await self.redis.pexpire(f"{PREFIX}:lease:{dispatch}", ttl_ms)

    async def release(self, dispatch: str, token: str) -> None:
        await self.redis.eval(_RELEASE, 1, f"{PREFIX}:lease:{dispatch}", token)

    async def dead_letters(self, count: int = 100) -> list[tuple[str, str]]:
        rows: Any = await self.redis.xrange(DEAD, count=count)
        return [(_text(f[b"dispatch"]), _text(f.get(b"reason", b""))) for _, f in rows]

    async def depth(self) -> OutboxDepth:
        """The outbox's depth, read in one round trip (:class:`OutboxUnavailable` when Redis does not answer)."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xlen(STREAM)
                pipe.zcard(RETRY)
                pipe.xlen(DEAD)
                queued, retrying, dead = await pipe.execute()
        except RedisError as error:
            raise OutboxUnavailable(f"the outbox did not answer ({type(error).__name__})") from error
        return OutboxDepth(int(queued), int(retrying), int(dead))
