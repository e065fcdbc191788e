"""docs/rulebook.md stays true: the tests it names exist, its tested rules name one, its counts equal its rows.

The ledger is read as text and the tests it names are found by parsing the test files (``ast``), never by running
or importing them.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "docs" / "rulebook.md"
STATUSES = ("tested", "encoded, no test", "partial", "absent")
_CELL = re.compile(r"(?<!\\)\|")  # a cell border; "\|" inside a cell is text
_RULE_ROW = re.compile(r"^\| \d+ \| ")
_TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


@dataclass(frozen=True, slots=True)
class Rule:
    number: int
    text: str
    source: str
    status: str
    where: str
    tests: tuple[tuple[str, str], ...]
    why: str


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL.split(line)[1:-1]]


@cache
def _lines() -> tuple[str, ...]:
    return tuple(RULEBOOK.read_text(encoding="utf-8").splitlines())


@cache
def _rules() -> tuple[Rule, ...]:
    rules = []
    for line in _lines():
        if not _RULE_ROW.match(line):
            continue
        cells = _cells(line)
        assert len(cells) == 7, f"a rule row has 7 cells (#, rule, source, status, where, tests, why): {line[:80]}"
        number, text, source, status, where, tests, why = cells
        rules.append(Rule(int(number), text, source, status, where, tuple(_TEST_REF.findall(tests)), why))
    return tuple(rules)


def _summary() -> dict[str, int]:
    lines = _lines()
    start = lines.index("## Counts")
    counts: dict[str, int] = {}
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        cells = _cells(line) if line.startswith("|") else []
        if len(cells) == 2 and cells[1].isdigit():
            counts[cells[0]] = int(cells[1])
    return counts


@cache
def _test_functions(path: str) -> frozenset[str]:
    """The test functions a file defines, at module level or in a class, read from its syntax tree."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            names.add(node.name)
    return frozenset(names)


def test_the_rules_are_numbered_one_after_another() -> None:
    numbers = [rule.number for rule in _rules()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_rule_has_a_known_status_and_a_source() -> None:
    for rule in _rules():
        assert rule.status in STATUSES, (rule.number, rule.status)
        assert rule.text and rule.source, rule.number
        assert "DOMAIN" not in rule.source, f"rule {rule.number}: cite the statute or standard, not our notes"


def test_every_tested_rule_names_a_test_and_where_it_is_encoded() -> None:
    for rule in _rules():
        if rule.status == "tested":
            assert rule.tests, f"rule {rule.number} is marked tested but names no test"
        if rule.status in ("tested", "encoded, no test"):
            assert rule.where not in ("", "—"), f"rule {rule.number} does not say where it is encoded"
        if rule.status == "encoded, no test":
            assert not rule.tests, f"rule {rule.number} names a test: it is tested"


def test_every_partial_or_absent_rule_says_why() -> None:
    for rule in _rules():
        if rule.status in ("partial", "absent"):
            assert rule.why, f"rule {rule.number} is {rule.status} and does not say why"


@pytest.mark.parametrize("number", [rule.number for rule in _rules() if rule.tests])
def test_every_named_test_exists(number: int) -> None:
    rule = _rules()[number - 1]
    for path, name in rule.tests:
        assert (ROOT / path).is_file(), f"rule {number}: no file {path}"
        assert name in _test_functions(path), f"rule {number}: {path} defines no {name}"


def test_the_counts_at_the_top_equal_the_rows() -> None:
    found = Counter(rule.status for rule in _rules())
    summary = _summary()
    assert {status: summary.get(status, 0) for status in STATUSES} == {s: found.get(s, 0) for s in STATUSES}
    assert summary["total"] == len(_rules())
