"""What this release changes for clients of the previous one: renames are deprecations, and one change breaks.

``fixtures/supergraph-previous-release.graphql`` is the supergraph clients were written against before the graph
took its public shape (one ``Appeal`` fragment, connections, ``Node``, enums beside raw text).
"""

from __future__ import annotations

from pathlib import Path

from schema.breaking import SchemaChange, find_schema_changes, format_changes
from schema.supergraph import load_supergraph

HERE = Path(__file__).resolve().parent
PREVIOUS = HERE / "fixtures" / "supergraph-previous-release.graphql"
CURRENT = HERE.parents[1] / "schema" / "supergraph.graphql"


def _changes() -> tuple[SchemaChange, ...]:
    old = load_supergraph(PREVIOUS.read_text(encoding="utf-8")).api_schema
    new = load_supergraph(CURRENT.read_text(encoding="utf-8")).api_schema
    return find_schema_changes(old, new)


def test_renamed_fields_and_arguments_are_reported_as_deprecations_not_removals() -> None:
    changes = _changes()
    deprecated = {c.change.split(" is deprecated")[0] for c in changes if c.severity == "deprecated"}

    for renamed in (
        "HotlineTicket.cityState",
        "BoardMessage.favNum",
        "BoardMessage.typeName",
        "BoardMessage.nickName",
        "GridEvent.taskNum",
        "Location.lng",
        "Appeal.deadline",
        "HotlineTicketConnection.items",
        "HotlineTicketConnection.nextCursor",
        "Citizen.hotlineTickets",
        "Query.hotlineTickets(status:)",
        "Query.boardMessages(state:)",
    ):
        assert renamed in deprecated, renamed
    assert "✗ [FIELD_REMOVED]" not in format_changes(changes)


def test_the_one_breaking_change_is_the_reply_taking_its_shared_shape() -> None:
    breaking = [(c.code, c.change) for c in _changes() if c.severity == "breaking"]

    # the Appeal interface's `reply: AppealReply` takes the name of the hotline's text reply (now `reply { text }`)
    assert breaking == [("FIELD_CHANGED_KIND", "Field HotlineTicket.reply changed type from String to AppealReply.")]
