"""Trusted-document manifests: the operations a deployment lets clients run (``minyi documents push FILE``).

Two formats are read:

- Apollo's persisted query manifest: ``{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id": "…", "name": "…", "type": "query", "body": "…"}]}``;
- a plain JSON object of id → document text (what Relay and GraphQL Code Generator write).

Every document must parse as GraphQL; ids are non-empty strings of at most 128 characters. A document is reachable
by its id and by the SHA-256 hex digest of its text (how a client sending the text itself is matched). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLSyntaxError, parse

__all__ = ["ManifestError", "TrustedDocument", "document_hash", "read_manifest"]

APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    """A manifest that cannot be registered, with what is wrong and where."""


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    id: str
    body: str
    name: str | None = None


def document_hash(text: str) -> str:
    """The SHA-256 hex digest of a document's text: the APQ hash and the key of a trusted document's text."""
    return hashlib.sha256(text.encode()).hexdigest()


def read_manifest(raw: bytes | str) -> tuple[TrustedDocument, ...]:
    """The documents of a manifest in either format (raises :class:`ManifestError`)."""
    try:
        manifest = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"the manifest is not JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise ManifestError("the manifest must be a JSON object")
    if "format" in manifest:
        entries = _apollo_entries(manifest)
    else:
        entries = [(key, value, None) for key, value in manifest.items()]
    documents: dict[str, TrustedDocument] = {}
    for where, (identifier, body, name) in enumerate(entries):
        label = f"operation {where + 1} ({identifier!r})" if isinstance(identifier, str) else f"operation {where + 1}"
        if not isinstance(identifier, str) or not 0 < len(identifier) <= 128:
            raise ManifestError(f"{label}: the id must be a string of 1 to 128 characters")
        if not isinstance(body, str) or not body.strip():
            raise ManifestError(f"{label}: the body must be a GraphQL document")
        try:
            parse(body, no_location=True)
        except GraphQLSyntaxError as error:
            raise ManifestError(f"{label}: the body is not valid GraphQL: {error.message}") from None
        known = documents.get(identifier)
        if known is not None and known.body != body:
            raise ManifestError(f"{label}: the id is given twice with different bodies")
        documents[identifier] = TrustedDocument(identifier, body, name if isinstance(name, str) else None)
    if not documents:
        raise ManifestError("the manifest holds no operations")
    return tuple(documents.values())


def _apollo_entries(manifest: Mapping[str, Any]) -> list[tuple[Any, Any, Any]]:
    if manifest.get("format") != APOLLO_FORMAT or manifest.get("version") != 1:
        raise ManifestError(f'unknown manifest format: expected "format": "{APOLLO_FORMAT}" with "version": 1')
    operations = manifest.get("operations")
    if not isinstance(operations, list):
        raise ManifestError('the manifest has no "operations" list')
    entries = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise ManifestError("every operation of the manifest is an object with id and body")
        entries.append((operation.get("id"), operation.get("body"), operation.get("name")))
    return entries
