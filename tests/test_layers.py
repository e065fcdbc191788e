"""The import direction of DESIGN.md: each package imports only the layers below it.

``gateway/`` serves any supergraph, so it knows nothing of the product's own subgraphs, resolvers or legacy
stand-ins; only the ``minyi`` command line and demo launcher put the whole product together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "gateway": {"subgraphs", "resolvers", "legacy", "minyi"},
    "schema": {"gateway", "subgraphs", "resolvers", "legacy", "auth", "minyi"},
    "auth": {"gateway", "subgraphs", "resolvers", "legacy", "minyi"},
    "resolvers": {"gateway", "subgraphs", "legacy", "minyi"},
    "subgraphs": {"gateway", "legacy", "minyi"},
    "legacy": {"gateway", "subgraphs", "resolvers", "auth", "schema", "minyi"},
    # the working-day calendar is a library under everything (the stand-ins count their limits with it too)
    "workdays": {"gateway", "subgraphs", "resolvers", "auth", "schema", "legacy", "minyi"},
    # circuit breakers and retry delays: a library under the gateway and the legacy adapters alike
    "resilience": {"gateway", "subgraphs", "resolvers", "auth", "schema", "legacy", "minyi", "workdays"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_layers_below_it(package: str) -> None:
    offences = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {name: bad for name, bad in offences.items() if bad} == {}


def test_the_import_scanner_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from legacy.world import World\n    import subgraphs.settings\n")
    assert imported_packages(module) == {"legacy", "subgraphs"}
