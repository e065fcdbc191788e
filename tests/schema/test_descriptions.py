"""The public schema describes every element, and no description cites a file (the CI check)."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema

from schema.descriptions import find_description_problems
from schema.supergraph import load_supergraph

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


def test_every_element_of_the_checked_in_graph_is_described_without_citing_files() -> None:
    api = load_supergraph(SUPERGRAPH.read_text(encoding="utf-8")).api_schema

    problems = find_description_problems(api)

    assert problems == (), "\n".join(str(p) for p in problems)


def test_the_check_finds_a_missing_description_at_every_kind_of_element() -> None:
    schema = build_schema(
        """
        "Described." type Query { "Described." appeals(first: Int): [Appeal!] plain: String }
        "Described." type Appeal { "Described." id: ID! }
        enum Colour { "Described." RED YELLOW }
        "Described." input Filter { text: String }
        scalar Moment
        """
    )

    problems = {str(p) for p in find_description_problems(schema)}

    assert problems == {
        "Query.appeals(first:): missing",
        "Query.plain: missing",
        "Colour: missing",
        "Colour.YELLOW: missing",
        "Filter.text: missing",
        "Moment: missing",
    }


def test_the_check_refuses_descriptions_that_cite_files_or_sections() -> None:
    schema = build_schema(
        """
        "Roles as DOMAIN.md says." type Query {
          "See §8." a: String
          "Mapped in resolvers/hotline_status.py." b: String
          "A 12345 work order (工单), newest first; at most 100." c: String
        }
        """
    )

    problems = {p.element: p.problem for p in find_description_problems(schema)}

    assert set(problems) == {"Query", "Query.a", "Query.b"}
    assert problems["Query.a"] == "cites '§'"
