"""Breaking and dangerous changes between two API schemas, as ``minyi check`` reports them."""

from __future__ import annotations

import pytest
from graphql import build_schema

from schema.breaking import SchemaChange, find_schema_changes, format_changes

OLD = """
type Query {
  appeal(id: ID!): Appeal
  appeals(status: Status, first: Int = 20): [Appeal!]!
  search(filter: Filter): [Appeal!]!
}
type Appeal { id: ID! title: String! status: Status! channel: String }
enum Status { OPEN CLOSED OVERDUE }
input Filter { text: String }
"""


def changes(new: str) -> list[tuple[str, str, str]]:
    return [(c.severity, c.code, c.message) for c in find_schema_changes(build_schema(OLD), build_schema(new))]


def test_the_same_schema_has_no_changes() -> None:
    assert find_schema_changes(build_schema(OLD), build_schema(OLD)) == ()
    assert format_changes(()) == "no breaking changes"


@pytest.mark.parametrize(
    ("old_text", "new_text", "code", "message"),
    [
        ("channel: String }", "}", "FIELD_REMOVED", "Field Appeal.channel was removed: operations selecting it"),
        (
            "input Filter { text: String }",
            "input Filter { text: String }\nscalar Unused",
            None,
            None,
        ),
        (
            "title: String!",
            "title: String",
            "FIELD_CHANGED_KIND",
            "Field Appeal.title changed type from String! to String",
        ),
        (
            "channel: String",
            "channel: Int",
            "FIELD_CHANGED_KIND",
            "Field Appeal.channel changed type from String to Int",
        ),
        (
            "appeal(id: ID!)",
            "appeal(id: ID!, system: String!)",
            "REQUIRED_ARG_ADDED",
            "A required argument Query.appeal(system:) was added",
        ),
        (
            "appeals(status: Status, ",
            "appeals(status: Status!, ",
            "ARG_CHANGED_KIND",
            "Argument Query.appeals(status:) has changed type from Status to Status!",
        ),
        ("appeals(status: Status, ", "appeals(", "ARG_REMOVED", "Argument Query.appeals(status:) was removed"),
        ("OPEN CLOSED OVERDUE", "OPEN CLOSED", "VALUE_REMOVED_FROM_ENUM", "Enum value Status.OVERDUE was removed"),
        (
            "input Filter { text: String }",
            "input Filter { text: String unit: ID! }",
            "REQUIRED_INPUT_FIELD_ADDED",
            "A required field Filter.unit was added",
        ),
        ("search(filter: Filter): [Appeal!]!\n}", "}", "FIELD_REMOVED", "Field Query.search was removed"),
    ],
)
def test_each_breaking_change_is_found_and_explained(
    old_text: str, new_text: str, code: str | None, message: str | None
) -> None:
    assert old_text in OLD
    found = [c for c in changes(OLD.replace(old_text, new_text)) if c[0] == "breaking"]
    if code is None:  # an added type breaks nobody
        assert found == []
        return
    assert any(c[1] == code and c[2].startswith(message or "") for c in found), found


def test_a_removed_type_is_breaking() -> None:
    new = OLD.replace("search(filter: Filter): [Appeal!]!", "").replace("input Filter { text: String }", "")
    assert (
        "breaking",
        "TYPE_REMOVED",
        "Filter was removed: operations that name it (in fragments or variables) stop validating.",
    ) in changes(new)


def test_a_nullable_output_becoming_non_null_and_an_input_becoming_optional_are_safe() -> None:
    new = OLD.replace("channel: String", "channel: String!").replace("appeal(id: ID!)", "appeal(id: ID)")
    assert changes(new) == []


def test_dangerous_changes_are_listed_but_do_not_break() -> None:
    new = OLD.replace("OPEN CLOSED OVERDUE", "OPEN CLOSED OVERDUE MERGED").replace("first: Int = 20", "first: Int = 50")
    found = find_schema_changes(build_schema(OLD), build_schema(new))
    assert {(c.severity, c.code) for c in found} == {
        ("dangerous", "VALUE_ADDED_TO_ENUM"),
        ("dangerous", "ARG_DEFAULT_VALUE_CHANGE"),
    }
    report = format_changes(found)
    assert report.startswith("no breaking changes\n2 dangerous changes (not blocking):")
    assert "Enum value Status.MERGED was added" in report


def test_the_report_puts_breaking_changes_first_with_their_codes() -> None:
    new = OLD.replace("OPEN CLOSED OVERDUE", "OPEN CLOSED MERGED").replace(" channel: String", "")
    report = format_changes(find_schema_changes(build_schema(OLD), build_schema(new)))
    assert report.splitlines() == [
        "2 breaking changes:",
        "  ✗ [FIELD_REMOVED] Field Appeal.channel was removed: operations selecting it stop validating.",
        "  ✗ [VALUE_REMOVED_FROM_ENUM] Enum value Status.OVERDUE was removed: clients sending it are refused,"
        " clients expecting it break.",
        "1 dangerous change (not blocking):",
        "  ! [VALUE_ADDED_TO_ENUM] Enum value Status.MERGED was added: clients with an exhaustive switch over the"
        " enum may not handle it.",
    ]


def test_a_change_keeps_graphql_cores_description() -> None:
    change = SchemaChange("breaking", "FIELD_REMOVED", "Query.x was removed.")
    assert change.message == "Query.x was removed: operations selecting it stop validating."


def test_a_rename_through_deprecated_is_reported_as_a_deprecation_not_a_removal() -> None:
    old = build_schema(
        """type Query { tickets(first: Int, status: String): [Ticket] }
        type Ticket { id: ID! cityState: String favNum: Int }
        input Filter { state: String } enum Colour { RED ORANGE }"""
    )
    new = build_schema(
        """type Query { tickets(first: Int = 20, status: String @deprecated(reason: "Use filter."), filter: Filter): [Ticket] }
        type Ticket {
          id: ID!
          cityState: String @deprecated(reason: "Use sourceStatus.")
          sourceStatus: String
          favNum: Int @deprecated(reason: "Use likeCount.")
          likeCount: Int
        }
        input Filter { state: String @deprecated(reason: "Use sourceStatus.") sourceStatus: String }
        enum Colour { RED ORANGE @deprecated(reason: "Use RED.") }"""
    )

    changes = find_schema_changes(old, new)

    assert not [c for c in changes if c.severity == "breaking"]
    deprecations = {(c.code, c.change) for c in changes if c.severity == "deprecated"}
    assert deprecations == {
        ("FIELD_DEPRECATED", "Ticket.cityState is deprecated (Use sourceStatus.)"),
        ("FIELD_DEPRECATED", "Ticket.favNum is deprecated (Use likeCount.)"),
        ("ARG_DEPRECATED", "Query.tickets(status:) is deprecated (Use filter.)"),
        ("INPUT_FIELD_DEPRECATED", "Filter.state is deprecated (Use sourceStatus.)"),
        ("ENUM_VALUE_DEPRECATED", "Colour.ORANGE is deprecated (Use RED.)"),
    }
    report = format_changes(changes)
    assert report.startswith("no breaking changes") and "5 deprecations (still answering; not blocking):" in report
    assert "  ~ [FIELD_DEPRECATED] Ticket.cityState is deprecated (Use sourceStatus.)." in report
