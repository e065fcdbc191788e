"""The demo users, said once: the table ``minyi demo`` prints and the README's table of demo users come from
``auth.users`` (DEMO_USERS, DEMO_SCOPES), and every code a description names is the user's own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auth.users import DEMO_SCOPES, DEMO_USERS, demo_logins
from minyi.demo import _print_logins

README = Path(__file__).resolve().parents[1] / "README.md"
CODE = re.compile(r"(?<!phone )\b\d{6,15}\b")


def readme_rows() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| user | name | role") :].split("\n\n", 1)[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    return rows


def test_the_readme_table_is_the_demo_users() -> None:
    expected = [[f"`{user}`", name, role.value, where] for user, name, role, where in demo_logins()]
    found = [[user, name, role.split()[0], where] for user, name, role, where in readme_rows()]
    assert found == expected


def test_the_demo_prints_the_same_users(capsys: pytest.CaptureFixture[str]) -> None:
    _print_logins(4000, None)
    printed = capsys.readouterr().out
    for user, name, role, where in demo_logins():
        assert re.search(rf"^  {user} +{name}  {role.value} +{re.escape(where)}$", printed, re.MULTILINE), user
    assert "43012112" not in printed.split("gridworker")[1].splitlines()[0]  # the grid worker is shown by grid


@pytest.mark.parametrize("user", [u[0] for u in DEMO_USERS])
def test_every_code_a_description_names_is_the_users_own(user: str) -> None:
    _, _, _, unit, admin_codes, grid_codes = next(u for u in DEMO_USERS if u[0] == user)
    own = {unit, *admin_codes, *grid_codes} - {None}
    assert set(CODE.findall(DEMO_SCOPES[user])) <= own
