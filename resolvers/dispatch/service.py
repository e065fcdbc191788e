"""Accepting a write: checks, idempotency, the outbox — what a mutation resolver calls.

:meth:`DispatchService.submit`:

1. an idempotency key seen before for this user: the same input answers the first dispatch again and writes
   nothing; another input is :class:`IdempotencyConflict`;
2. the appeal's current record is read from its system of record, and :func:`check_command` refuses what the
   user may not do or the workflow would refuse (nothing is written);
3. the dispatch — its saga planned, each step with its request id — goes into the outbox together with the
   idempotency key, in one Redis transaction;
4. it waits up to ``wait_s`` for a worker to apply it, and answers the dispatch as it stands then
   (``APPLIED``, ``FAILED`` or still ``PENDING``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from auth.principal import Principal
from resolvers.adapters.board import BoardClient
from resolvers.adapters.errors import LegacyNotFound
from resolvers.adapters.grid import GridClient
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.petition import PetitionClient
from resolvers.adapters.suggestion import SuggestionClient
from resolvers.dispatch.commands import Action, Command, input_hash, parse_appeal_id
from resolvers.dispatch.errors import IdempotencyConflict, InputRefused, UnknownDispatch
from resolvers.dispatch.outbox import IdempotencyEntry, Outbox
from resolvers.dispatch.plan import Target, plan_saga
from resolvers.dispatch.record import DispatchRecord, StepRecord
from resolvers.dispatch.rules import check_command

__all__ = ["AppealReader", "DispatchService", "LegacyAppealReader", "Submitted"]

MAX_KEY_CHARS = 200


class AppealReader(Protocol):
    async def target(self, appeal: str | None) -> Target: ...

    async def units(self) -> Mapping[str, str]: ...


@dataclass(slots=True)
class LegacyAppealReader:
    """Reads the appeal a command acts on from its system of record (and the city's handling units, code → name,
    from the hotline's unit list, cached a minute). A system without a client here takes no writes."""

    hotline: HotlineClient
    grid: GridClient
    board: BoardClient
    petition: PetitionClient | None = None
    suggestion: SuggestionClient | None = None
    _units: tuple[float, Mapping[str, str]] | None = None

    async def target(self, appeal: str | None) -> Target:
        ref = None if appeal is None else parse_appeal_id(appeal)
        if ref is None:
            return None
        try:
            if ref.system == "hotline":
                return await self.hotline.get(ref.local_id)
            if ref.system == "grid":
                return await self.grid.event(ref.local_id)
            if ref.system == "board" and ref.local_id.isdigit():
                return await self.board.thread(int(ref.local_id))
            if ref.system == "petition" and self.petition is not None:
                return await self.petition.get(ref.local_id)
            if ref.system == "suggestion" and self.suggestion is not None:
                return await self.suggestion.get(ref.local_id)
        except LegacyNotFound:
            return None
        raise InputRefused(f"writes to {ref.system} appeals are not available", code="UNSUPPORTED", field="id")

    async def units(self) -> Mapping[str, str]:
        now = time.monotonic()
        if self._units is None or self._units[0] < now:
            self._units = (now + 60, {u.code: u.name for u in await self.hotline.units()})
        return self._units[1]


@dataclass(frozen=True, slots=True)
class Submitted:
    record: DispatchRecord
    replayed: bool  # the key was seen before with this input: nothing new was written


class DispatchService:
    def __init__(
        self,
        outbox: Outbox,
        reader: AppealReader,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        person_secret: bytes = b"",
    ) -> None:
        """``person_secret`` is the person-key secret the subgraphs share: with it a citizen's own appeals are
        recognised (a citizen's rating); without it citizens write nothing."""
        self.outbox = outbox
        self.reader = reader
        self.clock = clock
        self.person_secret = person_secret

    async def submit(self, principal: Principal, command: Command, key: str, *, wait_s: float = 0.0) -> Submitted:
        """Accept ``command`` under idempotency ``key``; raises :class:`DispatchError` subclasses (nothing written)
        and :class:`LegacyError` when the appeal cannot be read to check the write."""
        key = key.strip()
        if not key or len(key) > MAX_KEY_CHARS:
            raise InputRefused(
                f"an idempotency key of 1 to {MAX_KEY_CHARS} characters is required", field="idempotencyKey"
            )
        fingerprint = input_hash(command)
        seen = await self.outbox.idempotency(principal.subject, key)
        if seen is not None:
            return await self._replay(seen, fingerprint, wait_s)
        target = await self.reader.target(command.appeal)
        units = await self.reader.units() if command.action is Action.DISPATCH else {}
        checked = check_command(principal, command, target, units, self.clock(), person_secret=self.person_secret)
        record = self._new_record(principal, checked, target, key, fingerprint)
        raced = await self.outbox.accept(principal.subject, record)
        if raced is not None:
            return await self._replay(raced, fingerprint, wait_s)
        await self.outbox.wait(record.id, wait_s)
        return Submitted(await self.outbox.load(record.id) or record, replayed=False)

    async def dispatch(self, dispatch_id: str, principal: Principal) -> DispatchRecord:
        """A dispatch by id, for the user who asked for it."""
        record = await self.outbox.load(dispatch_id)
        if record is None or record.actor != principal.subject:
            raise UnknownDispatch(f"no dispatch {dispatch_id}")
        return record

    async def _replay(self, seen: IdempotencyEntry, fingerprint: str, wait_s: float) -> Submitted:
        if seen.input_hash != fingerprint:
            raise IdempotencyConflict(
                "this idempotency key was used with a different input; use a new key for a new write",
                field="idempotencyKey",
            )
        record = await self.outbox.load(seen.dispatch)
        if record is None:
            raise UnknownDispatch(f"the dispatch of this idempotency key ({seen.dispatch}) has expired")
        if not record.terminal and wait_s > 0:
            await self.outbox.wait(record.id, wait_s)
            record = await self.outbox.load(seen.dispatch) or record
        return Submitted(record, replayed=True)

    def _new_record(
        self, principal: Principal, command: Command, target: Target, key: str, fingerprint: str
    ) -> DispatchRecord:
        dispatch_id = uuid.uuid4().hex
        steps = tuple(
            StepRecord(spec=spec, request_id=f"minyi-{dispatch_id}-{i}")
            for i, spec in enumerate(plan_saga(command, target))
        )
        now = self.clock().isoformat(timespec="milliseconds")
        return DispatchRecord(
            id=dispatch_id,
            idempotency_key=key,
            input_hash=fingerprint,
            command=command,
            actor=principal.subject,
            actor_roles=tuple(sorted(r.value for r in principal.roles)),
            steps=steps,
            created_at=now,
            updated_at=now,
        )
