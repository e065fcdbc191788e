"""The per-request context of a system subgraph: its adapter client, fresh DataLoaders, the person directory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from graphql import GraphQLError

from auth.principal import ANONYMOUS, Principal
from resolvers.appeals.warning import WarningLimits
from resolvers.audit import AuditLog, MemoryAuditLog
from resolvers.calendar import WorkCalendar, calendar_for
from resolvers.persons import Identifiers, PersonDirectory
from resolvers.units import MemoryUnits, UnitDirectory

__all__ = ["SubgraphContext", "beijing_now"]

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_now() -> datetime:
    """The time now in Beijing, naive (the legacy systems keep naive Beijing time)."""
    return datetime.now(BEIJING).replace(tzinfo=None)


@dataclass(slots=True)
class SubgraphContext:
    """Built once per request by the app's ``get_context``.

        ``loaders`` holds the request's DataLoaders by name, made on first use with ``loader(name, factory)`` so that
        ``resolve_reference`` calls in one ``_entities`` request share one batch. ``seen_people`` collects the
        identifiers behind every person key served in this request; the app writes them to the directory after.
        ``seen_units`` likewise collects the code and name of every unit whose id was served, for ``units``, the unit
        directory that ``node(id: "unit:…")`` reads.

        ``principal`` is who asks (:mod:`resolvers.access` decides what they see); whatever authenticates the request
        stores it in the ASGI scope under ``"minyi.principal"`` and the app copies it here; without one the request is
        anonymous. ``audit`` is the append-only audit log (``minyi:audit``) audited actions write to. ``calendar``
        is the process's one working-day calendar (:mod:`resolvers.calendar`): every deadline counts with it.

    ``clock`` says what time it is (tests inject a controlled one); ``warning_limits`` are the thresholds of the
    three-colour warnings. ``index`` is the duplicate-detection index; the appeals read (``seen_appeals``) and
    written (``touched_appeals``) in a request are indexed after it.

    ``partial_errors`` are errors a resolver reports beside the data it did return (a merged list missing one
    system): the schema adds them to the response's ``errors``.
    """

    client: Any
    directory: PersonDirectory
    person_secret: bytes
    loaders: dict[str, Any] = field(default_factory=dict)
    seen_people: dict[str, Identifiers] = field(default_factory=dict)
    units: UnitDirectory = field(default_factory=MemoryUnits)
    seen_units: dict[str, str] = field(default_factory=dict)
    principal: Principal = ANONYMOUS
    audit: AuditLog = field(default_factory=MemoryAuditLog)
    partial_errors: list[GraphQLError] = field(default_factory=list)
    calendar: WorkCalendar = field(default_factory=calendar_for)
    dispatch: Any = None  # the write path's DispatchService (appeals subgraph with an outbox), else None
    idempotency_key: str | None = None  # the request's Idempotency-Key header, for the write mutations
    clock: Callable[[], datetime] = field(default=lambda: beijing_now())  # naive Beijing time, as legacy keeps it
    warning_limits: WarningLimits = field(default_factory=WarningLimits)  # 三色预警 thresholds (appeals subgraph)
    index: Any = None  # the appeals subgraph's duplicate-detection index (resolvers.dedupe.index)
    seen_appeals: dict[str, Any] = field(default_factory=dict)  # appeals read in this request, id → AppealRecord
    touched_appeals: set[str] = field(default_factory=set)  # ids of appeals written in this request

    def loader(self, name: str, factory: Callable[[], Any]) -> Any:
        found = self.loaders.get(name)
        if found is None:
            found = self.loaders[name] = factory()
        return found
