"""What executing a plan produces: the client's ``data`` and ``errors``, ready to serialize."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ExecutionResult"]


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """``data`` is None when null propagation reached the root; ``errors`` are JSON-ready dicts
    (``message``, ``path`` when located, ``extensions`` with ``code`` and ``service`` when a subgraph is the cause)."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
