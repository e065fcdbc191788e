"""Appeal ids: ``"<system>:<local id>"`` (DOMAIN.md §5), e.g. ``hotline:20260101000123``."""

from __future__ import annotations

import re

from subgraphs.common.errors import SubgraphInputError

__all__ = ["appeal_id", "local_id"]

_LOCAL = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def appeal_id(system: str, local: str | int) -> str:
    return f"{system}:{local}"


def local_id(system: str, appeal: str) -> str:
    """The local id inside ``appeal``; a clear error when it is not an id of ``system``."""
    prefix, sep, local = str(appeal).partition(":")
    if not sep or prefix != system or not _LOCAL.match(local):
        raise SubgraphInputError(f'malformed {system} id {appeal!r}: expected "{system}:<local id>"')
    return local
