"""Errors that come from subgraphs, made into client errors.

A subgraph's own GraphQL errors keep their ``message`` and ``extensions``; ``extensions.service`` is the one the
subgraph gave (it may name the system behind it better than the gateway can), else the subgraph's name. Their
``path`` is translated to the client's response (``["_entities", i, *rest]`` → the path of every object that
asked for representation ``i``, followed by ``rest``); ``locations`` refer to the subgraph operation, not the
client's, and are dropped. A subgraph that could not answer at all costs one error with ``extensions.code`` and
``extensions.service`` and a message that names the subgraph but not its internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["failure_error", "invalid_response_error", "subgraph_error"]

INVALID_RESPONSE = "SUBGRAPH_INVALID_RESPONSE"


def _extensions(error: Mapping[str, Any], service: str) -> dict[str, Any]:
    """The error's extensions with ``service``: the subgraph's own when it named one, else the subgraph."""
    extensions = error.get("extensions")
    out = dict(extensions) if isinstance(extensions, Mapping) else {}
    given = out.get("service")
    if not isinstance(given, str) or not given:
        out["service"] = service
    return out


def subgraph_error(error: Any, service: str, path: Sequence[str | int] | None) -> dict[str, Any]:
    """One subgraph error for the client, located at ``path`` (None: no path)."""
    if not isinstance(error, Mapping):
        error = {"message": str(error)}
    message = error.get("message")
    out: dict[str, Any] = {"message": message if isinstance(message, str) else f'subgraph "{service}" failed'}
    if path:
        out["path"] = list(path)
    out["extensions"] = _extensions(error, service)
    return out


def error_path(error: Any) -> list[str | int] | None:
    """The error's ``path`` if it is a well-formed one."""
    if not isinstance(error, Mapping):
        return None
    path = error.get("path")
    if isinstance(path, list) and path and all(isinstance(p, str | int) for p in path):
        return path
    return None


def failure_error(service: str, reason: str, code: str) -> dict[str, Any]:
    return {
        "message": f'subgraph "{service}" is unavailable: {reason}',
        "extensions": {"code": code, "service": service},
    }


def invalid_response_error(service: str, reason: str) -> dict[str, Any]:
    return {
        "message": f'subgraph "{service}" returned an invalid response: {reason}',
        "extensions": {"code": INVALID_RESPONSE, "service": service},
    }
