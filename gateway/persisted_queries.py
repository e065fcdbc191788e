"""Which document a request runs: its ``query``, an automatic persisted query, or a trusted document.

Automatic persisted queries follow Apollo's protocol (Apollo Server's APQ and ``apollo-link-persisted-queries``):
the request carries ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex SHA-256 of the text>"}``.

- Hash only: the text registered under the hash runs. An unknown hash answers the error ``PersistedQueryNotFound``
  (``extensions.code`` ``PERSISTED_QUERY_NOT_FOUND``) with HTTP 200, and the client sends hash and text again.
- Hash and text: the hash must be the text's SHA-256 (else ``PERSISTED_QUERY_HASH_MISMATCH``, HTTP 400); the text
  is registered — in the in-process LRU and the shared store, so every replica finds it — and runs.
- ``version`` other than 1, or a malformed hash: ``BAD_REQUEST`` (HTTP 400).
- With APQ switched off, any ``persistedQuery`` extension answers ``PersistedQueryNotSupported``
  (``PERSISTED_QUERY_NOT_SUPPORTED``, HTTP 200): the client then sends the text alone.

In **trusted-documents** mode only operations of the registered manifest run (Apollo Router's safelisting):
``sha256Hash`` is then a manifest id (unknown: ``PERSISTED_QUERY_NOT_FOUND``, HTTP 404), a text sent alone or with
its hash runs only when exactly that text was registered (else ``PERSISTED_QUERY_NOT_IN_LIST``, HTTP 403), and
clients cannot register anything. If the trusted store does not answer, the request is refused with
``DOCUMENTS_UNAVAILABLE`` (HTTP 503): the mode fails closed. A failing APQ store only costs the client a resend.

The in-process LRU (:class:`~gateway.caches.LruCache`) answers first in both modes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.caches import LruCache
from gateway.document_stores import DocumentStore, DocumentStoreUnavailable
from gateway.manifest import document_hash
from gateway.metrics import GatewayMetrics
from schema.error_codes import is_retryable

__all__ = ["PersistedQueries", "Refusal", "not_supported"]

log = logging.getLogger("minyi.gateway.persisted_queries")

_HASH = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[^\x00-\x1f]{1,128}")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why no document runs: the errors of the response and its HTTP status."""

    errors: Sequence[Mapping[str, Any]]
    status: int


def _refusal(message: str, code: str, status: int) -> Refusal:
    return Refusal(({"message": message, "extensions": {"code": code, "retryable": is_retryable(code)}},), status)


def not_supported() -> Refusal:
    return _refusal("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", 200)


def _persisted_query(extensions: Mapping[str, Any] | None) -> Mapping[str, Any] | Refusal | None:
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict):
        return _refusal("`extensions.persistedQuery` must be an object.", "BAD_REQUEST", 400)
    if persisted.get("version") != 1:
        return _refusal("Unsupported persisted query version: send version 1.", "BAD_REQUEST", 400)
    if not isinstance(persisted.get("sha256Hash"), str):
        return _refusal("`extensions.persistedQuery.sha256Hash` must be a string.", "BAD_REQUEST", 400)
    return persisted


class PersistedQueries:
    """Resolves the document of a request. ``apq``: the shared APQ store (``None``: this process only);
    ``apq_enabled`` switches APQ on; ``trusted``, when given, switches trusted-documents mode on."""

    def __init__(
        self,
        *,
        apq: DocumentStore | None = None,
        apq_enabled: bool = True,
        trusted: DocumentStore | None = None,
        lru_size: int = 2000,
        metrics: GatewayMetrics | None = None,
    ) -> None:
        self.apq = apq
        self.apq_enabled = apq_enabled
        self.trusted = trusted
        self.metrics = metrics
        self._lru: LruCache[str, str] = LruCache(lru_size)

    @property
    def trusted_mode(self) -> bool:
        return self.trusted is not None

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | Refusal:
        """The text to run, or why nothing runs."""
        persisted = _persisted_query(extensions)
        if isinstance(persisted, Refusal):
            return persisted
        if self.trusted is not None:
            return await self._trusted(self.trusted, query, persisted)
        if persisted is None:
            return query if query is not None else _no_query()
        if not self.apq_enabled:
            return not_supported()
        digest = persisted["sha256Hash"]
        if not _HASH.fullmatch(digest):
            return _refusal("`sha256Hash` must be 64 lowercase hexadecimal digits.", "BAD_REQUEST", 400)
        if query is not None:
            return await self._register(digest, query)
        return await self._lookup(digest)

    async def _register(self, digest: str, query: str) -> str | Refusal:
        if document_hash(query) != digest:
            return _refusal("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH", 400)
        self._lru.put(digest, query)
        if self.apq is not None:  # a client sends the text only after a miss somewhere: refresh the shared entry
            try:
                await self.apq.put(digest, query)
            except DocumentStoreUnavailable as error:
                log.warning("the shared persisted-query store did not take a query (%s)", error)
        return query

    async def _lookup(self, digest: str) -> str | Refusal:
        text = self._lru.get(digest)
        self._count(text is not None)
        if text is None and self.apq is not None:
            try:
                text = await self.apq.get(digest)
            except DocumentStoreUnavailable as error:
                log.warning("the shared persisted-query store did not answer (%s)", error)
            if text is not None:
                self._lru.put(digest, text)
        if text is None:
            return _refusal("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200)
        return text

    async def _trusted(
        self, store: DocumentStore, query: str | None, persisted: Mapping[str, Any] | None
    ) -> str | Refusal:
        if query is None and persisted is None:
            return _no_query()
        identifier = document_hash(query) if query is not None else persisted["sha256Hash"]  # type: ignore[index]
        if query is not None and persisted is not None and persisted["sha256Hash"] != identifier:
            return _refusal("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH", 400)
        if not _ID.fullmatch(identifier):
            return _refusal("The persisted query id is malformed.", "BAD_REQUEST", 400)
        text = self._lru.get(identifier)
        self._count(text is not None)
        if text is None:
            try:
                text = await store.get(identifier)
            except DocumentStoreUnavailable as error:
                log.warning("the trusted documents did not answer (%s); refusing", error)
                return _refusal(
                    "The list of trusted operations is unavailable; try again shortly.", "DOCUMENTS_UNAVAILABLE", 503
                )
            if text is not None:
                self._lru.put(identifier, text)
        if text is None or (query is not None and text != query):
            if query is None:
                return _refusal("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 404)
            return _refusal(
                "Only registered operations run on this gateway; this one is not in its list.",
                "PERSISTED_QUERY_NOT_IN_LIST",
                403,
            )
        return text

    def _count(self, hit: bool) -> None:
        if self.metrics is not None:
            self.metrics.cache_lookup("persisted_query", hit)


def _no_query() -> Refusal:
    return _refusal("The request has no `query`: send the GraphQL document as a string in `query`.", "BAD_REQUEST", 400)
