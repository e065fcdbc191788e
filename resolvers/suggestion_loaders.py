"""Per-request DataLoaders of the suggestion subgraph: suggestions by number, person identifiers by person key.

The suggestion system has a batch read, so one ``_entities`` call with any number of suggestions costs one
request per ``batch_size`` distinct numbers (:meth:`resolvers.adapters.suggestion.SuggestionClient.many`).
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from resolvers.adapters.suggestion import Suggestion, SuggestionClient
from resolvers.persons import Identifiers, PersonDirectory

__all__ = ["identifiers_loader", "suggestion_loader"]


def suggestion_loader(client: SuggestionClient) -> DataLoader[str, Suggestion | None]:
    async def load(numbers: Sequence[str]) -> Sequence[Suggestion | None]:
        return await client.many(numbers)

    return DataLoader(load_fn=load)


def identifiers_loader(directory: PersonDirectory) -> DataLoader[str, Identifiers | None]:
    async def load(keys: Sequence[str]) -> Sequence[Identifiers | None]:
        found = await directory.lookup(list(keys))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)
