"""The appeals subgraph's write path: the dispatch service over the outbox in Redis and the legacy systems it
checks writes against (every system that takes writes, through the credential broker)."""

from __future__ import annotations

from redis.asyncio import Redis

from auth.broker import CredentialBroker, ServiceCredentials
from resolvers.adapters.board import BoardClient
from resolvers.adapters.grid import GridClient
from resolvers.adapters.hotline import HotlineClient
from resolvers.adapters.http import AdapterOptions
from resolvers.adapters.petition import PetitionClient
from resolvers.adapters.suggestion import SuggestionClient
from resolvers.dispatch import DispatchService, LegacyAppealReader, Outbox
from subgraphs.settings import SubgraphSettings

__all__ = ["dispatch_service"]

WRITE_SYSTEMS = ("hotline", "grid", "board", "petition", "suggestion")


def dispatch_service(settings: SubgraphSettings) -> tuple[DispatchService, Redis] | None:
    """``None`` without Redis: the outbox lives there, and a write that cannot be made durable is not accepted."""
    if not settings.redis_url:
        return None
    redis = Redis.from_url(settings.redis_url)
    broker = CredentialBroker(
        ServiceCredentials(system, settings.legacy_username, settings.legacy_password) for system in WRITE_SYSTEMS
    )

    def options(system: str) -> AdapterOptions:
        return settings.adapter_options(system, with_credentials=False)

    reader = LegacyAppealReader(
        hotline=HotlineClient(options("hotline"), broker=broker),
        grid=GridClient(options("grid"), broker=broker),
        board=BoardClient(options("board"), broker=broker),
        petition=PetitionClient(options("petition"), broker=broker),
        suggestion=SuggestionClient(options("suggestion"), broker=broker),
    )
    return DispatchService(Outbox(redis), reader, person_secret=settings.person_key_secret.encode()), redis
