"""The board's status texts (stateInfo) on the unified status vocabulary, DOMAIN.md §4.1 and §5.

======================  =================
stateInfo               UnifiedStatus
======================  =================
待回复                   PENDING_SIGN
已受理 / 受理            HANDLING
办理中 / 处理中          HANDLING
已办理 / 已回复          REPLIED
已办结                   CLOSED
======================  =================

The raw text always travels beside the mapped value as ``sourceStatus``. A text outside the table is an answer
the protocol does not allow, reported as :class:`~resolvers.adapters.errors.LegacyProtocolError`.
"""

from __future__ import annotations

from collections.abc import Mapping

from resolvers.adapters.errors import LegacyProtocolError
from resolvers.domain import UnifiedStatus

__all__ = ["BOARD_STATES", "STATUS_BY_TEXT", "unified_status"]

STATUS_BY_TEXT: Mapping[str, UnifiedStatus] = {
    "待回复": UnifiedStatus.PENDING_SIGN,
    "已受理": UnifiedStatus.HANDLING,
    "受理": UnifiedStatus.HANDLING,  # older threads say 受理
    "办理中": UnifiedStatus.HANDLING,
    "处理中": UnifiedStatus.HANDLING,
    "已办理": UnifiedStatus.REPLIED,
    "已回复": UnifiedStatus.REPLIED,
    "已办结": UnifiedStatus.CLOSED,
}

# The texts the board accepts as a list filter, in workflow order.
BOARD_STATES = ("待回复", "已受理", "办理中", "处理中", "已办理", "已回复", "已办结")


def unified_status(state_text: str) -> UnifiedStatus:
    try:
        return STATUS_BY_TEXT[state_text.strip()]
    except KeyError:
        raise LegacyProtocolError("board", f"unknown stateInfo {state_text!r}") from None
