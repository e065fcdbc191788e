"""Per-request DataLoaders of the board subgraph: threads by tid, and person identifiers by person key.

The board has no batch read, so a batch of tids becomes one detail request per distinct tid, bounded by the
client's semaphore (:meth:`resolvers.adapters.board.BoardClient.threads`); the DataLoader's cache makes sure a tid
asked for twice in one request is read once.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from resolvers.adapters.board import BoardClient, BoardThread
from resolvers.adapters.errors import LegacyError
from resolvers.persons import Identifiers, PersonDirectory

__all__ = ["identifiers_loader", "thread_loader"]


def thread_loader(client: BoardClient) -> DataLoader[int, BoardThread | None]:
    async def load(tids: Sequence[int]) -> Sequence[BoardThread | LegacyError | None]:
        return await client.threads(tids)

    return DataLoader(load_fn=load)


def identifiers_loader(directory: PersonDirectory) -> DataLoader[str, Identifiers | None]:
    async def load(keys: Sequence[str]) -> Sequence[Identifiers | None]:
        found = await directory.lookup(list(keys))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)
