"""The descriptions of the root types, the same in every subgraph (composition keeps one text for each)."""

from __future__ import annotations

from schema.error_codes import error_codes_text

__all__ = ["MUTATION_DESCRIPTION", "QUERY_DESCRIPTION"]

QUERY_DESCRIPTION = (
    "民意 (public opinion): the city's public appeals — 12345 热线 (hotline), 信访 (petition), 领导留言板 (leaders' "
    "message board), 网格 (grid management) and 人民建议 (suggestion collection) — read through to each system of "
    "record. Every appeal is an `Appeal` and a `Node`; every list is a cursor connection. Errors: a part the "
    "caller cannot see or a system cannot answer is null, with an error at its path. Every error carries "
    "`extensions.code` from this list: " + error_codes_text() + " `extensions.service` names the system at fault "
    "as a `SourceSystem` value (HOTLINE, PETITION, MSGBOARD, GRID, SUGGESTION); where no one system is, it names "
    "the part of the graph (appeals for the cross-system lookup, or the part that did not answer at all). "
    "`extensions.retryable` says whether the same request may succeed later."
)
MUTATION_DESCRIPTION = (
    "Actions on appeals. Each is audited; what the caller can fix comes back in `userErrors`, what they cannot "
    "(login, permission, outages) as errors."
)
